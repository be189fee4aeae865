// The kiosk core as its behaviour tests drive it: a push camera fed fake frames, the fake face
// engine, an in-memory store seeded with the test roster (fixtures.ts), and a provisioned admin
// PIN (the factory one opens only "set a new PIN", pin-security.test.ts).
import { createKiosk, type KioskOptions } from '../index.js';
import type { KioskState } from '../../contracts/kiosk-api.js';
import { FakeFaceEngine, fakeFrame } from './fake-engine.js';
import { seedRoster, silentLogger, testClock } from './fixtures.js';

export const TEST_ADMIN_PIN = '480317';

/**
 * What every behaviour-test kiosk shares: an in-memory store, a push camera, the fake engine, the
 * given clock, a quiet log, no sync schedule, the test PIN and the fake engine's match point.
 */
export const testKioskOptions = (clock: () => Date) =>
  ({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'push',
    engine: new FakeFaceEngine(),
    clock,
    logger: silentLogger(),
    autoSync: false,
    settings: { matchThreshold: 0.6, matchMargin: 0.1 },
    adminPin: TEST_ADMIN_PIN,
  }) satisfies KioskOptions;

/**
 * A ready kiosk at `startIso` (Monday 2026-03-02, during maths, by default), added to `open` for
 * the caller's afterEach to close. `show(...who)` pushes one frame 300 ms after the last with
 * those fake faces; `states` collects every state the kiosk published.
 */
export async function pushKiosk(open: { close(): Promise<void> }[], startIso = '2026-03-02T09:02:00Z') {
  const clock = testClock(startIso);
  const k = createKiosk(testKioskOptions(clock.now));
  open.push(k);
  seedRoster(k.store, clock.now);
  await k.ready;
  k.reloadGallery();
  const states: KioskState[] = [];
  k.subscribe((s) => states.push(s));
  const show = async (...who: string[]) => {
    clock.advance(300);
    k.pushFrame(fakeFrame(...who.map((w) => ({ who: w }))));
  };
  return { k, clock, states, show, h: k.handlers };
}
