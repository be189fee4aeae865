// The admin side: PIN (wrong, right, lockout), the factory-PIN prompt and changing the PIN,
// quitting (confirm), re-enrolment after a face-model change and enrolment from replayed
// frames, pairing.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { qrSvgDocument } from '../server/console/src/qr-svg.js';
import { pairingQrText } from '../src/contracts/pairing-qr.js';
import { storeTemplates } from '../server/src/repositories/templates.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PIN } from '../src/core/index.js';
import { layoutReport, settled } from './harness/audit.js';
import { useE2eSuite } from './harness/suite.js';
import { call } from '../server/test/app.js';
import { ADMIN_PIN, borrowed, hold, openUi, pollUntil, seedSchool, type World } from './harness/world.js';
import { startServer } from './harness/server.js';

const suite = useE2eSuite();
let world: World | null = null;

/** The model shipped before faceplugin/v1: templates a school made with it before the upgrade. */
const PREVIOUS_MODEL = 'faceres-aligned+mobileface/v1';

/** A template of another face model on the server, as if enrolled before the upgrade (a valid unit vector). */
async function addOldModelTemplate(w: World, studentId: string, dims: number) {
  const v = new Float32Array(dims).fill(1 / Math.sqrt(dims));
  const upload = {
    id: randomUUID(),
    studentId,
    modelId: PREVIOUS_MODEL,
    embedding: Buffer.from(v.buffer).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  const [result] = await storeTemplates(
    w.server.database.db,
    [upload],
    { source: 'kiosk', deviceId: null, siteId: null },
    new Date().toISOString(),
  );
  expect(result?.status).toBe('accepted');
}

async function enterPin(w: World, pin: string) {
  await w.page.fill('[data-testid="pin-input"]', pin);
  await w.page.click('[data-testid="pin-submit"]');
}

/** Opens the PIN pad and types five wrong PINs, until the pad says the kiosk is locked out. */
async function lockOut(w: World) {
  await w.page.click('[data-testid="open-admin"]');
  for (let i = 0; i < 5; i++) {
    await w.page.waitForSelector('[data-testid="pin-submit"]');
    await enterPin(w, '9999');
    if (i < 4) await w.page.locator('[data-testid="pin-message"]', { hasText: 'Wrong PIN' }).waitFor();
  }
  await w.page.locator('[data-testid="pin-message"]', { hasText: 'Too many wrong PINs' }).waitFor();
}

describe('admin', () => {
  it('refuses a wrong PIN, opens on the right one, and locks out after repeated mistakes', async () => {
    world = await suite.world();
    const { page } = world;
    await page.click('[data-testid="open-admin"]');
    await page.waitForSelector('[data-screen="pin"][data-app-state="ready"]');
    await enterPin(world, '1111');
    await page.locator('[data-testid="pin-message"]', { hasText: 'Wrong PIN' }).waitFor();
    await world.shot('08-pin-wrong');

    await enterPin(world, ADMIN_PIN);
    await page.waitForSelector('[data-screen="admin"]');
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    await world.shot('09-pin-right-admin');
    // Settings: change the cooldown, save, and the core has it.
    await page.click('[data-testid="tab-settings"]');
    await page.waitForSelector('[data-panel="settings"][data-app-state="ready"]');
    await page.getByLabel('Cooldown (seconds)').fill('45');
    await page.click('[data-testid="settings-save"]');
    await page.locator('[data-panel="settings"] .ok', { hasText: 'Saved.' }).waitFor();
    expect(world.kiosk.store.settings.get().cooldownSeconds).toBe(45);
    await page.click('[data-testid="admin-exit"]');
    await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    // Leaving the admin area locked the core's admin session too.
    expect(await world.kiosk.handlers.logToday(undefined)).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });

    await lockOut(world);
    expect(await page.isDisabled('[data-testid="pin-input"]')).toBe(true);
    await world.shot('10-pin-lockout');
    // The core enforces it: even the right PIN is refused while locked.
    const r = await world.kiosk.handlers.adminUnlock({ pin: ADMIN_PIN });
    expect(r.ok && r.value.unlocked).toBe(false);
    expect(r.ok && r.value.lockedUntil).toBeTruthy();
  });

  it('the PIN pad left alone goes back to the door, a lockout countdown too', async () => {
    world = await suite.world();
    const { page } = world;
    // The page's timers on a clock the test moves; the kiosk state keeps streaming in meanwhile
    // (each new state renders the pad again, which must not restart its wait).
    await page.clock.install();
    await openUi(page, world.bridge);
    const door = '[data-screen="kiosk"][data-app-state="ready"]';
    const pad = '[data-screen="pin"][data-app-state="ready"]';
    await page.click('[data-testid="open-admin"]');
    await page.waitForSelector(pad);
    await page.clock.runFor(20_000);
    expect(await page.locator(pad).count()).toBe(1);
    // A key press is someone still there: the wait starts again.
    await page.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '1', exact: true }).click();
    await page.clock.runFor(20_000);
    expect(await page.locator(pad).count()).toBe(1);
    await page.clock.runFor(11_000);
    await page.waitForSelector(door);

    // Five wrong PINs: the countdown is shown, and after a while the door is back for students.
    await lockOut(world);
    await page.clock.runFor(31_000);
    await page.waitForSelector(door);
    // The lockout is the core's: the pad opened again says for how long at once, before any try,
    // and still refuses.
    await page.click('[data-testid="open-admin"]');
    await page.locator('[data-testid="pin-message"]', { hasText: 'Too many wrong PINs' }).waitFor();
    await expect(page.isDisabled('[data-testid="pin-input"]')).resolves.toBe(true);
    await expect(page.isDisabled('[data-testid="pin-submit"]')).resolves.toBe(true);
    expect(await page.locator('[data-screen="admin"]').count()).toBe(0);
  });

  it('opens on "set a new PIN" while the factory one is set, changes it, and asks before quitting', async () => {
    world = await suite.world({ pair: false, adminPin: null });
    const { page } = world;
    // The door works as usual on the factory PIN: no prompt out there.
    expect(await page.locator('[data-testid="factory-pin-notice"]').count()).toBe(0);
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, DEFAULT_ADMIN_PIN);
    // Straight to "set a new PIN": nothing else in the admin area works until one is set.
    await page.waitForSelector('[data-panel="pin"][data-app-state="ready"]');
    expect(await page.isDisabled('[data-testid="tab-today"]')).toBe(true);
    expect(await world.kiosk.handlers.logToday(undefined)).toMatchObject({
      ok: false,
      error: { code: 'pin_change_required' },
    });
    await world.shot('20-admin-factory-pin-set-new');
    const fill = async (current: string, next: string, again: string) => {
      await page.fill('[data-testid="pin-current"]', current);
      await page.fill('[data-testid="pin-new"]', next);
      await page.fill('[data-testid="pin-confirm"]', again);
      await page.click('[data-testid="pin-change"]');
    };
    const error = page.locator('[data-testid="pin-change-error"]');
    // A trivial PIN: the core refuses it with the reason.
    await fill(DEFAULT_ADMIN_PIN, '123456', '123456');
    await error.filter({ hasText: 'too easy to guess' }).waitFor();
    await world.shot('21-pin-change-trivial', true);
    await fill(DEFAULT_ADMIN_PIN, '480317', '480318');
    await error.filter({ hasText: 'not the same' }).waitFor();
    await fill('9999', '480317', '480317');
    await error.filter({ hasText: 'current PIN is wrong' }).waitFor();
    expect(world.kiosk.store.pin.isFactoryDefault()).toBe(true);

    await fill(DEFAULT_ADMIN_PIN, '480317', '480317');
    await page.locator('[data-testid="pin-change-ok"]', { hasText: 'PIN changed' }).waitFor();
    expect(world.kiosk.store.pin.isFactoryDefault()).toBe(false);
    await page.click('[data-testid="tab-today"]');
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    expect(await page.locator('[data-testid="factory-pin-notice"]').count()).toBe(0);
    await world.shot('22-pin-changed-no-prompt');

    // Quit: a confirm first; Cancel leaves everything running.
    await page.click('[data-testid="admin-quit"]');
    await page.locator('[data-testid="quit-confirm"]', { hasText: 'Quit Rollcall?' }).waitFor();
    await world.shot('23-quit-confirm');
    await page.click('[data-testid="quit-cancel"]');
    expect(await page.locator('[data-testid="quit-confirm"]').count()).toBe(0);
    await page.waitForSelector('[data-screen="admin"]');
    await page.click('[data-testid="admin-quit"]');
    await page.click('[data-testid="quit-yes"]');
    await page.waitForSelector('[data-screen="closing"]');
    await world.shot('24-quitting');
    // The core asked its host to quit (this world's host only counts), and closed the admin session.
    await expect.poll(() => world!.quitRequests(), { timeout: 5_000 }).toBe(1);
    expect(await world.kiosk.handlers.logToday(undefined)).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });

    // Back at the door (a fresh page): the old PIN no longer opens the admin area, the new one does, with no prompt.
    await openUi(page, world.bridge);
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, DEFAULT_ADMIN_PIN);
    await page.locator('[data-testid="pin-message"]', { hasText: 'Wrong PIN' }).waitFor();
    await enterPin(world, '480317');
    // This kiosk was never paired, so the admin area opens on pairing.
    await page.waitForSelector('[data-panel="sync"][data-app-state="ready"]');
    expect(await page.locator('[data-testid="factory-pin-notice"]').count()).toBe(0);
  });

  it('changes the PIN on a touch-only 7" panel with nothing but the on-screen keypad, in landscape and portrait', async () => {
    world = await suite.world({ viewport: { width: 800, height: 480 } });
    const { page } = world;
    // A camera that is not there: the admin area says why on every tab, in its longest words.
    world.kiosk.setCamera('webcam:/dev/video9');
    await world.waitForKiosk(
      (s) => s.camera.status === 'missing' || s.camera.status === 'error',
      'the missing camera',
    );
    const keypad = (scope: string) => page.locator(`${scope} [data-testid="keypad"]`);
    const tap = async (scope: string, keys: string) => {
      for (const k of keys) await keypad(scope).getByRole('button', { name: k, exact: true }).click();
    };
    const unlock = async (pin: string) => {
      await page.click('[data-testid="open-admin"]');
      await page.waitForSelector('[data-screen="pin"][data-app-state="ready"]');
      await tap('[data-screen="pin"]', pin);
      await page.click('[data-testid="pin-submit"]');
      await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    };
    const change = async (from: string, to: string, shot: string) => {
      const panel = '[data-panel="pin"]';
      await page.click('[data-testid="tab-pin"]');
      await page.waitForSelector(`${panel}[data-app-state="ready"]`);
      // The camera is off, so every tab also carries the door-problem notice: the form, its
      // keypad and the notice still fit the screen with nothing to scroll.
      await page.waitForSelector('[data-testid="door-problem-notice"]');
      await settled(page);
      await world!.shot(`${shot}-notice`);
      expect((await layoutReport(page)).problems).toEqual([]);
      // Every key is a 44 px touch target on the screen.
      const { width, height } = page.viewportSize()!;
      const keys = await keypad(panel).getByRole('button').all();
      expect(keys).toHaveLength(12);
      for (const box of await Promise.all(keys.map((b) => b.boundingBox()))) {
        expect(box!.width).toBeGreaterThanOrEqual(44);
        expect(box!.height).toBeGreaterThanOrEqual(44);
        expect(box!.x + box!.width).toBeLessThanOrEqual(width);
        expect(box!.y + box!.height).toBeLessThanOrEqual(height);
      }
      const submit = await page.locator('[data-testid="pin-change"]').boundingBox();
      expect(submit!.y + submit!.height).toBeLessThanOrEqual(height);
      // The keypad starts on the current PIN; a slip is taken back with the delete key.
      expect(await page.getAttribute('[data-testid="pin-current"]', 'data-keypad-target')).toBe('yes');
      await tap(panel, `${from}7`);
      await keypad(panel).getByRole('button', { name: 'Delete last digit' }).click();
      expect(await page.inputValue('[data-testid="pin-current"]')).toBe(from);
      // A tap on a field points the keypad at it. The longest live warning fits too.
      await page.click('[data-testid="pin-new"]');
      await tap(panel, '121212');
      await page.locator('[data-testid="pin-change-error"]', { hasText: 'repeats a short group' }).waitFor();
      expect((await layoutReport(page)).problems).toEqual([]);
      await keypad(panel).getByRole('button', { name: 'Clear' }).click();
      await tap(panel, to);
      await page.click('[data-testid="pin-confirm"]');
      await tap(panel, to);
      expect(await page.inputValue('[data-testid="pin-new"]')).toBe(to);
      expect(await page.inputValue('[data-testid="pin-confirm"]')).toBe(to);
      await world!.shot(shot);
      await page.click('[data-testid="pin-change"]');
      await page.locator('[data-testid="pin-change-ok"]', { hasText: 'PIN changed' }).waitFor();
      expect((await layoutReport(page)).problems).toEqual([]);
      await world!.shot(`${shot}-done`);
      await page.click('[data-testid="admin-exit"]');
      await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    };

    await unlock(ADMIN_PIN);
    await change(ADMIN_PIN, '480317', '28-pin-keypad-800x480');
    await page.setViewportSize({ width: 480, height: 800 });
    await unlock('480317');
    await change('480317', '730268', '29-pin-keypad-480x800');
    // Only the last PIN opens the admin area now.
    expect(world.kiosk.store.pin.verify('480317').unlocked).toBe(false);
    await unlock('730268');
  });

  it('a forgotten PIN: a recovery code issued on the server opens the admin area at "change PIN", once', async () => {
    world = await suite.world();
    const { page, school } = world;
    const app = world.server.app();
    await pollUntil(() => world!.kiosk.sync.status().lastPullAt !== null, 'first pull');
    const [device] = await call<{ id: string; state: string }[]>(
      app,
      school.adminToken,
      'GET',
      '/api/devices',
    );
    expect(device?.state).toBe('paired');
    const issued = await call<{ id: string; code: string }>(
      app,
      school.adminToken,
      'POST',
      `/api/devices/${device!.id}/pin-recovery`,
      undefined,
      [201],
    );
    expect(issued.code).toMatch(/^\d{4} \d{4} \d{4}$/);
    // The kiosk hears of it on its next sync.
    await pollUntil(() => world!.kiosk.store.pinRecovery.hasLive(), 'recovery code synced to the kiosk');

    await page.click('[data-testid="open-admin"]');
    await page.waitForSelector('[data-screen="pin"][data-app-state="ready"]');
    await page.click('[data-testid="pin-recovery-help"] summary');
    await page
      .locator('[data-testid="pin-recovery-help"]', { hasText: 'offline kiosk cannot use one' })
      .waitFor();
    await world.shot('25-pin-recovery-help', true);
    await enterPin(world, issued.code.replace(/ /g, ''));
    await page.waitForSelector('[data-panel="pin"][data-app-state="ready"]');
    await page.locator('[data-testid="pin-recovery-notice"]', { hasText: 'recovery code' }).waitFor();
    expect(await page.locator('[data-testid="pin-current"]').count()).toBe(0);
    await world.shot('26-pin-recovery-change', true);
    await page.fill('[data-testid="pin-new"]', '730268');
    await page.fill('[data-testid="pin-confirm"]', '730268');
    await page.click('[data-testid="pin-change"]');
    await page.locator('[data-testid="pin-change-ok"]', { hasText: 'PIN changed' }).waitFor();
    // The admin status reloads after the change: the recovery notice goes, the usual form is back.
    await page.locator('[data-testid="pin-recovery-notice"]').waitFor({ state: 'detached' });
    await page.waitForSelector('[data-testid="pin-current"]');
    await world.shot('27-pin-recovery-done', true);
    // Reported to the server: the admin sees it used.
    await pollUntil(
      async () =>
        (
          await call<{ state: string }[]>(
            app,
            school.adminToken,
            'GET',
            `/api/devices/${device!.id}/pin-recovery`,
          )
        )[0]?.state === 'used',
      'code reported used',
    );

    // Burnt: the code no longer opens the admin area; the new PIN does.
    await page.click('[data-testid="admin-exit"]');
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, issued.code.replace(/ /g, ''));
    await page.locator('[data-testid="pin-message"]', { hasText: 'Wrong PIN or recovery code' }).waitFor();
    await enterPin(world, '730268');
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
  });

  it('the recovery-code form with a camera problem fits a 7" panel in landscape and portrait, keypad and Change PIN on screen', async () => {
    world = await suite.world({ viewport: { width: 800, height: 480 } });
    const { page, school } = world;
    const app = world.server.app();
    // A camera that is not there: every tab carries the door-problem notice, in its longest words.
    world.kiosk.setCamera('webcam:/dev/video9');
    await world.waitForKiosk(
      (s) => s.camera.status === 'missing' || s.camera.status === 'error',
      'the missing camera',
    );
    await pollUntil(() => world!.kiosk.sync.status().lastPullAt !== null, 'first pull');
    const [device] = await call<{ id: string }[]>(app, school.adminToken, 'GET', '/api/devices');
    const issue = async () => {
      const { code } = await call<{ code: string }>(
        app,
        school.adminToken,
        'POST',
        `/api/devices/${device!.id}/pin-recovery`,
        undefined,
        [201],
      );
      await pollUntil(() => world!.kiosk.store.pinRecovery.hasLive(), 'recovery code synced to the kiosk');
      return code.replace(/ /g, '');
    };
    const check = async (
      size: { width: number; height: number },
      code: string,
      next: string,
      shot: string,
    ) => {
      await page.setViewportSize(size);
      await page.click('[data-testid="open-admin"]');
      await enterPin(world!, code);
      const panel = '[data-panel="pin"]';
      await page.waitForSelector(`${panel}[data-app-state="ready"]`);
      await page.waitForSelector('[data-testid="pin-recovery-notice"]');
      await page.waitForSelector('[data-testid="door-problem-notice"]');
      await settled(page);
      await world!.shot(shot);
      // Both notices, the rules, the fields, the keypad and Change PIN: nothing to scroll, nothing cut.
      expect((await layoutReport(page)).problems).toEqual([]);
      const keys = await page.locator(`${panel} [data-testid="keypad"]`).getByRole('button').all();
      expect(keys).toHaveLength(12);
      for (const box of await Promise.all(keys.map((b) => b.boundingBox()))) {
        expect(box!.width).toBeGreaterThanOrEqual(44);
        expect(box!.height).toBeGreaterThanOrEqual(44);
        expect(box!.y + box!.height).toBeLessThanOrEqual(size.height);
      }
      const submit = await page.locator('[data-testid="pin-change"]').boundingBox();
      expect(submit!.y + submit!.height).toBeLessThanOrEqual(size.height);
      // Typed on the keypad alone; the longest live warning fits too.
      const tap = async (keys: string) => {
        for (const k of keys)
          await page
            .locator(`${panel} [data-testid="keypad"]`)
            .getByRole('button', { name: k, exact: true })
            .click();
      };
      await tap('121212');
      await page.locator('[data-testid="pin-change-error"]', { hasText: 'repeats a short group' }).waitFor();
      await world!.shot(`${shot}-warning`);
      expect((await layoutReport(page)).problems).toEqual([]);
      await page.locator(`${panel} [data-testid="keypad"]`).getByRole('button', { name: 'Clear' }).click();
      await tap(next);
      await page.click('[data-testid="pin-confirm"]');
      await tap(next);
      await page.click('[data-testid="pin-change"]');
      await page.locator('[data-testid="pin-change-ok"]', { hasText: 'PIN changed' }).waitFor();
      await page.click('[data-testid="admin-exit"]');
      await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    };
    await check({ width: 800, height: 480 }, await issue(), '480317', '26b-pin-recovery-800x480');
    await check({ width: 480, height: 800 }, await issue(), '730268', '26c-pin-recovery-480x800');
    expect(world.kiosk.store.pin.verify('730268').unlocked).toBe(true);
  });

  it('Enrol without a camera says so kindly in place of the picture and offers no capture', async () => {
    world = await suite.world({ viewport: { width: 800, height: 480 } });
    const { page } = world;
    world.kiosk.setCamera('webcam:/dev/video9');
    await world.waitForKiosk(
      (s) => s.camera.status === 'missing' || s.camera.status === 'error',
      'the missing camera',
    );
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, ADMIN_PIN);
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    await page.click('[data-testid="tab-enrol"]');
    await page.waitForSelector('[data-panel="enrol"][data-app-state="ready"]');
    await page.selectOption('[data-testid="enrol-student"]', world.school.students.powell);
    const note = page.locator('[data-testid="enrol-camera-note"]');
    await note.waitFor();
    // In the picture's place: what is wrong and what to check, never a black box.
    expect(await page.locator('[data-panel="enrol"] [data-testid="camera-preview"]').count()).toBe(0);
    const text = (await note.textContent()) ?? '';
    expect(text).toMatch(/camera is not (available|working)/);
    expect(text).toMatch(/cable/);
    expect(text).toMatch(/camera setting/);
    expect(text).not.toMatch(/fswebcam|\/dev\/|apt-get/);
    expect(await page.isDisabled('[data-testid="enrol-start"]')).toBe(true);
    // One way to the camera setting: the note's, not also the door-problem notice's above it.
    await page.waitForSelector('[data-testid="door-problem-notice"]');
    expect(await page.getByRole('button', { name: 'Camera settings' }).count()).toBe(1);
    for (const size of [
      { width: 800, height: 480 },
      { width: 480, height: 800 },
    ]) {
      await page.setViewportSize(size);
      await settled(page);
      await world.shot(`15-enrol-no-camera-${size.width}x${size.height}`);
      expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
      const box = await note.boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(size.height);
    }
    // Even past the screen, the core refuses a capture that could only wait for frames.
    expect(
      await world.kiosk.handlers.enrolStart({ studentId: world.school.students.powell, shots: 3 }),
    ).toMatchObject({ ok: false, error: { code: 'camera_unavailable' } });
    // Turned off in the settings: said so, with the way to the camera setting.
    world.kiosk.setCamera('none');
    await note.filter({ hasText: 'camera is turned off' }).waitFor();
    await world.shot('15-enrol-camera-off-480x800');
    await note.getByRole('button', { name: 'Camera settings' }).click();
    await page.waitForSelector('[data-panel="settings"][data-app-state="ready"]');
    // A camera again: the picture comes back and the capture can start.
    world.play(hold(['empty.jpg'], 2), 1, true);
    await page.click('[data-testid="tab-enrol"]');
    await page.waitForSelector('[data-panel="enrol"] [data-testid="camera-preview"]');
    expect(await note.count()).toBe(0);
    await page.selectOption('[data-testid="enrol-student"]', world.school.students.powell);
    expect(await page.isDisabled('[data-testid="enrol-start"]')).toBe(false);
  });

  it('Sync history shows a run of the same failure as one line with how many tries and when', async () => {
    world = await suite.world({ viewport: { width: 800, height: 480 } });
    const { page } = world;
    await pollUntil(() => world!.kiosk.sync.status().lastPullAt !== null, 'first pull');
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, ADMIN_PIN);
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    // A mark waits while the server is away: every retry stores its own failed "Sending marks" line.
    await world.server.stop();
    expect(
      (
        await world.kiosk.handlers.markManual({
          studentId: world.school.students.powell,
          status: 'present',
          reason: 'seen in class',
        })
      ).ok,
    ).toBe(true);
    const failedPushes = () =>
      world!.kiosk.store.sync.history(500).filter((h) => h.kind === 'push' && !h.ok).length;
    await pollUntil(() => failedPushes() >= 4, 'several failed pushes', 30_000);
    await page.click('[data-testid="tab-sync"]');
    await page.waitForSelector('[data-panel="sync"][data-app-state="ready"]');
    const unreachable = page
      .locator('[data-testid="sync-history-line"]', { hasText: 'Sending marks' })
      .filter({ hasText: 'The server is not answering' });
    const line = unreachable.first();
    await line.waitFor();
    // One line for the whole run of failures, however many tries it took.
    expect(await unreachable.count()).toBe(1);
    // (The first try may have met the server going down, in other words: a line of its own.)
    const shownTries = Number(await line.getAttribute('data-count'));
    expect(shownTries).toBeGreaterThanOrEqual(3);
    const shownLines = await page
      .locator('[data-testid="sync-history-line"]', { hasText: 'Sending marks' })
      .count();
    expect(shownLines).toBeLessThan(failedPushes());
    expect(await line.textContent()).toMatch(/Failed ×\d+/);
    expect(await line.textContent()).toMatch(/today \d\d:\d\d(–\d\d:\d\d)?/);
    // Every try is still stored, each with its own time.
    expect(failedPushes()).toBeGreaterThanOrEqual(4);
    await line.scrollIntoViewIfNeeded();
    await world.shot('16-sync-history-repeats-800x480');
    await page.setViewportSize({ width: 480, height: 800 });
    await settled(page);
    await line.scrollIntoViewIfNeeded();
    await world.shot('16-sync-history-repeats-480x800');
    expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
    // The server back: the mark goes, and the history says so on a line of its own.
    await world.server.start();
    await world.waitForKiosk((s) => s.sync.queueDepth === 0, 'the mark delivered');
    await page
      .locator('[data-testid="sync-history-line"]', { hasText: 'Sending marks' })
      .filter({ hasText: 'OK' })
      .first()
      .waitFor();
  });

  it('flags a student enrolled under the previous face model, re-enrols them from replayed frames, uploads the templates, then recognises them', async () => {
    world = await suite.world();
    const { page } = world;
    const bushId = world.school.students.bush;
    // Bush was enrolled before the model upgrade: his only template is of the previous model,
    // which the running engine cannot compare, so the door would silently never know him.
    expect(suite.engine.modelId).not.toBe(PREVIOUS_MODEL);
    await addOldModelTemplate(world, bushId, suite.engine.embeddingSize);
    await world.waitForKiosk(
      (s) => s.templateCoverage?.needReEnrolment === 1,
      'the old-model template in the roster pull',
    );
    // Students see nothing of it at the door.
    expect(await page.locator('[data-screen="kiosk"]').textContent()).not.toMatch(/re-enrol|model/i);

    await page.click('[data-testid="open-admin"]');
    await enterPin(world, ADMIN_PIN);
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    // Every other tab says so, and leads to them.
    await page
      .locator('[data-testid="reenrol-notice"]', {
        hasText: '1 student is no longer recognised: the face model changed.',
      })
      .waitFor();
    await world.shot('11a-admin-reenrol-notice');
    await page.click('[data-testid="reenrol-show"]');
    await page.waitForSelector('[data-panel="roster"][data-app-state="ready"]');
    await page
      .locator('[data-testid="reenrol-count"]', { hasText: '1 student needs to be enrolled again' })
      .waitFor();
    const bushRow = page.locator(`[data-testid="roster-table"] tr[data-student-id="${bushId}"]`);
    await bushRow
      .locator('[data-testid="reenrol-badge"]', { hasText: 'Re-enrol: face model changed' })
      .waitFor();
    // Only him while the filter is on; Powell (enrolled under the running model) is not flagged.
    expect(await page.locator('[data-testid="roster-table"] tr[data-student-id]').count()).toBe(1);
    await world.shot('11b-admin-roster-reenrol-only');
    await page.click('[data-testid="reenrol-filter"]');
    const powellRow = page.locator(
      `[data-testid="roster-table"] tr[data-student-id="${world.school.students.powell}"]`,
    );
    await powellRow.waitFor();
    expect(await powellRow.getAttribute('data-reenrol')).toBe('no');
    expect(await bushRow.textContent()).toContain('(+1 old model)');
    await world.shot('11-admin-roster', true);
    await bushRow.getByRole('button', { name: 'Re-enrol' }).click();
    await page.waitForSelector('[data-panel="enrol"][data-app-state="ready"]');
    expect(await page.inputValue('[data-testid="enrol-student"]')).toBe(bushId);
    await page.fill('[data-panel="enrol"] input[type="number"]', '3');
    // No camera yet: nothing to capture from, so no capture is offered.
    await page.locator('[data-testid="enrol-camera-note"]', { hasText: 'camera is turned off' }).waitFor();
    expect(await page.isDisabled('[data-testid="enrol-start"]')).toBe(true);
    world.play(
      ['empty.jpg', 'empty.jpg', ...hold(['bush-01.jpg', 'bush-02.jpg', 'bush-03.jpg'], 6)],
      2,
      true,
    );
    await page.locator('[data-testid="enrol-camera-note"]').waitFor({ state: 'detached' });
    await page.click('[data-testid="enrol-start"]');
    await page.waitForSelector('[data-testid="enrol-hint"]');
    await page
      .locator('[data-testid="enrol-progress"]', { hasText: /[12] of 3 shots kept/ })
      .waitFor({ timeout: 60_000 });
    await world.shot('12-enrol-in-progress');
    await page.waitForSelector('[data-testid="enrol-done"]', { timeout: 60_000 });
    await world.shot('13-enrol-done', true);
    const roster = await world.kiosk.handlers.rosterList({ search: 'Bush' });
    expect(roster.ok && roster.value.find((r) => r.id === bushId)).toMatchObject({
      templates: 4,
      usableTemplates: 3,
      needsReEnrolment: false,
    });
    expect(world.kiosk.state().templateCoverage).toMatchObject({
      modelId: suite.engine.modelId,
      needReEnrolment: 0,
    });
    // Back on the roster: no badge, no count.
    await page.click('[data-testid="tab-roster"]');
    await page.waitForSelector('[data-panel="roster"][data-app-state="ready"]');
    await bushRow.getByRole('button', { name: 'Enrol' }).waitFor();
    expect(await page.locator('[data-testid="reenrol-badge"], [data-testid="reenrol-count"]').count()).toBe(
      0,
    );
    await world.shot('13b-admin-roster-reenrolled', true);
    // The templates go up to the server, where he now has templates of the running model.
    await world.waitForKiosk((s) => s.sync.templateQueueDepth === 0, 'the template upload');
    const templates = await world.server.app().inject({
      method: 'GET',
      url: `/api/students/${bushId}/templates`,
      headers: { authorization: `Bearer ${world.school.adminToken}` },
    });
    expect(
      (templates.json() as { modelId: string }[]).filter((t) => t.modelId === suite.engine.modelId),
    ).toHaveLength(3);
    const coverage = await world.server.app().inject({
      method: 'GET',
      url: `/api/students/template-coverage?modelId=${encodeURIComponent(suite.engine.modelId)}&classId=${world.school.classId}`,
      headers: { authorization: `Bearer ${world.school.adminToken}` },
    });
    expect(coverage.json()).toEqual({
      modelId: suite.engine.modelId,
      students: 2,
      withTemplates: 2,
      needReEnrolment: 0,
      neverEnrolled: 0,
    });

    // Back at the door, the new templates recognise him.
    await page.click('[data-testid="admin-exit"]');
    await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    world.play(
      [...hold(['empty.jpg'], 3), ...hold(['bush-01.jpg', 'bush-02.jpg', 'bush-03.jpg'], 3)],
      2,
      true,
    );
    expect(await world.waitForGreeting('present')).toContain('George Bush');
    await world.shot('14-enrolled-student-present');
  });

  it('pairs with a server using a one-time code and downloads the roster', async () => {
    world = await suite.world({ pair: false });
    const { page } = world;
    await page.locator('[data-testid="sync-badge"]', { hasText: 'Not set up' }).waitFor();
    await expect(page.textContent('[data-testid="session"]')).resolves.toContain('No class now');
    await world.shot('15-unpaired-kiosk');
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, ADMIN_PIN);
    // A kiosk being set up opens on pairing; every other tab says what is missing and leads back.
    await page.waitForSelector('[data-panel="sync"][data-app-state="ready"]');
    expect(await page.locator('[data-testid="unpaired-notice"]').count()).toBe(0);
    // Not paired yet is not a network fault: a grey "not paired", never a red "offline".
    await expect(page.textContent('[data-testid="sync-connection"]')).resolves.toBe('not paired');
    // The version this kiosk runs, for whoever troubleshoots it (the number Electron reports too).
    await expect(page.textContent('[data-testid="app-version"]')).resolves.toBe(
      (
        JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version,
    );
    await page.click('[data-testid="tab-today"]');
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    await page
      .locator('[data-testid="unpaired-notice"]', { hasText: 'not paired with a server yet' })
      .waitFor();
    await world.shot('15b-unpaired-admin-notice');
    await page.getByRole('button', { name: 'Pair this kiosk' }).click();
    await page.waitForSelector('[data-panel="sync"][data-app-state="ready"]');
    // Each field says what it is on screen, filled in or not (the name starts filled in).
    for (const label of ['Server address', 'Pairing code', 'Kiosk name']) {
      await expect(page.getByText(label, { exact: true }).isVisible()).resolves.toBe(true);
    }
    await expect(page.getByLabel('Kiosk name').inputValue()).resolves.not.toBe('');
    // A wrong code is refused with a clear message and changes nothing.
    await page.fill('[data-testid="pair-url"]', world.server.url);
    await page.fill('[data-testid="pair-code"]', 'WRONG-CODE');
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="sync-error"]');
    expect(await page.textContent('[data-testid="sync-paired"]')).toBe('no');
    // In words an IT admin acts on; the server's code only in the small support line.
    const refused = page.locator('[data-testid="sync-error"] .error');
    await expect(refused.textContent()).resolves.toMatch(/did not accept this pairing code.*Kiosks page/);
    await expect(refused.textContent()).resolves.not.toContain('bad_pairing_code');
    await expect(page.textContent('[data-testid="sync-error-detail"]')).resolves.toContain(
      'bad_pairing_code',
    );
    await world.shot('16-pairing-wrong-code', true);

    // The console's pairing QR code held up to the kiosk's camera fills in the server and the code.
    const qrFolder = join(world.dir, 'pairing-qr');
    mkdirSync(qrFolder, { recursive: true });
    const qr = await sharp(
      Buffer.from(qrSvgDocument(pairingQrText(world.server.url, world.school.pairingCode), 260)),
    )
      .png()
      .toBuffer();
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#8a8f96' } })
      .composite([{ input: qr, left: 190, top: 110 }])
      .jpeg({ quality: 75 })
      .toFile(join(qrFolder, '0000.jpg'));
    await page.fill('[data-testid="pair-url"]', '');
    await page.fill('[data-testid="pair-code"]', '');
    world.kiosk.setCamera(`replay:${qrFolder}?fps=2&loop=1`);
    await page.click('[data-testid="pair-qr-scan"]');
    await page.waitForSelector('[data-testid="pair-qr-scanner"]');
    await page
      .locator('[data-testid="sync-note"]', { hasText: 'Read from the QR code' })
      .waitFor({ timeout: 60_000 });
    expect(await page.inputValue('[data-testid="pair-url"]')).toBe(world.server.url);
    expect(await page.inputValue('[data-testid="pair-code"]')).toBe(world.school.pairingCode);
    await world.shot('16b-pairing-qr-read', true);
    world.stopCamera();
    await page.click('[data-testid="pair-submit"]');
    await page.locator('[data-testid="sync-note"]', { hasText: 'Paired' }).waitFor();
    await page.locator('[data-testid="sync-paired"]', { hasText: 'yes' }).waitFor();
    await world.waitForKiosk((s) => s.session !== null, 'the roster after pairing');
    await page.click('[data-testid="sync-now"]');
    await page.locator('[data-testid="sync-history"] td', { hasText: 'ok' }).first().waitFor();
    // Kiosk and server share this machine's clock: no warning.
    expect(await page.textContent('[data-testid="sync-clock"]')).toBe("agrees with the server's");
    expect(await page.locator('[data-testid="sync-clock-notice"]').count()).toBe(0);
    await world.shot('17-paired-sync-panel', true);

    // Renamed in the console: the Sync tab follows at the next sync, not only after pairing again.
    await page.locator('[data-testid="sync-kiosk"]', { hasText: 'Room 101, UTC' }).waitFor();
    await call(
      world.server.app(),
      world.school.adminToken,
      'PATCH',
      `/api/devices/${world.school.deviceId}`,
      {
        name: 'Library door, ground floor',
      },
    );
    await page.click('[data-testid="sync-now"]');
    await page
      .locator('[data-testid="sync-kiosk"]', { hasText: '“Library door, ground floor”, Room 101, UTC' })
      .waitFor();
    await page
      .locator('[data-testid="sync-history-line"]', { hasText: 'renamed on the server' })
      .first()
      .waitFor();
    await page.setViewportSize({ width: 800, height: 480 });
    await settled(page);
    await page.locator('[data-testid="sync-kiosk"]').scrollIntoViewIfNeeded();
    await world.shot('17a-renamed-on-server-800x480');
    await page.setViewportSize({ width: 480, height: 800 });
    await settled(page);
    await page.locator('[data-testid="sync-kiosk"]').scrollIntoViewIfNeeded();
    await world.shot('17a-renamed-on-server-480x800');
    expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 720 });
    await settled(page);

    // Moved to another school's server while the old one is down: a mark still waiting for the
    // old server stops the pairing before the new one is asked, until the admin discards it.
    const other = await startServer({
      dbFile: join(world.dir, 'other-server.db'),
      engine: borrowed(suite.engine),
    });
    try {
      const otherSchool = await seedSchool(other);
      await world.server.stop();
      const manual = await world.kiosk.handlers.markManual({
        studentId: world.school.students.bush,
        status: 'late',
      });
      expect(manual.ok).toBe(true);
      await page.fill('[data-testid="pair-url"]', other.url);
      await page.fill('[data-testid="pair-code"]', otherSchool.pairingCode);
      await page.click('[data-testid="pair-submit"]');
      await page
        .locator('[data-testid="pair-unsent"]', {
          hasText: `1 attendance record has not reached ${world.server.url}`,
        })
        .waitFor();
      expect(world.kiosk.store.sync.get('serverUrl')).toBe(world.server.url);
      await world.shot('17b-pair-again-unsent', true);
      // One record: the button speaks of it, and confirms exactly that count.
      await page.locator('[data-testid="pair-discard-unsent"]', { hasText: 'Discard it and pair' }).click();
      await page.locator('[data-testid="sync-note"]', { hasText: 'Paired' }).waitFor();
      await world.waitForKiosk(
        (s) => s.sync.serverUrl === other.url && s.sync.lastPullAt !== null && s.session !== null,
        "the other server's roster",
      );
      // The old school's students and their mark are gone; the other school's are here.
      const ids = world.kiosk.store.roster.listStudents('').map((r) => r.id);
      expect(ids).toEqual(expect.arrayContaining(Object.values(otherSchool.students)));
      expect(ids).not.toContain(world.school.students.bush);
      expect(world.kiosk.state().sync.queueDepth).toBe(0);
      expect(await other.database.db.selectFrom('attendance_events').select('id').execute()).toEqual([]);
    } finally {
      await other.close();
    }
    await page.click('[data-testid="admin-exit"]');
    await page.locator('[data-testid="session"]', { hasText: 'Maths 9A' }).waitFor();
    await world.shot('18-paired-kiosk-in-session');
  });
});
