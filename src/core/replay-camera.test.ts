// Recorded frames (`replay:<folder>`) are for demos and tests. On a door, whoever knows the admin
// PIN must not be able to switch the camera to a folder of photos on the kiosk's disk (played
// past the recogniser as if those people walked by, or shown on screen); a run started with a
// replay camera, by whoever controls the command line, may.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKiosk } from './index.js';
import { FakeFaceEngine } from './testing/fake-engine.js';
import { silentLogger } from './testing/fixtures.js';
import { TEST_ADMIN_PIN } from './testing/push-kiosk.js';

const FRAMES = join(import.meta.dirname, '../../test/fixtures/faces');

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function kioskWith(options: { camera?: string; cameraSetting?: string; allowReplayCamera?: boolean }) {
  const k = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    ...(options.camera === undefined ? {} : { camera: options.camera }),
    ...(options.allowReplayCamera === undefined ? {} : { allowReplayCamera: options.allowReplayCamera }),
    engine: new FakeFaceEngine(),
    logger: silentLogger(),
    autoSync: false,
    adminPin: TEST_ADMIN_PIN,
    ...(options.cameraSetting === undefined ? {} : { settings: { cameraSpec: options.cameraSetting } }),
  });
  open.push(k);
  await k.ready;
  expect(await k.handlers.adminUnlock({ pin: TEST_ADMIN_PIN })).toMatchObject({ value: { unlocked: true } });
  return k;
}

describe('recorded frames (replay:) as the camera', () => {
  it('a door refuses them from Settings, stores nothing and keeps its camera', async () => {
    const k = await kioskWith({ camera: 'push' });
    const r = await k.handlers.settingsUpdate({ cameraSpec: `replay:${FRAMES}?fps=2&loop=1` });
    expect(r).toMatchObject({ ok: false, error: { code: 'replay_not_allowed' } });
    expect(k.store.settings.get().cameraSpec).toBe('webcam:default');
    expect(k.state().camera.status).not.toBe('error');
    // Other cameras are still chosen as before.
    expect(await k.handlers.settingsUpdate({ cameraSpec: 'none' })).toMatchObject({ ok: true });
  });

  it('a run started with a replay camera may choose another folder in Settings', async () => {
    const k = await kioskWith({ camera: `replay:${FRAMES}?fps=1` });
    const r = await k.handlers.settingsUpdate({ cameraSpec: `replay:${FRAMES}?fps=2&loop=1` });
    expect(r).toMatchObject({ ok: true, value: { cameraSpec: `replay:${FRAMES}?fps=2&loop=1` } });
  });

  it('the explicit option wins: a replay start with allowReplayCamera false still refuses Settings', async () => {
    const k = await kioskWith({ camera: `replay:${FRAMES}?fps=1`, allowReplayCamera: false });
    expect(await k.handlers.settingsUpdate({ cameraSpec: `replay:${FRAMES}` })).toMatchObject({
      ok: false,
      error: { code: 'replay_not_allowed' },
    });
  });

  it('a stored replay setting is not played at start on a door: no camera runs and the screen says why', async () => {
    const k = await kioskWith({ cameraSetting: `replay:${FRAMES}?fps=5&loop=1` });
    const camera = k.state().camera;
    expect(camera.status).toBe('error');
    expect(camera.detail).toMatch(/Recorded frames \(replay:\).*choose a camera in Settings/);
    await new Promise((r) => setTimeout(r, 500));
    expect(k.stats().frames.received).toBe(0);
  });
});
