// The admin side: PIN (wrong, right, lockout), the factory-PIN prompt and changing the PIN,
// quitting (confirm), enrolment from replayed frames, pairing.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PIN } from '../src/core/index';
import type { FaceEngine } from '../src/ml/types';
import { launchChromium } from './harness/browser';
import { loadEngine } from './harness/engine';
import { ADMIN_PIN, createWorld, hold, type World } from './harness/world';

let engine: FaceEngine;
let browser: Browser;
let world: World | null = null;

beforeAll(async () => {
  [engine, browser] = await Promise.all([loadEngine(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await engine?.dispose();
});
afterEach(async () => {
  await world?.close();
  world = null;
});

async function enterPin(w: World, pin: string) {
  await w.page.fill('[data-testid="pin-input"]', pin);
  await w.page.click('[data-testid="pin-submit"]');
}

describe('admin', () => {
  it('refuses a wrong PIN, opens on the right one, and locks out after repeated mistakes', async () => {
    world = await createWorld({ engine, browser });
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
    expect(world.kiosk.internals.store.settings.get().cooldownSeconds).toBe(45);
    await page.click('[data-testid="admin-exit"]');
    await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    // Leaving the admin area locked the core's admin session too.
    expect(await world.kiosk.handlers.logToday(undefined)).toMatchObject({ ok: false, error: { code: 'locked' } });

    await page.click('[data-testid="open-admin"]');
    for (let i = 0; i < 5; i++) {
      await page.waitForSelector('[data-testid="pin-submit"]');
      await enterPin(world, '9999');
      if (i < 4) await page.locator('[data-testid="pin-message"]', { hasText: 'Wrong PIN' }).waitFor();
    }
    await page.locator('[data-testid="pin-message"]', { hasText: 'Too many wrong PINs' }).waitFor();
    expect(await page.isDisabled('[data-testid="pin-input"]')).toBe(true);
    await world.shot('10-pin-lockout');
    // The core enforces it: even the right PIN is refused while locked.
    const r = await world.kiosk.handlers.adminUnlock({ pin: ADMIN_PIN });
    expect(r.ok && r.value.unlocked).toBe(false);
    expect(r.ok && r.value.lockedUntil).toBeTruthy();
  });

  it('prompts for a PIN while the factory one is set, changes it, and asks before quitting', async () => {
    world = await createWorld({ engine, browser, pair: false, adminPin: null });
    const { page } = world;
    // The door works as usual on the factory PIN: no prompt out there.
    expect(await page.locator('[data-testid="factory-pin-notice"]').count()).toBe(0);
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, DEFAULT_ADMIN_PIN);
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    await page.locator('[data-testid="factory-pin-notice"]', { hasText: 'factory PIN' }).waitFor();
    await world.shot('20-admin-factory-pin-notice');

    await page.click('[data-testid="factory-pin-set"]');
    await page.waitForSelector('[data-panel="pin"][data-app-state="ready"]');
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
    expect(world.kiosk.internals.store.pin.isFactoryDefault()).toBe(true);

    await fill(DEFAULT_ADMIN_PIN, '480317', '480317');
    await page.locator('[data-testid="pin-change-ok"]', { hasText: 'PIN changed' }).waitFor();
    expect(world.kiosk.internals.store.pin.isFactoryDefault()).toBe(false);
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
    expect(await world.kiosk.handlers.logToday(undefined)).toMatchObject({ ok: false, error: { code: 'locked' } });

    // Back at the door (a fresh page): the old PIN no longer opens the admin area, the new one does, with no prompt.
    await page.goto(world.bridge.url);
    await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, DEFAULT_ADMIN_PIN);
    await page.locator('[data-testid="pin-message"]', { hasText: 'Wrong PIN' }).waitFor();
    await enterPin(world, '480317');
    await page.waitForSelector('[data-panel="today"][data-app-state="ready"]');
    expect(await page.locator('[data-testid="factory-pin-notice"]').count()).toBe(0);
  });

  it('enrols a student from replayed frames, uploads the templates, then recognises them', async () => {
    world = await createWorld({ engine, browser });
    const { page } = world;
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, ADMIN_PIN);
    await page.click('[data-testid="tab-roster"]');
    await page.waitForSelector('[data-panel="roster"][data-app-state="ready"]');
    await page.locator('[data-testid="roster-table"] tr', { hasText: 'George Bush' }).waitFor();
    await world.shot('11-admin-roster', true);
    await page.locator('[data-testid="roster-table"] tr', { hasText: 'George Bush' }).getByRole('button', { name: 'Enrol' }).click();
    await page.waitForSelector('[data-panel="enrol"][data-app-state="ready"]');
    await page.fill('[data-panel="enrol"] input[type="number"]', '3');
    await page.click('[data-testid="enrol-start"]');
    await page.waitForSelector('[data-testid="enrol-hint"]');
    world.play(['empty.jpg', 'empty.jpg', ...hold(['bush-01.jpg', 'bush-02.jpg', 'bush-03.jpg'], 6)], 2, true);
    await page.locator('[data-testid="enrol-progress"]', { hasText: /[12] of 3 shots kept/ }).waitFor({ timeout: 60_000 });
    await world.shot('12-enrol-in-progress');
    await page.waitForSelector('[data-testid="enrol-done"]', { timeout: 60_000 });
    await world.shot('13-enrol-done', true);
    const bushId = world.school.students.bush;
    const roster = await world.kiosk.handlers.rosterList({ search: 'Bush' });
    expect(roster.ok && roster.value.find((r) => r.id === bushId)?.templates).toBe(3);
    // The templates go up to the server.
    await world.waitForKiosk((s) => s.sync.templateQueueDepth === 0, 'the template upload');
    const templates = await world.server.app().inject({ method: 'GET', url: `/api/students/${bushId}/templates`, headers: { authorization: `Bearer ${world.school.adminToken}` } });
    expect((templates.json() as unknown[]).length).toBe(3);

    // Back at the door, the new templates recognise him.
    await page.click('[data-testid="admin-exit"]');
    await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    world.play([...hold(['empty.jpg'], 3), ...hold(['bush-01.jpg', 'bush-02.jpg', 'bush-03.jpg'], 3)], 2, true);
    expect(await world.waitForGreeting('present')).toContain('George Bush');
    await world.shot('14-enrolled-student-present');
  });

  it('pairs with a server using a one-time code and downloads the roster', async () => {
    world = await createWorld({ engine, browser, pair: false });
    const { page } = world;
    await page.locator('[data-testid="sync-badge"]', { hasText: 'Not paired' }).waitFor();
    await expect(page.textContent('[data-testid="session"]')).resolves.toContain('No class now');
    await world.shot('15-unpaired-kiosk');
    await page.click('[data-testid="open-admin"]');
    await enterPin(world, ADMIN_PIN);
    await page.click('[data-testid="tab-sync"]');
    await page.waitForSelector('[data-panel="sync"][data-app-state="ready"]');
    // A wrong code is refused with a clear message and changes nothing.
    await page.fill('[data-testid="pair-url"]', world.server.url);
    await page.fill('[data-testid="pair-code"]', 'WRONG-CODE');
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="sync-error"]');
    expect(await page.textContent('[data-testid="sync-paired"]')).toBe('no');
    await world.shot('16-pairing-wrong-code', true);

    await page.fill('[data-testid="pair-code"]', world.school.pairingCode);
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="sync-note"]');
    await page.locator('[data-testid="sync-paired"]', { hasText: 'yes' }).waitFor();
    await world.waitForKiosk((s) => s.session !== null, 'the roster after pairing');
    await page.click('[data-testid="sync-now"]');
    await page.locator('[data-testid="sync-history"] td', { hasText: 'ok' }).first().waitFor();
    await world.shot('17-paired-sync-panel', true);
    await page.click('[data-testid="admin-exit"]');
    await page.locator('[data-testid="session"]', { hasText: 'Maths 9A' }).waitFor();
    await world.shot('18-paired-kiosk-in-session');
  });
});
