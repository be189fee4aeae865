// The staff console's kiosk watch and calendar tools, end to end in Chromium against a real
// server (fake face engine: no face is analysed here): a kiosk silent in school hours is flagged
// once the admin's threshold is passed, the admins get one email and the audit one row; each
// kiosk's face model is listed; every page is checked with axe-core and photographed at desktop
// and phone width (e2e/screenshots/console-*.png). Also: a refused password change keeps what was
// typed, and the main pages read on a 7" screen either way up (the kiosk UI's layout check).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, fakeFaceEngine, login, pairKiosk } from '../server/test/app.js';
import type { MailMessage, Mailer } from '../server/src/notifications/mailer.js';
import { longDate } from '../server/console/src/format.js';
import { wallClockAt } from '../src/contracts/site-time.js';
import { layoutReport, settled, SIZES } from './harness/audit.js';
import { launchChromium } from './harness/browser.js';
import {
  checkedPages,
  consoleShot,
  errorShownOnce,
  expectAccessible,
  signInConsole,
} from './harness/console.js';
import { startServer, type RunningServer } from './harness/server.js';

const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  // eslint-disable-next-line no-console -- the e2e's own summary of the accessibility pass
  console.log(
    `axe-core (console admin tools): ${checkedPages.length} page states checked, serious/critical violations: ${checkedPages.reduce((n, p) => n + p.serious, 0)}`,
  );
});

/**
 * Nothing on the page cut, off screen or overlapping (layoutReport; the page may scroll down).
 * A table that scrolls sideways inside its card counts as cut: what is past its edge is unseen.
 */
async function expectLaidOut(page: Page, name: string): Promise<void> {
  await settled(page);
  const { problems } = await layoutReport(page, { scrollY: true });
  expect(problems, name).toEqual([]);
}

/** Screenshot at desktop width, then the same page at phone width (checked with axe and layout too). */
async function bothWidths(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await expectLaidOut(page, name);
  await consoleShot(page, name);
  await page.setViewportSize(PHONE);
  await expectAccessible(page, `${name}-phone`);
  await expectLaidOut(page, `${name}-phone`);
  await consoleShot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

describe('staff console: kiosk watch and calendar tools', () => {
  it('flags a kiosk silent in school hours, emails the admins once and lists each face model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-admin-e2e-'));
    const sent: MailMessage[] = [];
    const mailer: Mailer = {
      send: async (m) => {
        sent.push(m);
      },
      close: () => undefined,
    };
    let server: RunningServer | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine(), mailer });
      const app = server.app();
      const admin = await createUser(server.database, 'admin');
      const teacher = await createUser(server.database, 'teacher');
      const adminToken = await login(app, admin.email, admin.password);
      const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
        name: 'Room 101',
        siteId: 'default',
      });
      const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
        name: 'Maths 9A',
        siteId: 'default',
        teacherId: teacher.id,
      });
      // A class in session now (the default site is UTC): today is a school day with school hours.
      const now = new Date();
      const today = now.toISOString().slice(0, 10);
      const start = new Date(Math.max(now.getTime() - 60 * 60_000, Date.parse(`${today}T00:00:00Z`)));
      const end = new Date(Math.min(now.getTime() + 80 * 60_000, Date.parse(`${today}T23:59:00Z`)));
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
        roomId: room.id,
        date: today,
        startTime: hhmm(start),
        endTime: hhmm(end),
        graceMinutes: 10,
      });
      // Two paired kiosks: one calls in now, the other was last heard from 40 minutes ago.
      const talking = await pairKiosk(app, adminToken, room.id, 'Door of 101');
      const quiet = await pairKiosk(app, adminToken, room.id, 'Back door of 101');
      const fortyMinutesAgo = new Date(now.getTime() - 40 * 60_000).toISOString();
      await server.database.db
        .updateTable('devices')
        .set({ last_seen_at: fortyMinutesAgo })
        .where('id', '=', quiet.deviceId)
        .execute();
      // The talking kiosk reports its face model, its clock (17 minutes fast) and its camera (not
      // found) with its roster pull, as kiosks do.
      const noCamera = encodeURIComponent('No camera was found (NotFoundError: Requested device not found).');
      await call(
        app,
        talking.token,
        'GET',
        `/api/sync/roster?since=0&model=faceres-aligned%2Bmobileface%2Fv1&clock=${17 * 60_000}&camera=missing&cameraDetail=${noCamera}`,
      );

      const ctx = await browser.newContext({ viewport: DESKTOP });
      contexts.push(ctx);
      const a = await ctx.newPage();
      await signInConsole(a, server.url, admin.email, admin.password);
      await a.goto(`${server.url}/#/kiosks`);
      await a.waitForSelector('[data-testid="silent-threshold-form"]');

      // The threshold is checked with the server's schema beside its field…
      await a.fill('[data-testid="silent-minutes"]', '2');
      await a.click('[data-testid="silent-save"]');
      await a
        .locator('[data-testid="silent-threshold-form"] [data-testid="field-error"]', { hasText: '5' })
        .waitFor();
      await expectAccessible(a, 'kiosks-silent-threshold-error');
      await consoleShot(a, 'kiosks-silent-threshold-error');
      // …a long threshold flags nobody…
      await a.fill('[data-testid="silent-minutes"]', '600');
      await a.click('[data-testid="silent-save"]');
      await a.locator('[data-testid="silent-threshold-form"]', { hasText: 'Saved.' }).waitFor();
      // The kiosk list reloads after "Saved." appears: until it has, the flag the default
      // threshold (30 min) raised is still on screen. Wait for it to go, then count.
      await a.locator('[data-testid="silent-flag"]').first().waitFor({ state: 'detached' });
      expect(await a.locator('[data-testid="silent-flag"]').count()).toBe(0);
      // …and 5 minutes flags the kiosk silent for more than that in today's school hours.
      await a.fill('[data-testid="silent-minutes"]', '5');
      await a.click('[data-testid="silent-save"]');
      await a.waitForSelector('[data-testid="silent-notice"]');
      const flagged = a.locator('[data-testid="kiosk-row"]', {
        has: a.locator('[data-testid="silent-flag"]'),
      });
      expect(await flagged.count()).toBe(1);
      expect(await flagged.locator('th').textContent()).toBe('Back door of 101');
      // Each kiosk's face model as it reported it; the one that never did says so.
      expect(
        await a
          .locator('[data-testid="kiosk-row"]', { hasText: 'Door of 101' })
          .first()
          .locator('[data-testid="kiosk-model"]')
          .textContent(),
      ).toBe('faceres-aligned+mobileface/v1');
      expect(await flagged.locator('[data-testid="kiosk-model"]').textContent()).toBe('not reported');
      // The kiosk whose clock is off is named above the table and flagged in its row.
      expect(await a.textContent('[data-testid="clock-notice"]')).toContain('Door of 101: 17 minutes fast');
      expect(await a.locator('[data-testid="clock-flag"]').allTextContents()).toEqual([
        'Clock 17 minutes fast',
      ]);
      // The kiosk whose camera is not working too, with the kiosk's own words.
      expect(await a.textContent('[data-testid="camera-notice"]')).toMatch(
        /Door of 101 \(last sync .*\): No camera was found \(NotFoundError/,
      );
      expect(await a.locator('[data-testid="camera-flag"]').count()).toBe(1);
      await bothWidths(a, 'kiosks-silent');
      // Template freshness is off until an admin turns it on, and stays on once saved.
      const doorOn = a.locator('[data-testid="door-templates-on"]');
      expect(await doorOn.isChecked()).toBe(false);
      await doorOn.check();
      await a.click('[data-testid="door-templates-save"]');
      await a.locator('[data-testid="door-templates-form"]', { hasText: 'Saved.' }).waitFor();
      await a.reload();
      await a.waitForSelector('[data-testid="door-templates-form"]');
      expect(await a.locator('[data-testid="door-templates-on"]').isChecked()).toBe(true);
      await expectAccessible(a, 'kiosks-door-templates');
      // At phone width the table is one card per kiosk, each value labelled with its column.
      await a.setViewportSize(PHONE);
      const labels = await a.$$eval('[data-testid="kiosk-row"]:first-child td', (tds) =>
        tds.map(
          (td) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }
            ).getComputedStyle(td, '::before').content,
        ),
      );
      expect(labels.slice(0, 3)).toEqual(['"Room"', '"State"', '"Version"']);
      expect(labels).toContain('"Face model"');
      await a.setViewportSize(DESKTOP);

      // A PIN recovery code's expiry is shown in the kiosk's site zone (here UTC+05:30), not in UTC.
      await call(app, adminToken, 'PATCH', '/api/sites/default', { timezone: 'Asia/Kolkata' });
      await a.reload();
      await a.click('[aria-label="PIN recovery for Door of 101"]');
      await a.waitForSelector('[data-testid="recovery-panel"]');
      const [issued] = await call<{ expiresAt: string }[]>(
        app,
        adminToken,
        'GET',
        `/api/devices/${talking.deviceId}/pin-recovery`,
      );
      // On the site's calendar and 24-hour clock, in the console's one format ("Tue 8 Dec 2026, 18:34").
      const kolkata = wallClockAt(new Date(issued?.expiresAt ?? ''), 'Asia/Kolkata');
      const inKolkata = `${longDate(kolkata.date)}, ${kolkata.time}`;
      expect(await a.textContent('[data-testid="recovery-panel"]')).toContain(`Valid until ${inKolkata}`);
      await expectAccessible(a, 'kiosks-recovery-code');
      await consoleShot(a, 'kiosks-recovery-code');
      await call(app, adminToken, 'PATCH', '/api/sites/default', { timezone: 'UTC' });

      // The server's checker emails the admins once per silence and audits it.
      expect(await app.silentKiosks.check()).toMatchObject({ silent: 1, alerted: 1, emailed: 1 });
      expect(await app.silentKiosks.check()).toMatchObject({ silent: 1, alerted: 0, emailed: 0 });
      expect(sent).toHaveLength(1);
      expect(sent[0]?.to).toEqual([admin.email]);
      expect(sent[0]?.subject).toMatch(/^Kiosk silent: Back door of 101 \(Room 101\)/);
      await a.goto(`${server.url}/#/audit?action=device.silent`);
      await a.waitForSelector('[data-testid="audit-table"] tbody tr');
      expect(await a.locator('[data-testid="audit-table"] tbody tr').count()).toBe(1);
      await expectAccessible(a, 'audit-silent-kiosk');
      await consoleShot(a, 'audit-silent-kiosk');

      // The admin names a kiosk; pairing it again with the name typed on the kiosk keeps the admin's.
      await a.goto(`${server.url}/#/kiosks`);
      await a.click('[aria-label="Rename Door of 101"]');
      await a.waitForSelector('[data-testid="kiosk-rename-form"]');
      expect(await a.textContent('[data-testid="kiosk-rename-form"]')).toContain('typed on the kiosk');
      await a.fill('[data-testid="kiosk-rename-name"]', ' ');
      await a.click('[data-testid="kiosk-rename-save"]');
      await errorShownOnce(a, '[data-testid="kiosk-rename-form"]', 'Required.');
      await a.fill('[data-testid="kiosk-rename-name"]', 'Main entrance');
      await bothWidths(a, 'kiosks-rename');
      await a.click('[data-testid="kiosk-rename-save"]');
      await a.locator('[data-testid="kiosk-row"] th', { hasText: 'Main entrance' }).waitFor();
      const { pairingCode } = await call<{ pairingCode: string }>(
        app,
        adminToken,
        'POST',
        `/api/devices/${talking.deviceId}/pairing-code`,
      );
      await call(app, null, 'POST', '/api/devices/pair', { code: pairingCode, name: 'Door of 101' });
      await a.reload();
      await a.waitForSelector('[data-testid="kiosks-table"]');
      expect(await a.locator('[data-testid="kiosk-row"] th').allTextContents()).toEqual([
        'Main entrance',
        'Back door of 101',
      ]);
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, n: number) =>
  isoDate(new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000));

describe('staff console: the calendar from the console', () => {
  it('cancels and moves one session, versions a schedule, sets arrival windows and edits a site', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-calendar-e2e-'));
    let server: RunningServer | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
      const app = server.app();
      const admin = await createUser(server.database, 'admin');
      const teacher = await createUser(server.database, 'teacher');
      const adminToken = await login(app, admin.email, admin.password);
      const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
        name: 'Room 101',
        siteId: 'default',
      });
      await call(app, adminToken, 'POST', '/api/rooms', { name: 'Lab 2', siteId: 'default' });
      const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
        name: 'Maths 9A',
        siteId: 'default',
        teacherId: teacher.id,
      });
      // Every week on today's weekday, 23:00–23:45 (the default site is UTC): today's session
      // has not started unless the test runs in the last hour of the UTC day.
      const today = isoDate(new Date());
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
        roomId: room.id,
        weekday: new Date(`${today}T12:00:00Z`).getUTCDay(),
        startTime: '23:00',
        endTime: '23:45',
        graceMinutes: 5,
      });
      const tomorrow = addDays(today, 1);
      await call(app, adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Inset day',
        startDate: tomorrow,
        endDate: tomorrow,
      });
      const daySessions = async (date: string) =>
        (
          await call<{
            sessions: { cancelled: boolean; moved: boolean; note: string | null; startTime: string }[];
          }>(app, adminToken, 'GET', `/api/sessions?date=${date}`)
        ).sessions;

      const ctx = await browser.newContext({ viewport: DESKTOP });
      contexts.push(ctx);
      const a = await ctx.newPage();
      await signInConsole(a, server.url, admin.email, admin.password);
      await a.waitForSelector('[data-testid="session-card"]');

      // ---- cancel today's lesson from its card, then undo
      await a.click('[data-testid="session-cancel"]');
      await a.waitForSelector('[data-testid="session-change-form"]');
      await a.fill('[data-testid="change-reason"]', 'School trip');
      await expectAccessible(a, 'session-cancel-form');
      await consoleShot(a, 'session-cancel-form');
      await a.click('[data-testid="change-save"]');
      await a.locator('[data-testid="session-changed"]', { hasText: 'Cancelled: School trip' }).waitFor();
      expect(await daySessions(today)).toMatchObject([{ cancelled: true, note: 'School trip' }]);
      await bothWidths(a, 'today-cancelled');
      await a.click('[data-testid="session-undo"]');
      await a.waitForSelector('[data-testid="session-cancel"]');
      expect(await daySessions(today)).toMatchObject([{ cancelled: false, moved: false }]);

      // ---- move it: onto the inset day the server refuses beside the date; the day after works
      await a.click('[data-testid="session-move"]');
      await a.fill('[data-testid="move-date"]', tomorrow);
      await a.click('[data-testid="change-save"]');
      await a
        .locator('[data-testid="session-change-form"] [data-testid="field-error"]', { hasText: 'day off' })
        .waitFor();
      await errorShownOnce(a, '[data-testid="session-change-form"]', 'day off');
      await expectAccessible(a, 'session-move-error');
      await consoleShot(a, 'session-move-error');
      const dayAfter = addDays(today, 2);
      await a.fill('[data-testid="move-date"]', dayAfter);
      await a.fill('[data-testid="move-start"]', '10:00');
      await a.fill('[data-testid="move-end"]', '10:45');
      await a.selectOption('[data-testid="move-room"]', { label: 'Lab 2' });
      await a.fill('[data-testid="change-reason"]', 'Exams in Room 101');
      await a.click('[data-testid="change-save"]');
      await a.waitForSelector('[data-page="today"] [data-state="empty"]');
      expect(await daySessions(today)).toEqual([]);
      await a.fill('[data-testid="day-picker"]', dayAfter);
      await a.locator('[data-testid="session-changed"]', { hasText: 'Moved: Exams in Room 101' }).waitFor();
      expect(await a.textContent('[data-testid="session-card"]')).toContain('10:00–10:45');
      expect(await daySessions(dayAfter)).toMatchObject([{ moved: true, startTime: '10:00' }]);
      await bothWidths(a, 'today-moved');

      // ---- the timetable: a new version from next week; a date in the past is refused beside it
      await a.goto(`${server.url}/#/classes/${cls.id}`);
      await a.waitForSelector('[data-testid="schedules-table"]');
      await a.click('[data-testid="schedule-edit"]');
      await a.waitForSelector('[data-testid="schedule-edit-form"]');
      await a.fill('[data-testid="schedule-edit-from"]', addDays(today, -7));
      await a.fill('[data-testid="schedule-edit-start"]', '22:00');
      await a.click('[data-testid="schedule-edit-save"]');
      await a
        .locator('[data-testid="schedule-edit-form"] [data-testid="field-error"]', {
          hasText: 'already held',
        })
        .waitFor();
      await errorShownOnce(a, '[data-testid="schedule-edit-form"]', 'already held');
      await expectAccessible(a, 'class-schedule-edit-error');
      await consoleShot(a, 'class-schedule-edit-error');
      const nextWeek = addDays(today, 7);
      await a.fill('[data-testid="schedule-edit-from"]', nextWeek);
      await a.click('[data-testid="schedule-edit-save"]');
      await a.locator('[data-testid="schedules-table"] ol.versions li').nth(1).waitFor();
      expect(await a.locator('[data-testid="schedules-table"] ol.versions li').count()).toBe(2);
      const [schedule] = await call<
        { startTime: string; versions: { validFrom: string | null; startTime: string }[] }[]
      >(app, adminToken, 'GET', `/api/classes/${cls.id}/schedules`);
      expect(schedule?.versions?.map((v) => [v.validFrom, v.startTime])).toEqual([
        [null, '23:00'],
        [nextWeek, '22:00'],
      ]);

      // ---- the class's arrival window: checked with the server's schema, then saved
      await a.fill('[data-testid="class-arrival"]', '500');
      await a.click('[data-testid="class-save"]');
      await a.locator('[data-testid="field-error"]', { hasText: '120' }).waitFor();
      await a.fill('[data-testid="class-arrival"]', '15');
      await a.click('[data-testid="class-save"]');
      await a.locator('text=Saved.').waitFor();
      expect(
        await call<{ arrivalMinutes: number | null }>(app, adminToken, 'GET', `/api/classes/${cls.id}`),
      ).toMatchObject({
        arrivalMinutes: 15,
      });
      await bothWidths(a, 'class-schedule-versions');

      // ---- the site: an unknown zone is refused beside its field; then renamed and moved to London
      await a.goto(`${server.url}/#/places`);
      await a.click('[data-testid="site-edit"]');
      await a.fill('[data-testid="site-edit-tz"]', 'Mars/Olympus');
      await a.click('[data-testid="site-edit-save"]');
      await a
        .locator('[data-testid="site-edit-form"] [data-testid="field-error"]', { hasText: 'Mars/Olympus' })
        .waitFor();
      await errorShownOnce(a, '[data-testid="site-edit-form"]', 'Mars/Olympus');
      await expectAccessible(a, 'site-edit-error');
      await consoleShot(a, 'site-edit-error');
      await a.fill('[data-testid="site-edit-name"]', 'Main campus');
      await a.fill('[data-testid="site-edit-tz"]', 'Europe/London');
      await a.fill('[data-testid="site-edit-arrival"]', '12');
      await a.click('[data-testid="site-edit-save"]');
      await a.locator('[data-testid="sites-table"]', { hasText: 'Europe/London' }).waitFor();
      expect(
        await call<{ name: string; timezone: string; arrivalMinutes: number }[]>(
          app,
          adminToken,
          'GET',
          '/api/sites',
        ),
      ).toEqual([{ id: 'default', name: 'Main campus', timezone: 'Europe/London', arrivalMinutes: 12 }]);
      await bothWidths(a, 'places-edited');
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A room and a class with one weekly lesson in it (5 minutes' grace), set up through the API. */
async function classWithLesson(
  app: ReturnType<RunningServer['app']>,
  adminToken: string,
  roomName: string,
  className: string,
  lesson: { weekday: number; startTime: string; endTime: string },
): Promise<{ id: string }> {
  const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
    name: roomName,
    siteId: 'default',
  });
  const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
    name: className,
    siteId: 'default',
  });
  await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
    roomId: room.id,
    ...lesson,
    graceMinutes: 5,
  });
  return cls;
}

describe('staff console: archiving a class', () => {
  it('archives a class after a confirm, hides it unless asked, keeps its history and unarchives it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-archive-e2e-'));
    let server: RunningServer | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
      const app = server.app();
      const admin = await createUser(server.database, 'admin');
      const adminToken = await login(app, admin.email, admin.password);
      const cls = await classWithLesson(app, adminToken, 'Room 101', 'History 8B', {
        weekday: 1,
        startTime: '09:00',
        endTime: '09:45',
      });
      await call(app, adminToken, 'POST', '/api/classes', { name: 'Art 7C', siteId: 'default' });

      const ctx = await browser.newContext({ viewport: DESKTOP });
      contexts.push(ctx);
      const a = await ctx.newPage();
      await signInConsole(a, server.url, admin.email, admin.password);
      await a.goto(`${server.url}/#/classes/${cls.id}`);
      await a.waitForSelector('[data-testid="schedules-table"]');

      // ---- Archive asks first; cancelling changes nothing
      await a.click('[data-testid="class-archive"]');
      await a.waitForSelector('[data-testid="confirm-dialog"]');
      await expectAccessible(a, 'class-archive-confirm');
      await consoleShot(a, 'class-archive-confirm');
      await a.click('[data-testid="confirm-dialog"] >> text=Cancel');
      expect(
        (await call<{ archivedAt: string | null }>(app, adminToken, 'GET', `/api/classes/${cls.id}`))
          .archivedAt,
      ).toBeNull();
      await a.click('[data-testid="class-archive"]');
      await a.click('[data-testid="confirm-yes"]');
      await a.waitForSelector('[data-testid="class-archived"]');
      expect(
        (await call<{ archivedAt: string | null }>(app, adminToken, 'GET', `/api/classes/${cls.id}`))
          .archivedAt,
      ).not.toBeNull();
      await bothWidths(a, 'class-archived');

      // ---- the list hides it until "Show archived classes"; then it carries the badge
      await a.goto(`${server.url}/#/classes`);
      await a.locator('[data-testid="classes-table"]', { hasText: 'Art 7C' }).waitFor();
      expect(await a.textContent('[data-testid="classes-table"]')).not.toContain('History 8B');
      await a.check('[data-testid="classes-show-archived"]');
      await a.locator('[data-testid="classes-table"]', { hasText: 'History 8B' }).waitFor();
      expect(await a.locator('[data-testid="class-archived-badge"]').count()).toBe(1);
      await bothWidths(a, 'classes-show-archived');

      // ---- its history still opens
      await a.goto(`${server.url}/#/classes/${cls.id}/history`);
      await a.waitForSelector('[data-page="history"]');
      await a.locator('h1', { hasText: 'History of History 8B' }).waitFor();

      // ---- Unarchive brings it back, schedule included
      await a.goto(`${server.url}/#/classes/${cls.id}`);
      await a.click('[data-testid="class-unarchive"]');
      await a.waitForSelector('[data-testid="schedules-table"]');
      expect(
        (await call<{ archivedAt: string | null }>(app, adminToken, 'GET', `/api/classes/${cls.id}`))
          .archivedAt,
      ).toBeNull();
      expect(await call<unknown[]>(app, adminToken, 'GET', `/api/classes/${cls.id}/schedules`)).toHaveLength(
        1,
      );
      await bothWidths(a, 'class-unarchived');
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a class page opened before another admin archived the class says why Remove and Delete are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-archived-e2e-'));
    let server: RunningServer | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
      const app = server.app();
      const admin = await createUser(server.database, 'admin');
      const adminToken = await login(app, admin.email, admin.password);
      const cls = await classWithLesson(app, adminToken, 'Room 12', 'Music 9A', {
        weekday: 3,
        startTime: '10:00',
        endTime: '10:45',
      });
      const student = await call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
        siteId: 'default',
        studentNumber: 'M-1',
        name: 'Clara Wieck',
        consent: true,
      });
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/enrolments`, { studentIds: [student.id] });
      const archivedNotice = 'Class "Music 9A" is archived, so it is read-only; unarchive it first';

      const ctx = await browser.newContext({ viewport: DESKTOP });
      contexts.push(ctx);
      const a = await ctx.newPage();
      await signInConsole(a, server.url, admin.email, admin.password);

      // ---- Remove, on a page opened while the class was active
      await a.goto(`${server.url}/#/classes/${cls.id}`);
      await a.waitForSelector('[data-testid="class-students"]');
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/archive`);
      await a.click('button[aria-label="Remove Clara Wieck from the class"]');
      await a.locator('[data-testid="class-action-error"]', { hasText: archivedNotice }).waitFor();
      // the page reloads and shows the class as archived, the reason still on top
      await a.waitForSelector('[data-testid="class-archived"]');
      await expectAccessible(a, 'class-archived-refusal');
      await consoleShot(a, 'class-archived-refusal');
      expect(await call<unknown[]>(app, adminToken, 'GET', `/api/classes/${cls.id}/enrolments`)).toHaveLength(
        1,
      );

      // ---- Delete schedule, confirmed after the archive
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/unarchive`);
      await a.goto(`${server.url}/#/`);
      await a.goto(`${server.url}/#/classes/${cls.id}`);
      await a.waitForSelector('[data-testid="schedules-table"]');
      await a.click('[data-testid="schedules-table"] button[aria-label^="Delete the schedule"]');
      await a.waitForSelector('[data-testid="confirm-dialog"]');
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/archive`);
      await a.click('[data-testid="confirm-yes"]');
      await a.locator('[data-testid="class-action-error"]', { hasText: archivedNotice }).waitFor();
      expect(await a.locator('[data-testid="confirm-dialog"]').count()).toBe(0);
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('staff console: your own password', () => {
  it('a refused change keeps what was typed and says why beside the field; a good one clears the form', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-password-e2e-'));
    let server: RunningServer | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
      const teacher = await createUser(server.database, 'teacher');
      const ctx = await browser.newContext({ viewport: DESKTOP });
      contexts.push(ctx);
      const t = await ctx.newPage();
      await signInConsole(t, server.url, teacher.email, teacher.password);
      await t.goto(`${server.url}/#/account`);
      const form = '[data-page="account"] form';
      const current = t.getByLabel('Current password');
      const next = t.getByLabel('New password');
      const submit = t.locator(`${form} button[type="submit"]`);

      // A wrong current password: the server refuses it; the reason is beside that field, which
      // is emptied for a fresh try and focused; the new password is still there.
      await current.fill('not my password');
      await next.fill('a long new password');
      await submit.click();
      await errorShownOnce(t, form, 'Current password is wrong');
      const beside = t.locator(`${form} .field`, { has: current });
      await beside.locator('[data-testid="field-error"]', { hasText: 'Current password is wrong' }).waitFor();
      expect(await next.inputValue()).toBe('a long new password');
      expect(await current.inputValue()).toBe('');
      expect(await t.evaluate('document.activeElement && document.activeElement.autocomplete')).toBe(
        'current-password',
      );
      await expectAccessible(t, 'account-wrong-password');
      await consoleShot(t, 'account-wrong-password');

      // A new password that is too short: refused before it is sent; both fields keep their text.
      await current.fill(teacher.password);
      await next.fill('short');
      await submit.click();
      await t
        .locator(`${form} .field`, { has: next })
        .locator('[data-testid="field-error"]', { hasText: '10 characters' })
        .waitFor();
      expect(await current.inputValue()).toBe(teacher.password);
      expect(await next.inputValue()).toBe('short');
      await consoleShot(t, 'account-weak-password');

      // The right current password and a long new one: changed, and the form is empty again.
      await next.fill('a long new password');
      await submit.click();
      await t.locator(`${form} .form-ok`, { hasText: 'Password changed' }).waitFor();
      expect(await current.inputValue()).toBe('');
      expect(await next.inputValue()).toBe('');
      expect(await t.locator(`${form} [data-testid="field-error"]`).count()).toBe(0);
      await login(server.app(), teacher.email, 'a long new password');
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('staff console: a small screen', () => {
  it('the main pages read at 1280×800, 800×480 and 480×800: nothing cut, off the side or on top of other text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-small-e2e-'));
    let server: RunningServer | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
      const app = server.app();
      const admin = await createUser(server.database, 'admin');
      const teacher = await createUser(server.database, 'teacher');
      const adminToken = await login(app, admin.email, admin.password);
      const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
        name: 'Room 101',
        siteId: 'default',
      });
      const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
        name: 'Maths 9A',
        code: 'MA9A',
        siteId: 'default',
        teacherId: teacher.id,
      });
      const now = new Date();
      const today = now.toISOString().slice(0, 10);
      const start = new Date(Math.max(now.getTime() - 30 * 60_000, Date.parse(`${today}T00:00:00Z`)));
      const end = new Date(Math.min(now.getTime() + 60 * 60_000, Date.parse(`${today}T23:59:00Z`)));
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
        roomId: room.id,
        date: today,
        startTime: hhmm(start),
        endTime: hhmm(end),
        graceMinutes: 10,
      });
      const names = ['Alexandra Papadopoulou', 'Anna-Sophia Featherstonehaugh-Papadopoulou', 'Colin Powell'];
      const students = [];
      for (const [i, name] of names.entries())
        students.push(
          await call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
            studentNumber: `100${i}`,
            name,
            consent: true,
          }),
        );
      await call(app, adminToken, 'POST', `/api/classes/${cls.id}/enrolments`, {
        studentIds: students.map((s) => s.id),
      });
      await pairKiosk(app, adminToken, room.id, 'Door of Room 101');

      const ctx = await browser.newContext({ viewport: { width: 800, height: 480 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      await signInConsole(page, server.url, admin.email, admin.password);
      const pages: { path: string; ready: string; name: string; open?: string }[] = [
        { path: '/today', ready: '[data-testid="today-row"]', name: 'today' },
        { path: '/classes', ready: '[data-testid="classes-table"]', name: 'classes' },
        { path: `/classes/${cls.id}`, ready: '[data-testid="schedules-table"]', name: 'class' },
        { path: '/students', ready: '[data-testid="students-table"]', name: 'students' },
        { path: '/kiosks', ready: '[data-testid="kiosks-table"]', name: 'kiosks' },
        {
          path: '/kiosks',
          open: '[data-testid="kiosk-rename"]',
          ready: '[data-testid="kiosk-rename-form"]',
          name: 'kiosk-rename',
        },
        { path: '/reports', ready: '[data-testid="reports-classes"]', name: 'reports' },
        { path: '/account', ready: '[data-page="account"] form', name: 'account' },
      ];
      const findings: { where: string; problems: string[] }[] = [];
      const sizes = { '1280x800': DESKTOP, '800x480': SIZES['800x480'], '480x800': SIZES['480x800'] };
      for (const size of ['1280x800', '800x480', '480x800'] as const) {
        await page.setViewportSize(sizes[size]);
        for (const p of pages) {
          await page.goto(`${server.url}/#${p.path}`);
          if (p.open !== undefined) await page.click(p.open);
          await page.waitForSelector(p.ready);
          await settled(page);
          const { problems } = await layoutReport(page, { scrollY: true });
          if (problems.length) findings.push({ where: `${p.name} @ ${size}`, problems });
          await consoleShot(page, `small-${p.name}-${size}`);
        }
      }
      expect(findings, JSON.stringify(findings, null, 1)).toEqual([]);
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
