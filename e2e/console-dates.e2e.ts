// The console's days and times, end to end in Chromium against a real server (fake face engine):
// the school is in Auckland while the laptop reading the console is set to Los Angeles in US
// English (mm/dd dates and AM/PM times in its own date and time boxes). Today always names the
// day it shows and steps to the next or previous one; an empty day is worded by role (an admin
// sees the whole school, a teacher their own classes) and points to the next day with lessons.
// Every page writes days as "Mon 7 Dec 2026" and times on the site's 24-hour clock, never the
// laptop's zone or a numeric 07/12. Screenshots at desktop, 800×480 and phone width.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, fakeFaceEngine, login, pairKiosk } from '../server/test/app.js';
import { addDays, localDateAt, weekdayOf } from '../src/contracts/site-time.js';
import { longDate } from '../server/console/src/format.js';
import { layoutReport, settled, SIZES } from './harness/audit.js';
import { launchChromium } from './harness/browser.js';
import { consoleShot, expectAccessible, signInConsole } from './harness/console.js';
import { startServer, type RunningServer } from './harness/server.js';

const ZONE = 'Pacific/Auckland';
/** The laptop: another zone (a day behind Auckland for most of the day) and a US locale. */
const LAPTOP = { timezoneId: 'America/Los_Angeles', locale: 'en-US' } as const;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** A day in words, as format.ts writes it. */
const DAY_WORDS =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$/;

let browser: Browser;
let server: RunningServer;
let dir: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'rollcall-console-dates-e2e-'));
  server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function laptopPage(viewport = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext({ viewport, ...LAPTOP });
  contexts.push(ctx);
  return ctx.newPage();
}

/** Layout check and screenshots at desktop, 800×480, 480×800 and phone width (axe at desktop and phone). */
async function everyWidth(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await consoleShot(page, name);
  const findings: string[] = [];
  for (const [label, size] of [
    ['800x480', SIZES['800x480']],
    ['480x800', SIZES['480x800']],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await settled(page);
    const { problems } = await layoutReport(page, { scrollY: true });
    findings.push(...problems.map((p) => `${label}: ${p}`));
    if (label === 'phone') await expectAccessible(page, `${name}-phone`);
    await consoleShot(page, `${name}-${label}`);
  }
  await page.setViewportSize(DESKTOP);
  expect(findings).toEqual([]);
}

/** The page's visible text (inputs' values are not in it: the date boxes follow the laptop). */
const bodyText = (page: Page) => page.locator('main').innerText();

/** No numeric day (07/12/2026, 2026-12-07) and no 12-hour time in what a page says. */
async function expectOneFormat(page: Page, where: string): Promise<void> {
  const text = await bodyText(page);
  expect(text.match(/\b\d{1,2}\/\d{1,2}(\/\d{2,4})?\b/g), `${where}: numeric day`).toBeNull();
  expect(text.match(/\b\d{4}-\d{2}-\d{2}\b/g), `${where}: ISO day`).toBeNull();
  expect(text.match(/\b\d{1,2}(:\d{2})?\s?[AaPp]\.?[Mm]\b/g), `${where}: 12-hour time`).toBeNull();
}

describe('staff console: days and times', () => {
  it('Today names its day, steps between days and words an empty day by role', async () => {
    const app = server.app();
    const admin = await createUser(server.database, 'admin');
    const teacher = await createUser(server.database, 'teacher');
    const adminToken = await login(app, admin.email, admin.password);
    await call(app, adminToken, 'PATCH', '/api/sites/default', { timezone: ZONE });
    const today = localDateAt(new Date(), ZONE);

    // ---- an admin of a school with no class yet: the day is still named, and changeable
    const a = await laptopPage();
    await signInConsole(a, server.url, admin.email, admin.password);
    await a.waitForSelector('[data-testid="no-lessons"]');
    expect(await a.inputValue('[data-testid="day-picker"]')).toBe(today);
    expect(await a.textContent('[data-testid="day-picker-words"]')).toBe(longDate(today));
    expect(longDate(today)).toMatch(DAY_WORDS);
    const noClass = await a.textContent('[data-testid="no-lessons"]');
    expect(noClass).toContain('This school has no classes yet');
    expect(noClass).not.toContain('your classes');
    await everyWidth(a, 'dates-today-no-class');
    await a.click('[data-testid="day-next"]');
    await a.locator('[data-testid="day-picker-words"]', { hasText: longDate(addDays(today, 1)) }).waitFor();
    expect(await a.inputValue('[data-testid="day-picker"]')).toBe(addDays(today, 1));
    await a.click('[data-testid="day-previous"]');
    await a.click('[data-testid="day-previous"]');
    await a.locator('[data-testid="day-picker-words"]', { hasText: longDate(addDays(today, -1)) }).waitFor();
    expect(await a.inputValue('[data-testid="day-picker"]')).toBe(addDays(today, -1));
    // A half-cleared date box does not jump back to today.
    await a.focus('[data-testid="day-picker"]');
    await a.keyboard.press('Backspace');
    await settled(a);
    expect(a.url()).toContain(`date=${addDays(today, -1)}`);
    await a.click('[data-testid="day-today"]');
    await a.locator('[data-testid="day-picker-words"]', { hasText: longDate(today) }).waitFor();

    // ---- a class whose only lessons are two days from now, 08:15–09:00 in Auckland
    const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
      name: 'Room 101',
      siteId: 'default',
    });
    const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
      name: 'Maths 9A',
      siteId: 'default',
      teacherId: teacher.id,
    });
    const lessonDay = addDays(today, 2);
    await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
      roomId: room.id,
      weekday: weekdayOf(lessonDay),
      startTime: '08:15',
      endTime: '09:00',
      graceMinutes: 10,
    });
    await a.reload();
    await a.locator('[data-testid="no-lessons"]', { hasText: 'No lessons at this school' }).waitFor();
    const adminEmpty = await a.textContent('[data-testid="no-lessons"]');
    expect(adminEmpty).toContain(`No lessons at this school on ${longDate(today)}.`);
    expect(adminEmpty).not.toContain('your classes');
    expect(await a.textContent('[data-testid="next-lessons"]')).toBe(longDate(lessonDay));
    await everyWidth(a, 'dates-today-admin-empty');
    await a.click('[data-testid="next-lessons"]');
    await a.waitForSelector('[data-testid="session-card"]');
    expect(await a.inputValue('[data-testid="day-picker"]')).toBe(lessonDay);
    // The lesson's times on Auckland's clock (Los Angeles would read 11:15 or 12:15 the day before).
    expect(await a.textContent('[data-testid="session-card"] .session-card__time')).toBe('08:15–09:00');
    await expectOneFormat(a, 'today with a lesson');
    await everyWidth(a, 'dates-today-lesson');

    // ---- the teacher: "your classes", and the same pointer
    const t = await laptopPage();
    await signInConsole(t, server.url, teacher.email, teacher.password);
    await t.waitForSelector('[data-testid="no-lessons"]');
    expect(await t.textContent('[data-testid="no-lessons"]')).toContain(
      `No lessons of your classes on ${longDate(today)}.`,
    );
    expect(await t.textContent('[data-testid="next-lessons"]')).toBe(longDate(lessonDay));
    await everyWidth(t, 'dates-today-teacher-empty');
  });

  it('writes every day as "Mon 7 Dec 2026" and every time on the site’s 24-hour clock', async () => {
    const app = server.app();
    const admin = await createUser(server.database, 'admin');
    const adminToken = await login(app, admin.email, admin.password);
    await call(app, adminToken, 'PATCH', '/api/sites/default', { timezone: ZONE });
    const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
      name: 'Lab 2',
      siteId: 'default',
    });
    const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
      name: 'Physics 10B',
      siteId: 'default',
    });
    await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
      roomId: room.id,
      date: '2026-12-07',
      startTime: '14:05',
      endTime: '14:50',
      graceMinutes: 10,
    });
    await call(app, adminToken, 'POST', '/api/students', {
      siteId: 'default',
      studentNumber: 'D-1',
      name: 'Dana Date',
      consent: true,
      consentAt: '2026-12-07T00:00:00.000Z',
    });
    // A kiosk last heard from at 19:30 UTC on 6 Dec: 08:30 on Monday 7 Dec in Auckland.
    const kiosk = await pairKiosk(app, adminToken, room.id, 'Door of Lab 2');
    await server.database.db
      .updateTable('devices')
      .set({ last_seen_at: '2026-12-06T19:30:00.000Z' })
      .where('id', '=', kiosk.deviceId)
      .execute();

    const a = await laptopPage();
    await signInConsole(a, server.url, admin.email, admin.password);

    await a.goto(`${server.url}/#/kiosks`);
    await a.waitForSelector('[data-testid="kiosk-row"]');
    expect(await a.textContent('[data-testid="kiosk-row"]')).toContain('Mon 7 Dec 2026, 08:30');
    await expectOneFormat(a, 'kiosks');

    await a.goto(`${server.url}/#/students`);
    await a.waitForSelector('[data-testid="students-table"]');
    const student = a.locator('[data-testid="students-table"] tbody tr', { hasText: 'Dana Date' });
    expect(await student.textContent()).toContain('Given Mon 7 Dec 2026');
    const updated = (await student.locator('td').last().textContent()) ?? '';
    expect(updated).toBe(longDate(localDateAt(new Date(), ZONE)));
    await expectOneFormat(a, 'students');

    await a.goto(`${server.url}/#/classes/${cls.id}`);
    await a.waitForSelector('[data-testid="schedules-table"]');
    expect(await a.textContent('[data-testid="schedules-table"] tbody tr')).toContain('Mon 7 Dec 2026');
    expect(await a.textContent('[data-testid="schedules-table"] tbody tr')).toContain('14:05–14:50');
    await expectOneFormat(a, 'class');
    // The lesson form: the chosen day in words under the (mm/dd) date box, times typed on the
    // 24-hour clock and tidied, a 12-hour time refused in words.
    await a.check('[data-testid="schedule-once"]');
    await a.fill('[data-testid="schedule-date"]', '2026-07-12');
    expect(await a.textContent('[data-testid="schedule-date-words"]')).toBe('Sun 12 Jul 2026');
    await a.fill('[data-testid="schedule-start"]', '8:15');
    await a.press('[data-testid="schedule-start"]', 'Tab');
    expect(await a.inputValue('[data-testid="schedule-start"]')).toBe('08:15');
    // "2:30 PM" is refused whole, not read as 02:30.
    await a.fill('[data-testid="schedule-end"]', '2:30 PM');
    await a.click('[data-testid="schedule-add"]');
    await a
      .locator('[data-testid="schedule-form"] [data-testid="field-error"]', { hasText: '24-hour clock' })
      .waitFor();
    expect(await a.inputValue('[data-testid="schedule-end"]')).toBe('2:30 PM');
    await everyWidth(a, 'dates-class-form');
    // Enter in a time field submits with the time tidied, not refused: "9" is sent as 09:00.
    await a.fill('[data-testid="schedule-end"]', '9');
    await a.press('[data-testid="schedule-end"]', 'Enter');
    await a
      .locator('[data-testid="schedules-table"] tbody tr', { hasText: 'Sun 12 Jul 2026' })
      .filter({ hasText: '08:15–09:00' })
      .waitFor();

    await a.goto(`${server.url}/#/audit`);
    await a.waitForSelector('[data-testid="audit-table"] tbody tr');
    const when = await a.locator('[data-testid="audit-table"] tbody tr td').first().textContent();
    expect(when).toMatch(
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2}$/,
    );
    // Entries in words, with the site's new zone named; instants on the school's clock.
    expect(await a.locator('[data-testid="audit-sentence"]').allTextContents()).toContain(
      `Changed the site “Default site”: time zone from UTC to ${ZONE}.`,
    );
    await expectOneFormat(a, 'audit');
    await everyWidth(a, 'dates-audit');

    // A new site is offered the school's zone, not the laptop's (Los Angeles); still editable.
    await a.goto(`${server.url}/#/places`);
    const newZone = a.locator('[data-testid="new-site-timezone"]');
    await newZone.waitFor();
    expect(await newZone.inputValue()).toBe(ZONE);
    await consoleShot(a, 'dates-places');
    await newZone.fill('Pacific/Chatham');
    expect(await newZone.inputValue()).toBe('Pacific/Chatham');
  });
});
