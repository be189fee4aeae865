// A door whose camera does not work marks nobody, so it pushes no health: it reports its camera
// with every roster pull instead, and the console's Kiosks page flags it. Here a whole kiosk with
// the page's camera (spec `push`) and the real server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cameraOnServer,
  pairWholeKiosk,
  serverForKiosks,
  type ServerForKiosks,
} from '../../server/test/whole-kiosk.js';
import { FakeFaceEngine, fakeFrame } from '../core/testing/fake-engine.js';

describe("a kiosk's camera on the server", () => {
  let server: ServerForKiosks;
  beforeEach(async () => {
    server = await serverForKiosks();
  });
  afterEach(async () => {
    await server.close();
  });

  const onServer = (deviceId: string) => cameraOnServer(server, deviceId);

  it("is reported with every sync: the page's camera problem, then the camera working again", async () => {
    const { kiosk, device } = await pairWholeKiosk(server, new FakeFaceEngine(), new Date().toISOString());
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    expect(await onServer(device.id)).toEqual({
      status: 'starting',
      detail: 'waiting for frames from the UI',
    });

    // The page cannot find its camera: the core knows, and so does the server at the next sync.
    const r = await kiosk.handlers.cameraReport({
      status: 'missing',
      reason: 'not-found',
      detail: 'NotFoundError: Requested device not found',
    });
    expect(r.ok).toBe(true);
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    expect(await onServer(device.id)).toEqual({
      status: 'missing',
      detail: 'No camera was found (NotFoundError: Requested device not found).',
    });

    // Plugged in again: the page says so and its frames flow.
    await kiosk.handlers.cameraReport({ status: 'running' });
    kiosk.pushFrame(fakeFrame({ who: 'nobody' }));
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    expect(await onServer(device.id)).toEqual({ status: 'running', detail: 'frames from the UI' });
  });
});
