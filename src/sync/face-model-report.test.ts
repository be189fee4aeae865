// The kiosk tells the server which face model it runs: with every roster pull (so a kiosk that
// marks nobody still reports) and inside the health of every attendance push. A whole kiosk
// (createKiosk, fake engine) against the real server; the admin's device list shows the model.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call } from '../../server/test/app.js';
import { pairWholeKiosk, serverForKiosks, type ServerForKiosks } from '../../server/test/whole-kiosk.js';
import { FakeFaceEngine } from '../core/testing/fake-engine.js';

let server: ServerForKiosks;
beforeEach(async () => {
  server = await serverForKiosks();
});
afterEach(async () => {
  await server.close();
});

interface DeviceView {
  id: string;
  modelId: string | null;
  health: { modelId?: string } | null;
}

it('a paired kiosk reports its face model on its first sync; the device list shows it', async () => {
  const engine = new FakeFaceEngine();
  const { kiosk, device } = await pairWholeKiosk(server, engine, '2026-09-07T08:35:00Z');
  expect(device.modelId).toBeNull(); // nothing reported before pairing
  expect((await kiosk.sync.syncNow()).ok).toBe(true);

  const listed = await call<DeviceView[]>(server.app, server.seeded.adminToken, 'GET', '/api/devices');
  expect(listed.find((d) => d.id === device.id)?.modelId).toBe(engine.modelId);
});
