// --exit-when-done on a paired kiosk: once the replay ends and the outbox is empty, the server
// hears the camera stopped, rather than keep the state of the last pull before (the console's
// Kiosks page showed "camera starting" or "camera working" for a kiosk that had gone).
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cameraOnServer,
  pairWholeKiosk,
  serverForKiosks,
  type ServerForKiosks,
} from '../../../server/test/whole-kiosk.js';
import { FakeFaceEngine } from '../testing/fake-engine.js';
import { drainAfterReplay } from './drain-after-replay.js';

const FRAMES = join(import.meta.dirname, '../../../test/fixtures/faces');

describe('--exit-when-done after a replay', () => {
  let server: ServerForKiosks;
  beforeEach(async () => {
    server = await serverForKiosks();
  });
  afterEach(async () => {
    await server.close();
  });

  const onServer = (deviceId: string) => cameraOnServer(server, deviceId);

  it('tells the server the camera stopped before the kiosk exits', async () => {
    // The replay paces by the kiosk's clock: held at its first frame until the clock moves on.
    let now = Date.now();
    const { kiosk, device } = await pairWholeKiosk(
      server,
      new FakeFaceEngine(),
      new Date(now).toISOString(),
      {
        camera: `replay:${FRAMES}?fps=4`,
        clock: () => new Date(now),
      },
    );
    const camera = (status: string) =>
      new Promise<void>((resolve) => {
        if (kiosk.state().camera.status === status) return resolve();
        const off = kiosk.subscribe((s) => {
          if (s.camera.status !== status) return;
          off();
          resolve();
        });
      });
    const stopped = camera('stopped');
    await camera('running');
    // The last pull while the replay runs: what the server would keep showing.
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    expect(await onServer(device.id)).toMatchObject({ status: 'running' });
    now += 60_000;
    await stopped;

    await drainAfterReplay(kiosk, pino({ level: 'silent' }), 20);
    expect(await onServer(device.id)).toEqual({ status: 'stopped', detail: 'replay finished' });
  }, 20_000);
});
