// A teacher's everyday console, end to end in Chromium against a real server (fake face engine):
// from Today the teacher corrects a mark with the keyboard alone (focus moves into the form and
// back to the row's button), then opens a student's history by the name, on a laptop and on a
// phone. The student is in another teacher's class too: that class's lessons, and the reason
// its teacher gave, never reach this teacher's page. Students the door cannot recognise (no consent,
// no photo yet) say so under their names, so the teacher does not wait for a mark that cannot come;
// several students are corrected at once with one status and one reason; a holiday is named.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, embeddingB64, fakeFaceEngine, login } from '../server/test/app.js';
import { storeTemplates } from '../server/src/repositories/templates.js';
import { SHIPPED_MODEL_ID } from '../src/ml/config.js';
import { longDate } from '../server/console/src/format.js';
import { layoutReport, settled } from './harness/audit.js';
import { launchChromium } from './harness/browser.js';
import { consoleShot, expectAccessible, signInConsole, tableCells } from './harness/console.js';
import { startServer, type RunningServer } from './harness/server.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let server: RunningServer;
let dir: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'rollcall-console-teacher-e2e-'));
  server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(viewport = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true });
  contexts.push(ctx);
  return ctx.newPage();
}

/** What has the keyboard focus, as a test id (or the tag). */
const focused = (page: Page) =>
  page.evaluate(
    '(document.activeElement && (document.activeElement.getAttribute("data-testid") || document.activeElement.tagName.toLowerCase())) || ""',
  ) as Promise<string>;
/** Until the keyboard focus is on a student's Correct button. */
const focusOnCorrect = (page: Page) =>
  page.waitForFunction(
    'document.activeElement && document.activeElement.getAttribute("data-testid") === "correct"',
  );

describe('staff console: a teacher', () => {
  it('sees who the door cannot recognise, corrects by keyboard, reads a student history of own classes only', async () => {
    const app = server.app();
    const admin = await createUser(server.database, 'admin');
    const tom = await createUser(server.database, 'teacher');
    const olga = await createUser(server.database, 'teacher');
    const adminToken = await login(app, admin.email, admin.password);
    const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
      name: 'Room 101',
      siteId: 'default',
    });
    const classOf = async (name: string, teacherId: string) => {
      const c = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
        name,
        siteId: 'default',
        teacherId,
      });
      // Today all day at the site (UTC), so the lesson has started whenever the test runs.
      const s = await call<{ id: string }>(app, adminToken, 'POST', `/api/classes/${c.id}/schedules`, {
        roomId: room.id,
        weekday: new Date().getUTCDay(),
        startTime: '00:00',
        endTime: '23:59',
        graceMinutes: 5,
      });
      return { classId: c.id, sessionId: `${s.id}@${new Date().toISOString().slice(0, 10)}` };
    };
    const maths = await classOf('Maths 9A', tom.id);
    const art = await classOf('Art 9B', olga.id);
    const hugo = await call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
      studentNumber: '1005',
      name: 'Hugo Chavez',
      siteId: 'default',
      consent: false,
    });
    // Ada has a face of the model the kiosks run; Zadie consented but has no photo yet.
    const ada = await call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
      studentNumber: '1001',
      name: 'Ada Lovelace',
      siteId: 'default',
      consent: true,
    });
    const zadie = await call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
      studentNumber: '1007',
      name: 'Zadie Smith',
      siteId: 'default',
      consent: true,
    });
    const now = new Date().toISOString();
    const adaFace = randomUUID();
    expect(
      await storeTemplates(
        server.database.db,
        [
          {
            id: adaFace,
            studentId: ada.id,
            modelId: SHIPPED_MODEL_ID,
            embedding: embeddingB64(adaFace),
            createdAt: now,
          },
        ],
        { source: 'photo', deviceId: null, siteId: null },
        now,
      ),
    ).toEqual([{ id: adaFace, status: 'accepted' }]);
    await call(app, adminToken, 'POST', `/api/classes/${maths.classId}/enrolments`, {
      studentIds: [hugo.id, ada.id, zadie.id],
    });
    await call(app, adminToken, 'POST', `/api/classes/${art.classId}/enrolments`, { studentIds: [hugo.id] });
    // Olga excuses him from Art with a reason that is hers to see, not Tom's.
    await call(app, await login(app, olga.email, olga.password), 'POST', '/api/attendance/corrections', {
      id: randomUUID(),
      kind: 'manual',
      sessionId: art.sessionId,
      studentId: hugo.id,
      status: 'excused',
      reason: 'Art trip permission slip',
    });

    const page = await newPage();
    await signInConsole(page, server.url, tom.email, tom.password);
    const row = page.locator('[data-testid="today-row"][data-student="Hugo Chavez"]');
    await row.waitFor();

    // Why the door will not mark someone, under their name: no consent, or no photo yet; nothing
    // for a student it can recognise.
    const note = (name: string) =>
      page.locator(`[data-testid="today-row"][data-student="${name}"] [data-testid="door-cannot-recognise"]`);
    await note('Hugo Chavez').waitFor();
    expect(await note('Hugo Chavez').innerText()).toBe(
      'No consent to face recognition: the door cannot recognise them.',
    );
    expect(await note('Zadie Smith').innerText()).toBe('No face photo yet: the door cannot recognise them.');
    expect(await note('Ada Lovelace').count()).toBe(0);
    await expectAccessible(page, 'today-door-notes');
    await page.setViewportSize(PHONE);
    await settled(page);
    expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
    await consoleShot(page, 'today-door-notes-phone');
    await page.setViewportSize(DESKTOP);

    // Keyboard only: Correct opens the form with focus on its first field, Save puts focus back.
    await row.getByTestId('correct').focus();
    await page.keyboard.press('Enter');
    await row.getByTestId('correction-form').waitFor();
    expect(await focused(page)).toBe('correction-status');
    // Not yet seen: the form starts on Present (the door missed him), not on Excused; the teacher
    // chooses Excused on purpose.
    expect(await row.getByTestId('correction-status').inputValue()).toBe('present');
    await row.getByTestId('correction-status').selectOption('excused');
    await row.getByTestId('correction-status').focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('correction-reason');
    await page.keyboard.type('Dentist, note from home');
    await page.keyboard.press('Enter');
    await row.locator('[data-testid="correct"]').waitFor();
    await focusOnCorrect(page);
    expect(await row.getAttribute('data-status')).toBe('excused');
    // Undo by keyboard: focus lands on its reason, then back on the row.
    await row.getByTestId('undo').focus();
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('correction-reason');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await focusOnCorrect(page);

    // Several at once (the door was down): tick everyone not yet seen, one status, one reason.
    await page.getByTestId('bulk-open').click();
    expect(await page.getByTestId('bulk-tick-unseen').innerText()).toBe('Tick everyone not yet seen (2)');
    await page.getByTestId('bulk-tick-unseen').click();
    expect(await page.getByTestId('bulk-save').innerText()).toBe('Save for 2 students');
    await page.getByTestId('bulk-save').click();
    await page
      .locator('[data-testid="bulk-form"] [data-testid="field-error"]', { hasText: 'Required.' })
      .waitFor();
    await page.getByTestId('bulk-reason').fill('Door kiosk off; register on paper');
    await page.getByTestId('bulk-save').click();
    await page.getByText('Saved for 2 students.').waitFor();
    for (const name of ['Ada Lovelace', 'Zadie Smith'])
      await page.waitForSelector(`[data-testid="today-row"][data-student="${name}"][data-status="present"]`);
    // Their Time is the correction's, and says so (not an arrival time).
    const adaCells = (await tableCells(page, '[data-testid="today-table"]', 1)).find(
      (r) => r[1] === 'Ada Lovelace',
    );
    expect(adaCells?.[3]).toMatch(/^corrected \d{2}:\d{2}$/);
    // No "Score" column: the door's match score is jargon to a teacher (it stays in the CSV).
    expect(
      await page
        .locator('[data-testid="today-table"] thead th')
        .evaluateAll((ths) => ths.map((h) => h.textContent)),
    ).toEqual(['Number', 'Name', 'Status', 'Time', 'By', 'Reason', 'Actions']);
    await expectAccessible(page, 'today-bulk');
    await page.setViewportSize(PHONE);
    await settled(page);
    expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
    await consoleShot(page, 'today-bulk-phone');
    await page.setViewportSize(DESKTOP);
    await page.getByTestId('bulk-close').click();
    expect(await page.getByTestId('bulk-tick').count()).toBe(0);
    // One correction per student, each in the audit trail under the teacher's name.
    const audit = await call<
      { actorId: string; action: string; detail: { studentId?: string; to?: string } }[]
    >(app, adminToken, 'GET', '/api/audit?action=attendance.manual');
    expect(
      audit
        .filter((e) => e.actorId === tom.id && e.detail.to === 'present')
        .map((e) => e.detail.studentId)
        .sort(),
    ).toEqual([ada.id, zadie.id].sort());

    // The name leads to the student's history: Maths only, with Tom's reason.
    await row.getByTestId('student-history-link').click();
    await page.waitForSelector('[data-page="student-history"] [data-testid="student-history-lessons"]');
    expect(await page.locator('h1').innerText()).toBe('History of Hugo Chavez (1005)');
    const cells = await tableCells(page, '[data-testid="student-history-lessons"]');
    expect(cells).toEqual([
      [
        expect.any(String),
        '00:00–23:59',
        'Maths 9A',
        'Excused',
        expect.stringMatching(/^corrected \d{2}:\d{2}$/),
        'corrected by hand',
        'Dentist, note from home',
      ],
    ]);
    expect(await page.locator('main').innerText()).not.toContain('Art');
    expect(await page.getByTestId('student-history-summary').innerText()).toContain('excused 1');
    await expectAccessible(page, 'student-history-teacher');
    await consoleShot(page, 'student-history-teacher');

    // On a phone: the same page fits, nothing cut or overlapping.
    await page.setViewportSize(PHONE);
    await settled(page);
    expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
    await expectAccessible(page, 'student-history-teacher-phone');
    await consoleShot(page, 'student-history-teacher-phone');

    // An admin reads both classes, Olga's reason too.
    const adminPage = await newPage();
    await signInConsole(adminPage, server.url, admin.email, admin.password);
    await adminPage.goto(`${server.url}/#/students/${hugo.id}`);
    await adminPage.getByTestId('student-history-link').click();
    await adminPage.waitForSelector('[data-testid="student-history-lessons"]');
    const all = await tableCells(adminPage, '[data-testid="student-history-lessons"]');
    expect(all.map((r) => [r[2], r[6]]).sort()).toEqual([
      ['Art 9B', 'Art trip permission slip'],
      ['Maths 9A', 'Dentist, note from home'],
    ]);

    // A holiday: the empty day says which one, not only "no lessons".
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await call(app, adminToken, 'POST', '/api/sites/default/closures', {
      name: 'Staff training day',
      startDate: tomorrow,
      endDate: tomorrow,
    });
    await page.goto(`${server.url}/#/today?date=${tomorrow}`);
    await page.getByTestId('day-closures').waitFor();
    expect(await page.getByTestId('day-closures').innerText()).toBe(
      `The school calendar has Staff training day (${longDate(tomorrow)}): no lessons and no attendance that day.`,
    );
    // The heading names the day shown; "Back to today" brings "Today" back.
    expect(await page.locator('h1').innerText()).toBe(longDate(tomorrow));
    await page.setViewportSize(PHONE);
    await settled(page);
    expect((await layoutReport(page, { scrollY: true })).problems).toEqual([]);
    await expectAccessible(page, 'today-holiday-phone');
    await consoleShot(page, 'today-holiday-phone');
    await page.setViewportSize(DESKTOP);

    // From the class history, the name leads to the same page over the class's range.
    await page.setViewportSize(DESKTOP);
    await page.goto(`${server.url}/#/classes/${maths.classId}/history`);
    // The register a school office asks for: the server's one-column-per-lesson CSV, as a file.
    await page.getByTestId('history-register-csv').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('history-register-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^Maths_9A-register-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const register = readFileSync(await download.path(), 'utf8');
    const { from, to } = Object.fromEntries(new URL(page.url().replace('#/', '')).searchParams) as {
      from?: string;
      to?: string;
    };
    const tomToken = await login(app, tom.email, tom.password);
    const fromServer = await app.inject({
      url: `/api/reports/classes/${maths.classId}?format=csv${from ? `&from=${from}&to=${to}` : ''}`,
      headers: { authorization: `Bearer ${tomToken}` },
    });
    expect(register).toBe(fromServer.body);
    expect(register.split('\r\n')[0]).toMatch(
      /^student_number,name,present,late,absent,excused,attendance_rate,\d{4}-\d{2}-\d{2} 00:00$/,
    );
    expect(register).toContain('Hugo Chavez,0,0,0,1,,excused');
    await page.locator('[data-testid="history-students"] a', { hasText: 'Hugo Chavez' }).click();
    await page.waitForSelector('[data-testid="student-history-lessons"]');
    expect(page.url()).toMatch(/#\/students\/[^/]+\/history\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  });
});
