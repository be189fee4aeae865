// Security review, findings 3, 9 and 11 on the kiosk: the factory PIN opens only "set a new
// PIN"; the lockout escalates and survives a restart; a recovery code still opens a locked
// kiosk; handlers answer stable codes, not internal messages; the kiosk's data is private.
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createKiosk, DEFAULT_ADMIN_PIN } from './index.js';
import { PIN_LOCKOUT_STEPS_MS, PIN_MAX_FAILURES } from './store/admin-pin.js';
import { openKioskStore } from './store/index.js';
import { DEFAULT_SETTINGS } from './store/settings-defaults.js';
import { FakeFaceEngine } from './testing/fake-engine.js';
import { silentLogger, testClock } from './testing/fixtures.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

const NEW_PIN = '480317';

function kiosk(options: { adminPin?: string; logger?: pino.Logger; dataDir?: string } = {}) {
  const clock = testClock('2026-03-02T09:02:00Z');
  const k = createKiosk({
    dataDir: options.dataDir ?? '/nonexistent',
    ...(options.dataDir ? {} : { databaseFile: ':memory:' }),
    camera: 'none',
    engine: new FakeFaceEngine(),
    clock: clock.now,
    logger: options.logger ?? silentLogger(),
    autoSync: false,
    ...(options.adminPin ? { adminPin: options.adminPin } : {}),
  });
  open.push(k);
  return { k, h: k.handlers, clock };
}

describe('the factory PIN opens only "set a new PIN"', () => {
  it('refuses every other admin channel in the core until a new PIN is set', async () => {
    const { h } = kiosk();
    expect(await h.adminUnlock({ pin: DEFAULT_ADMIN_PIN })).toMatchObject({
      ok: true,
      value: { unlocked: true },
    });
    expect(await h.adminStatus(undefined)).toMatchObject({ ok: true, value: { factoryPin: true } });
    const refused = [
      await h.rosterList({}),
      await h.logToday(undefined),
      await h.settingsGet(undefined),
      await h.settingsUpdate({ cameraSpec: 'none' }),
      await h.pair({ serverUrl: 'http://127.0.0.1:1', code: 'ABCD1234', name: 'x' }),
      await h.appQuit({ confirm: true }),
    ];
    for (const r of refused)
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'pin_change_required', message: expect.stringMatching(/new PIN/) },
      });
    expect(
      await h.adminChangePin({ currentPin: DEFAULT_ADMIN_PIN, newPin: NEW_PIN, confirmPin: NEW_PIN }),
    ).toMatchObject({ ok: true });
    expect(await h.logToday(undefined)).toMatchObject({ ok: true });
  });

  it('a provisioned PIN opens everything at once', async () => {
    const { h } = kiosk({ adminPin: NEW_PIN });
    await h.adminUnlock({ pin: NEW_PIN });
    expect(await h.logToday(undefined)).toMatchObject({ ok: true });
  });
});

describe('the lockout escalates, persists, and a recovery code still opens it', () => {
  const fail = (verify: (pin: string) => { lockedUntil: string | null }) => {
    let last: { lockedUntil: string | null } = { lockedUntil: null };
    for (let i = 0; i < PIN_MAX_FAILURES; i++) last = verify('000000');
    return last.lockedUntil;
  };

  it('5 min, 15 min, 1 h, 4 h, then 24 h; across a restart; reset by the right PIN', () => {
    expect(PIN_LOCKOUT_STEPS_MS).toEqual([
      5 * 60_000,
      15 * 60_000,
      60 * 60_000,
      4 * 60 * 60_000,
      24 * 60 * 60_000,
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'kiosk-pin-')), 'kiosk.db');
    const clock = testClock('2026-03-02T09:00:00Z');
    let s = openKioskStore({ file, defaultSettings: DEFAULT_SETTINGS, now: clock.now });
    s.pin.setPin(NEW_PIN);
    const lengths: number[] = [];
    for (let round = 0; round < 6; round++) {
      const until = fail((p) => s.pin.verify(p));
      expect(until).not.toBeNull();
      lengths.push(Date.parse(until ?? '') - clock.now().getTime());
      // A restart (power cycle) keeps both the lockout and the escalation.
      s.close();
      s = openKioskStore({ file, defaultSettings: DEFAULT_SETTINGS, now: clock.now });
      expect(s.pin.verify(NEW_PIN)).toEqual({ unlocked: false, lockedUntil: until });
      clock.advance(Date.parse(until ?? '') - clock.now().getTime() + 1000);
    }
    expect(lengths).toEqual([...PIN_LOCKOUT_STEPS_MS, PIN_LOCKOUT_STEPS_MS.at(-1)]);
    // The right PIN after the lockout starts the ladder again.
    expect(s.pin.verify(NEW_PIN)).toMatchObject({ unlocked: true });
    const until = fail((p) => s.pin.verify(p));
    expect(Date.parse(until ?? '') - clock.now().getTime()).toBe(PIN_LOCKOUT_STEPS_MS[0]);
    s.close();
  });

  it('a server-issued recovery code opens the admin area during a lockout (the PIN does not)', async () => {
    const { k, h } = kiosk({ adminPin: NEW_PIN });
    const code = '204958173640';
    const salt = randomBytes(16);
    const codeHash = [
      'scrypt',
      1024,
      8,
      1,
      salt.toString('base64url'),
      scryptSync(code, salt, 64, { N: 1024, r: 8, p: 1 }).toString('base64url'),
    ].join('$');
    k.store.pinRecovery.applyOffer({ id: randomUUID(), codeHash, expiresAt: '2026-03-03T09:00:00.000Z' });
    for (let i = 0; i < PIN_MAX_FAILURES; i++) await h.adminUnlock({ pin: '000000' });
    expect(await h.adminUnlock({ pin: NEW_PIN })).toMatchObject({
      ok: true,
      value: { unlocked: false, lockedUntil: expect.any(String) },
    });
    expect(await h.adminUnlock({ pin: code })).toMatchObject({
      ok: true,
      value: { unlocked: true, recovery: true },
    });
  });
});

describe('kiosk handlers answer stable error codes', () => {
  it('an internal failure is "internal" with a generic message; the details go to the log', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'error' },
      new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }),
    );
    const { k, h } = kiosk({ adminPin: NEW_PIN, logger });
    await h.adminUnlock({ pin: NEW_PIN });
    k.store.roster.listStudents = () => {
      throw new Error('SQLITE_IOERR: disk I/O error at /var/lib/rollcall/kiosk.db');
    };
    const r = await h.rosterList({});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(r)).not.toMatch(/SQLITE|\/var\/lib/);
    expect(lines.join('')).toMatch(/SQLITE_IOERR/);
  });
});

describe.runIf(process.platform !== 'win32')('kiosk data at rest', () => {
  it('the data folder is 0700 and the database with its WAL/SHM 0600', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kiosk-modes-')), 'kiosk');
    const previous = process.umask(0o022);
    try {
      const { k } = kiosk({ dataDir, adminPin: NEW_PIN });
      await k.ready;
      k.store.settings.update({ soundCue: false }); // a write, so the WAL exists
      const mode = (p: string) => statSync(p).mode & 0o777;
      expect(mode(dataDir)).toBe(0o700);
      for (const f of ['kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm'])
        expect(mode(join(dataDir, f)), f).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});
