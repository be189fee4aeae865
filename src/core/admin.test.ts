// The admin area's own channels: status (factory PIN), change PIN, quit. Through the real
// handlers on an in-memory kiosk, so the session, lockout and store rules are the real ones.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKiosk, DEFAULT_ADMIN_PIN } from './index.js';
import { QUIT_REPLY_GRACE_MS } from './kiosk.js';
import { PIN_LOCKOUT_MS, PIN_MAX_FAILURES } from './store/admin-pin.js';
import { FakeFaceEngine } from './testing/fake-engine.js';
import { silentLogger, testClock } from './testing/fixtures.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

const NEW_PIN = '480317';

function kiosk(adminPin?: string) {
  const clock = testClock('2026-03-02T09:02:00Z');
  const k = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'none',
    engine: new FakeFaceEngine(),
    clock: clock.now,
    logger: silentLogger(),
    autoSync: false,
    ...(adminPin ? { adminPin } : {}),
  });
  open.push(k);
  return { k, h: k.handlers, clock };
}

const change = (currentPin: string, newPin = NEW_PIN, confirmPin = newPin) => ({
  currentPin,
  newPin,
  confirmPin,
});

describe('admin status', () => {
  it('needs the admin session and says whether the PIN is the factory one', async () => {
    const { h } = kiosk();
    expect(await h.adminStatus(undefined)).toMatchObject({ ok: false, error: { code: 'locked' } });
    await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN });
    expect(await h.adminStatus(undefined)).toEqual({
      ok: true,
      value: { factoryPin: true, pinRecovery: false },
    });

    const provisioned = kiosk('2468');
    await provisioned.h.adminUnlock({ pin: '2468' });
    expect(await provisioned.h.adminStatus(undefined)).toEqual({
      ok: true,
      value: { factoryPin: false, pinRecovery: false },
    });
  });
});

describe('changing the admin PIN', () => {
  it('needs an unlocked admin session', async () => {
    const { h } = kiosk();
    expect(await h.adminChangePin(change(DEFAULT_ADMIN_PIN))).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
  });

  it('changes it: the new PIN opens, the old does not, the store keeps only a fresh hash', async () => {
    const { k, h } = kiosk();
    const before = k.store.db.prepare('SELECT salt, hash FROM admin_pin').get() as {
      salt: string;
      hash: string;
    };
    await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN });
    expect(await h.adminChangePin(change(DEFAULT_ADMIN_PIN))).toEqual({
      ok: true,
      value: { factoryPin: false, pinRecovery: false },
    });
    const after = k.store.db.prepare('SELECT salt, hash FROM admin_pin').get() as {
      salt: string;
      hash: string;
    };
    expect(after.salt).not.toBe(before.salt);
    expect(JSON.stringify(after)).not.toContain(NEW_PIN);
    expect(await h.adminStatus(undefined)).toEqual({
      ok: true,
      value: { factoryPin: false, pinRecovery: false },
    });
    expect(k.store.audit.list(1)[0]?.action).toBe('pin_changed');
    await h.adminLock(undefined);
    expect(await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN })).toEqual({
      ok: true,
      value: { unlocked: false, lockedUntil: null, recovery: false },
    });
    expect(await h.adminUnlock({ pin: NEW_PIN })).toEqual({
      ok: true,
      value: { unlocked: true, lockedUntil: null, recovery: false },
    });
  });

  it('refuses a trivial or short new PIN with a clear message, without spending a PIN try', async () => {
    const { h } = kiosk();
    await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN });
    const answers = [];
    for (const weak of ['123456', '000000', '111111', '121212', '12345', '9876543210'])
      answers.push(await h.adminChangePin(change(DEFAULT_ADMIN_PIN, weak)));
    expect(answers.map((a) => !a.ok && a.error.code)).toEqual(Array(6).fill('weak_pin'));
    expect(answers[0]).toMatchObject({
      error: { message: expect.stringMatching(/too easy to guess.*like 123456/) },
    });
    expect(answers[4]).toMatchObject({ error: { message: expect.stringMatching(/6 to 12 digits/) } });
    // More weak tries than the lockout allows, yet the current PIN still works.
    await h.adminLock(undefined);
    expect(await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN })).toMatchObject({
      ok: true,
      value: { unlocked: true },
    });
  });

  it('refuses two different new PINs, and a new PIN equal to the current one', async () => {
    const { h } = kiosk('2468013579');
    await h.adminUnlock({ pin: '2468013579' });
    expect(await h.adminChangePin(change('2468013579', NEW_PIN, '480318'))).toMatchObject({
      ok: false,
      error: { code: 'pin_mismatch', message: expect.stringMatching(/not the same/) },
    });
    expect(await h.adminChangePin(change('2468013579', '2468013579'))).toMatchObject({
      ok: false,
      error: { code: 'pin_unchanged' },
    });
    expect(await h.adminChangePin({ currentPin: '2468013579', newPin: NEW_PIN })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
  });

  it('refuses a wrong current PIN and keeps the old one', async () => {
    const { k, h } = kiosk();
    await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN });
    expect(await h.adminChangePin(change('9999'))).toMatchObject({
      ok: false,
      error: { code: 'wrong_pin', message: expect.stringMatching(/current PIN is wrong/) },
    });
    expect(k.store.pin.isFactoryDefault()).toBe(true);
    expect(k.store.audit.list(1)[0]?.action).toBe('pin_change_failed');
    // One mistake does not end the session.
    expect((await h.adminStatus(undefined)).ok).toBe(true);
  });

  it('counts wrong current PINs towards the unlock lockout, then closes the admin session', async () => {
    const { h, clock } = kiosk();
    await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN });
    const answers = [];
    for (let i = 0; i < PIN_MAX_FAILURES; i++) answers.push(await h.adminChangePin(change('9999')));
    expect(answers.map((a) => !a.ok && a.error.code)).toEqual([
      ...Array(PIN_MAX_FAILURES - 1).fill('wrong_pin'),
      'pin_locked_out',
    ]);
    expect(answers.at(-1)).toMatchObject({
      error: { message: expect.stringMatching(/Too many wrong PINs: the admin area is locked for 5 min/) },
    });
    expect(await h.adminStatus(undefined)).toMatchObject({ ok: false, error: { code: 'locked' } });
    // The unlock screen is locked out too, even for the right PIN...
    const refused = await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN });
    expect(refused.ok && refused.value).toMatchObject({ unlocked: false, lockedUntil: expect.any(String) });
    // ...until the lockout ends; the PIN never changed.
    clock.advance(PIN_LOCKOUT_MS + 1_000);
    expect(await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN })).toMatchObject({
      ok: true,
      value: { unlocked: true },
    });
  });

  it('mixes with the unlock screen: failures there count here', async () => {
    const { h } = kiosk();
    for (let i = 0; i < PIN_MAX_FAILURES - 1; i++) await h.adminUnlock({ pin: '9999' });
    await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN }); // a success resets the counter
    for (let i = 0; i < PIN_MAX_FAILURES - 1; i++)
      expect(await h.adminChangePin(change('9999'))).toMatchObject({ error: { code: 'wrong_pin' } });
    expect(await h.adminUnlock({ pin: '9999' })).toMatchObject({
      ok: true,
      value: { unlocked: false, lockedUntil: expect.any(String) },
    });
  });
});

describe('the PIN lockout in the kiosk state', () => {
  it('is there from the lockout until it ends, so a PIN pad opened again shows it before any try', async () => {
    const { k, h, clock } = kiosk();
    expect(k.state().pinLockedUntil).toBeNull();
    for (let i = 0; i < PIN_MAX_FAILURES - 1; i++) await h.adminUnlock({ pin: '9999' });
    expect(k.state().pinLockedUntil).toBeNull();
    const r = await h.adminUnlock({ pin: '9999' });
    const until = r.ok ? r.value.lockedUntil : null;
    expect(until).toEqual(expect.any(String));
    expect(k.state().pinLockedUntil).toBe(until);
    clock.advance(PIN_LOCKOUT_MS + 1);
    expect(k.state().pinLockedUntil).toBeNull();
  });
});

describe('quitting from the admin area', () => {
  it('needs the admin session and an explicit confirm', async () => {
    const { k, h } = kiosk(NEW_PIN);
    const quit = vi.fn();
    k.onQuitRequest(quit);
    expect(await h.appQuit({ confirm: true })).toMatchObject({ ok: false, error: { code: 'locked' } });
    await h.adminUnlock({ pin: NEW_PIN });
    expect(await h.appQuit(undefined)).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(await h.appQuit({ confirm: false })).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    await new Promise((r) => setTimeout(r, QUIT_REPLY_GRACE_MS * 2));
    expect(quit).not.toHaveBeenCalled();
  });

  it('says so when no host listens for a quit', async () => {
    const { h } = kiosk(NEW_PIN);
    await h.adminUnlock({ pin: NEW_PIN });
    expect(await h.appQuit({ confirm: true })).toMatchObject({
      ok: false,
      error: { code: 'unsupported', message: expect.stringMatching(/cannot be quit from the screen/) },
    });
  });

  it('answers first, then calls the host hook, which closes the kiosk and its database', async () => {
    const { k, h } = kiosk(NEW_PIN);
    const store = k.store;
    let hookRan = false;
    const closed = new Promise<void>((resolve) => {
      k.onQuitRequest(() => {
        hookRan = true;
        void k.close().then(resolve);
      });
    });
    await h.adminUnlock({ pin: NEW_PIN });
    expect(await h.appQuit({ confirm: true })).toEqual({ ok: true, value: { quitting: true } });
    expect(hookRan).toBe(false); // the answer goes out before the host tears anything down
    expect(store.audit.list(1)[0]?.action).toBe('app_quit');
    await closed;
    expect(store.db.open).toBe(false);
  });
});
