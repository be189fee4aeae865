// The staff console end to end, as a school uses it: an admin signs in, adds a schedule and
// a kiosk, pairs a real headless kiosk with the code shown on the page; the kiosk recognises
// a student at the door (replayed frames) and the teacher's Today view shows him present
// without a reload; the teacher corrects another student to excused (and undoes a
// correction); CSV exports match the tables; axe-core finds no serious or critical violation
// on any page; screenshots e2e/screenshots/console-*.png.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { call, createUser, login, pairKiosk } from '../server/test/app.js';
import { createKiosk } from '../src/core/index.js';
import {
  checkedPages,
  consoleShot,
  errorShownOnce,
  expectAccessible,
  parseCsv,
  signInConsole,
  tableCells,
} from './harness/console.js';
import { SIZES } from './harness/audit.js';
import { startServer, type RunningServer } from './harness/server.js';
import { useE2eSuite } from './harness/suite.js';
import { borrowed, doorSequence, FRAMES, hold, pollUntil } from './harness/world.js';

const suite = useE2eSuite();
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

afterAll(() => {
  // eslint-disable-next-line no-console -- the e2e's own summary of the accessibility pass
  console.log(
    `axe-core: ${checkedPages.length} console page states checked, serious/critical violations: ${checkedPages.reduce((n, p) => n + p.serious, 0)} (${checkedPages.map((p) => p.name).join(', ')})`,
  );
});

async function downloadText(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = await download.path();
  return readFileSync(path, 'utf8');
}

describe('staff console', () => {
  it('admin sets up a class and a kiosk; the teacher sees the door live, corrects, exports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-console-e2e-'));
    let server: RunningServer | null = null;
    let kiosk: ReturnType<typeof createKiosk> | null = null;
    const contexts: BrowserContext[] = [];
    try {
      server = await startServer({ dbFile: join(dir, 'server.db'), engine: borrowed(suite.engine) });
      const app = server.app();
      const admin = await createUser(server.database, 'admin');
      const teacher = await createUser(server.database, 'teacher');
      const adminToken = await login(app, admin.email, admin.password);
      // The room and the class with its teacher; the students come from the roster import below.
      const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
        name: 'Room 101',
        siteId: 'default',
      });
      await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
        name: 'Maths 9A',
        code: 'MA9A',
        siteId: 'default',
        teacherId: teacher.id,
      });
      const rosterCsv = join(dir, 'roster.csv');
      writeFileSync(
        rosterCsv,
        [
          'student_number,given_name,family_name,consent,classes',
          '1001,Colin,Powell,yes,MA9A',
          '1002,George,Bush,yes,MA9A',
          '',
        ].join('\n'),
      );

      // ---- admin
      const adminCtx = await suite.browser.newContext({
        viewport: { width: 1280, height: 800 },
        acceptDownloads: true,
      });
      contexts.push(adminCtx);
      const a = await adminCtx.newPage();
      // Files the browser failed to find (a missing favicon is one on every load); the API's own
      // 404s are answers, such as the error state below.
      const notFound: string[] = [];
      a.on('console', (m) => {
        const url = m.location().url;
        if (m.type() === 'error' && /\b404\b/.test(m.text()) && !url.includes('/api/')) notFound.push(url);
      });
      await a.goto(`${server.url}/`);
      await a.waitForSelector('[data-page="signin"]');
      await expectAccessible(a, 'signin');
      await consoleShot(a, 'signin');
      await a.fill('[data-testid="signin-email"]', admin.email);
      await a.fill('[data-testid="signin-password"]', 'not the password');
      await a.click('[data-testid="signin-submit"]');
      await errorShownOnce(a, '[data-page="signin"]', 'Wrong email or password');
      await a.fill('[data-testid="signin-email"]', 'not an email');
      await a.click('[data-testid="signin-submit"]');
      await a.locator('[data-testid="field-error"]').first().waitFor();
      await expectAccessible(a, 'signin-error');
      await consoleShot(a, 'signin-error');
      await signInConsole(a, server.url, admin.email, admin.password);
      await a.waitForSelector('[data-page="today"] [data-state="empty"]');
      // The day picker names the day listed (today at the site, UTC here), not an empty mm/dd/yyyy.
      expect(await a.inputValue('[data-testid="day-picker"]')).toBe(new Date().toISOString().slice(0, 10));
      await expectAccessible(a, 'today-empty');
      await consoleShot(a, 'today-empty');

      // The roster: a dry run shows the changes, nothing is saved until the commit.
      await a.click('[data-testid="nav-import"]');
      await a.waitForSelector('[data-page="import"] [data-state="empty"]');
      await expectAccessible(a, 'import-empty');
      await consoleShot(a, 'import-empty');
      await a.setInputFiles('[data-testid="import-file"]', rosterCsv);
      await a.click('[data-testid="import-dry-run-button"]');
      await a.waitForSelector('[data-testid="import-dry-run"] [data-testid="import-changes"]');
      expect(await tableCells(a, '[data-testid="import-changes"]')).toEqual([
        ['2', '1001', 'create', expect.any(String)],
        ['3', '1002', 'create', expect.any(String)],
      ]);
      expect(await call<unknown[]>(app, adminToken, 'GET', '/api/students')).toEqual([]);
      await expectAccessible(a, 'import-dry-run');
      await consoleShot(a, 'import-dry-run');
      await a.click('[data-testid="import-commit"]');
      await a.waitForSelector('[data-testid="import-done"]');
      await consoleShot(a, 'import-done');
      expect(
        (await call<{ name: string }[]>(app, adminToken, 'GET', '/api/students')).map((x) => x.name).sort(),
      ).toEqual(['Colin Powell', 'George Bush']);

      // Powell's face: photos uploaded on his page, each with its verdict (a photo without a face is refused).
      await a.click('[data-testid="nav-students"]');
      await a.waitForSelector('[data-testid="students-table"]');
      await expectAccessible(a, 'students');
      await consoleShot(a, 'students');
      await a.fill('[data-testid="students-search"]', 'nobody-by-this-name');
      await a.press('[data-testid="students-search"]', 'Enter');
      await a.waitForSelector('[data-page="students"] [data-state="empty"]');
      await consoleShot(a, 'students-empty');
      await a.fill('[data-testid="students-search"]', 'Powell');
      await a.press('[data-testid="students-search"]', 'Enter');
      await a.click('[data-testid="students-table"] >> text=Colin Powell');
      await a.waitForSelector('[data-testid="template-count"]');
      await a.setInputFiles(
        '[data-testid="photos-input"]',
        ['powell-04.jpg', 'powell-05.jpg', 'empty.jpg'].map((f) => join(FRAMES, f)),
      );
      await a.click('[data-testid="photos-upload"]');
      await a.waitForSelector('[data-testid="photo-results"]', { timeout: 60_000 });
      expect(await a.locator('[data-testid="photo-results"] li[data-status="accepted"]').count()).toBe(2);
      expect(await a.locator('[data-testid="photo-results"] li[data-status="rejected"]').count()).toBe(1);
      await a.locator('[data-testid="template-count"]', { hasText: '2 face templates' }).waitFor();
      await expectAccessible(a, 'student-detail');
      await consoleShot(a, 'student-detail-photos');
      await a.click('[data-testid="student-erase"]');
      await a.locator('[data-testid="confirm-dialog"]', { hasText: 'every kiosk' }).waitFor();
      await expectAccessible(a, 'student-erase-confirm');
      await consoleShot(a, 'student-erase-confirm', false);
      await a.click('[data-testid="confirm-dialog"] >> text=Cancel');
      // A face that changed too much for a kiosk enrolment: the admin removes the old templates
      // (a kiosk may not replace a face), then enrols again; here with the same photos.
      await a.click('[data-testid="templates-remove"]');
      await a.locator('[data-testid="confirm-dialog"]', { hasText: 'does not look like' }).waitFor();
      await expectAccessible(a, 'templates-remove-confirm');
      await a.click('[data-testid="confirm-yes"]');
      await a.locator('[data-testid="template-count"]', { hasText: 'No face template' }).waitFor();
      await a.setInputFiles(
        '[data-testid="photos-input"]',
        ['powell-04.jpg', 'powell-05.jpg'].map((f) => join(FRAMES, f)),
      );
      await a.click('[data-testid="photos-upload"]');
      await a
        .locator('[data-testid="template-count"]', { hasText: '2 face templates' })
        .waitFor({ timeout: 60_000 });
      // The same photo sent again is already enrolled: said so, and nothing is added.
      await a.setInputFiles('[data-testid="photos-input"]', [join(FRAMES, 'powell-04.jpg')]);
      await a.click('[data-testid="photos-upload"]');
      await a
        .locator('[data-testid="photo-results"] li[data-status="duplicate"]', { hasText: 'Already enrolled' })
        .waitFor({ timeout: 60_000 });
      expect(await a.locator('[data-testid="photo-results"] li').count()).toBe(1);
      await a.locator('[data-testid="template-count"]', { hasText: '2 face templates' }).waitFor();
      await expectAccessible(a, 'student-photo-again');
      await consoleShot(a, 'student-photo-again');
      // One photo more than an upload carries: refused when the extra one arrives, and the photos
      // handled before it are listed (here all already enrolled, so nothing is added).
      const powell = readFileSync(join(FRAMES, 'powell-04.jpg'));
      await a.setInputFiles(
        '[data-testid="photos-input"]',
        Array.from({ length: 21 }, (_, i) => ({
          name: `copy-${String(i + 1).padStart(2, '0')}.jpg`,
          mimeType: 'image/jpeg',
          buffer: powell,
        })),
      );
      await a.click('[data-testid="photos-upload"]');
      await errorShownOnce(a, 'form', 'at most 20 photos');
      expect(await a.locator('[data-testid="photo-results"] li[data-status="duplicate"]').count()).toBe(20);
      await a.locator('[data-testid="template-count"]', { hasText: '2 face templates' }).waitFor();
      await expectAccessible(a, 'student-photos-too-many');
      await consoleShot(a, 'student-photos-too-many');

      // A schedule for today, in session now (the default site is UTC).
      await a.click('[data-testid="nav-classes"]');
      await a.waitForSelector('[data-testid="classes-table"]');
      // A teacher exists, so the empty choice is "no teacher", not "none yet".
      expect(await a.locator('[data-testid="class-teacher"] option').first().textContent()).toBe(
        'No teacher',
      );
      await expectAccessible(a, 'classes');
      await consoleShot(a, 'classes');
      await a.click('text=Maths 9A');
      await a.waitForSelector('[data-testid="schedule-form"]');
      const now = new Date();
      const start = new Date(
        Math.max(now.getTime() - 10 * 60_000, Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`)),
      );
      const end = new Date(
        Math.min(now.getTime() + 80 * 60_000, Date.parse(`${now.toISOString().slice(0, 10)}T23:59:00Z`)),
      );
      await a.check('[data-testid="schedule-once"]');
      await a.fill('[data-testid="schedule-date"]', now.toISOString().slice(0, 10));
      // An end before the start is refused beside the field, by the server's own schema.
      await a.fill('[data-testid="schedule-start"]', hhmm(end));
      await a.fill('[data-testid="schedule-end"]', hhmm(start));
      await a.click('[data-testid="schedule-add"]');
      await errorShownOnce(a, '[data-testid="schedule-form"]', 'after startTime');
      await consoleShot(a, 'class-schedule-error');
      await a.fill('[data-testid="schedule-start"]', hhmm(start));
      await a.fill('[data-testid="schedule-end"]', hhmm(end));
      await a.fill('[data-testid="schedule-grace"]', '30');
      await a.click('[data-testid="schedule-add"]');
      await a.waitForSelector('[data-testid="schedules-table"] tbody tr');
      // Students already in the class are found by the enrol search but not offered again.
      await a.fill('[data-testid="enrol-search"]', '100');
      await a.press('[data-testid="enrol-search"]', 'Enter');
      await a.waitForSelector('[data-testid="enrol-results"] li');
      expect(await a.locator('[data-testid="enrol-results"] li[data-enrolled="true"]').count()).toBe(2);
      expect(await a.locator('[data-testid="enrol-results"] button').count()).toBe(0);
      await expectAccessible(a, 'class-detail');
      await consoleShot(a, 'class-detail');

      // A kiosk for the room: the pairing code, large, with its QR code.
      await a.click('[data-testid="nav-kiosks"]');
      await a.waitForSelector('[data-page="kiosks"] [data-state="empty"]');
      await expectAccessible(a, 'kiosks-empty');
      await consoleShot(a, 'kiosks-empty');
      await a.selectOption('[data-testid="kiosk-room"]', room.id);
      await a.fill('[data-testid="kiosk-name"]', 'Door of 101');
      await a.click('[data-testid="kiosk-create"]');
      const code = (await a.textContent('[data-testid="pairing-code"]'))?.trim() ?? '';
      expect(code).toMatch(/^[A-Z2-9]{8}$/);
      // The kiosk's form asks for the server's address too; this page was opened on loopback,
      // which a kiosk on another machine cannot reach, and the panel says so.
      expect(await a.textContent('[data-testid="pairing-server"]')).toContain(new URL(server.url).origin);
      await a.waitForSelector('[data-testid="pairing-server-local"]');
      await a.waitForSelector('[data-testid="pairing-qr"]');
      await expectAccessible(a, 'kiosks-pairing');
      await consoleShot(a, 'kiosks-pairing');

      // ---- the headless kiosk pairs with the code from the page
      kiosk = createKiosk({
        dataDir: join(dir, 'kiosk'),
        camera: 'none',
        engine: borrowed(suite.engine),
        logger: pino({ level: process.env.E2E_LOG ?? 'silent' }),
        adminPin: '2468',
        deviceName: 'Door of 101',
        serverUrl: server.url,
        pairingCode: code,
        sync: { intervalMs: 500, timeoutMs: 2_000, backoff: { baseMs: 200, maxMs: 1_000 } },
      });
      await kiosk.ready;
      const k = kiosk;
      await pollUntil(
        () => {
          const s = k.state();
          return s.sync.paired && s.sync.lastPullAt !== null && s.session !== null;
        },
        'the kiosk to pair and see the session',
        60_000,
      );

      // ---- the teacher, in another browser
      const teacherCtx = await suite.browser.newContext({
        viewport: { width: 1280, height: 800 },
        acceptDownloads: true,
      });
      contexts.push(teacherCtx);
      const t = await teacherCtx.newPage();
      await signInConsole(t, server.url, teacher.email, teacher.password);
      await t.waitForSelector('[data-testid="live-list"][data-live="live"]');
      await t.waitForSelector('[data-testid="today-row"][data-student="Colin Powell"][data-status="unseen"]');
      await expectAccessible(t, 'today-live-before');
      await consoleShot(t, 'today-live-before');

      // Powell at the door: the kiosk marks him, uploads, and the open page updates by itself.
      const doorAt = Date.now();
      const folder = doorSequence(join(dir, 'door'), [
        ...hold(['empty.jpg'], 4),
        ...hold(['powell-01.jpg', 'powell-02.jpg', 'powell-03.jpg'], 3),
      ]);
      kiosk.setCamera(`replay:${folder}?fps=2&loop=1`);
      await t.waitForSelector(
        '[data-testid="today-row"][data-student="Colin Powell"][data-status="present"]',
        { timeout: 90_000 },
      );
      const seenAfterMs = Date.now() - doorAt;
      kiosk.setCamera('none');
      const powellRow = await tableCells(t, '[data-testid="today-table"]', 1);
      const powellCells = powellRow.find((r) => r[1] === 'Colin Powell');
      expect(powellCells?.[2]).toBe('Present');
      // No "Score 0.80" on screen (jargon to a teacher): the door's score is in the CSV only.
      expect(powellCells?.[4]).toBe('kiosk');
      await consoleShot(t, 'today-live-present');

      // Bush: corrected to excused, the correction undone, then excused again.
      await t.click('[data-testid="today-row"][data-student="George Bush"] [data-testid="correct"]');
      await t.selectOption('[data-testid="correction-status"]', 'excused');
      await t.click('[data-testid="correction-save"]');
      await t.locator('[data-testid="correction-form"] [data-testid="field-error"]').waitFor(); // a reason is required
      await expectAccessible(t, 'today-correction-error');
      await consoleShot(t, 'today-correction-error');
      await t.fill('[data-testid="correction-reason"]', 'Dentist appointment (letter from home)');
      await t.click('[data-testid="correction-save"]');
      await t.waitForSelector('[data-testid="today-row"][data-student="George Bush"][data-status="excused"]');
      await t.click('[data-testid="today-row"][data-student="George Bush"] [data-testid="undo"]');
      await t.click('[data-testid="correction-save"]');
      await t.waitForSelector('[data-testid="today-row"][data-student="George Bush"][data-status="unseen"]');
      await t.click('[data-testid="today-row"][data-student="George Bush"] [data-testid="correct"]');
      await t.selectOption('[data-testid="correction-status"]', 'excused');
      await t.fill('[data-testid="correction-reason"]', 'Dentist appointment (letter from home)');
      await t.click('[data-testid="correction-save"]');
      await t.waitForSelector('[data-testid="today-row"][data-student="George Bush"][data-status="excused"]');
      // "By" names the teacher (the API keeps the email the event was recorded with).
      const bushRow = (await tableCells(t, '[data-testid="today-table"]', 1)).find(
        (r) => r[1] === 'George Bush',
      );
      expect(bushRow?.[4]).toBe(teacher.name);
      await expectAccessible(t, 'today-corrected');
      await consoleShot(t, 'today-corrected');

      // A student of the school whom a door saw but who is not on this class's list is named
      // under the table (a kiosk's upload, as the door would send it).
      const visitor = await call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
        siteId: 'default',
        studentNumber: '9999',
        name: 'Ada Visitor',
        consent: true,
      });
      const backDoor = await pairKiosk(app, adminToken, room.id, 'Back door of 101');
      const todaysSession = (
        await call<{ sessions: { sessionId: string }[] }>(app, adminToken, 'GET', '/api/sessions')
      ).sessions[0]?.sessionId;
      await call(app, backDoor.token, 'POST', '/api/sync/attendance', {
        events: [
          {
            id: randomUUID(),
            kind: 'exception',
            studentId: visitor.id,
            sessionId: todaysSession,
            status: null,
            occurredAt: new Date().toISOString(),
          },
        ],
      });
      await t.waitForSelector('[data-testid="not-on-list-row"][data-student="Ada Visitor"]');
      expect(await t.textContent('[data-testid="not-on-list-row"]')).toMatch(
        /^Ada Visitor \(9999\), seen at \d/,
      );
      await expectAccessible(t, 'today-not-on-list');
      await consoleShot(t, 'today-not-on-list');
      // The corrections are events in the audit trail with the teacher's name.
      const audit = await call<{ action: string; actorId: string | null }[]>(
        app,
        adminToken,
        'GET',
        '/api/audit?limit=20',
      );
      expect(audit.filter((r) => r.action === 'attendance.manual').length).toBe(2);
      expect(audit.filter((r) => r.action === 'attendance.undo').length).toBe(1);
      const report = await call<{
        students: { name: string; status: string; actor: string | null; reason: string | null }[];
      }>(
        app,
        adminToken,
        'GET',
        `/api/sessions/${encodeURIComponent((await call<{ sessions: { sessionId: string }[] }>(app, adminToken, 'GET', '/api/sessions')).sessions[0]?.sessionId ?? '')}/attendance`,
      );
      expect(report.students.find((s) => s.name === 'George Bush')).toMatchObject({
        status: 'excused',
        actor: teacher.email,
        reason: 'Dentist appointment (letter from home)',
      });

      // The CSV is the table on the page, cell for cell, plus the door's score (for IT).
      const csv = parseCsv(await downloadText(t, '[data-testid="today-csv"]'));
      expect(csv[0]).toEqual(['student_number', 'name', 'status', 'time', 'score', 'by', 'reason']);
      expect(csv.slice(1).map((r) => r.filter((_, i) => i !== 4))).toEqual(
        await tableCells(t, '[data-testid="today-table"]', 1),
      );
      expect(Number(csv.find((r) => r[1] === 'Colin Powell')?.[4])).toBeGreaterThan(0);

      // The class's history: rate per student, chart, sessions; its CSV matches too.
      await t.click('text=History of Maths 9A');
      await t.waitForSelector('[data-testid="history-students"]');
      await t.waitForSelector('[data-testid="rate-chart"]');
      await expectAccessible(t, 'history');
      await consoleShot(t, 'history');
      const historyCsv = parseCsv(await downloadText(t, '[data-testid="history-students-csv"]'));
      expect(historyCsv.slice(1)).toEqual(await tableCells(t, '[data-testid="history-students"]'));
      expect(historyCsv.slice(1).find((r) => r[1] === 'Colin Powell')?.[6]).toBe('100%');

      // Phone width: the same Today view in a corridor.
      await t.setViewportSize({ width: 390, height: 844 });
      await t.click('[data-testid="nav-today"]').catch(async () => {
        await t.click('.menu-toggle');
        await t.click('[data-testid="nav-today"]');
      });
      await t.waitForSelector('[data-testid="today-row"][data-student="George Bush"][data-status="excused"]');
      await expectAccessible(t, 'today-phone');
      await consoleShot(t, 'today-phone');

      // Error state: a page whose data cannot load says so and offers a retry.
      await a.goto(`${server.url}/#/classes/no-such-class/history`);
      await a.waitForSelector('[data-state="error"]');
      await expectAccessible(a, 'error');
      await consoleShot(a, 'error');

      // The kiosk list now shows the paired door with its version and last contact.
      await a.goto(`${server.url}/#/kiosks`);
      await a.waitForSelector('[data-testid="kiosk-row"][data-state="paired"]');
      await expectAccessible(a, 'kiosks');
      await consoleShot(a, 'kiosks');

      // The rest of the admin pages, each checked and photographed.
      await a.goto(`${server.url}/#/users`);
      await a.waitForSelector('[data-testid="users-table"]');
      await a.getByLabel('Name', { exact: true }).fill('Ada Newteacher');
      await a.getByLabel('Email', { exact: true }).fill('ada@school.example');
      await a.click('text=Send invitation');
      await a.locator('[data-testid="link-notice"]', { hasText: 'set-password?token=' }).waitFor();
      await expectAccessible(a, 'users');
      await consoleShot(a, 'users-invited');
      // The invited teacher sets a password with the link: the used-up form gives way to what to do next.
      const link = (await a.textContent('[data-testid="link-notice"] code')) ?? '';
      const invitedCtx = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(invitedCtx);
      const invited = await invitedCtx.newPage();
      await invited.goto(link);
      await invited.waitForSelector('[data-page="set-password"] form, form[data-page="set-password"]');
      await invited.getByLabel('New password', { exact: true }).fill('a long new password');
      await invited.getByLabel('New password again').fill('a long new password');
      await invited.click('text=Set password');
      await invited.locator('[data-testid="password-set"]', { hasText: 'You can sign in' }).waitFor();
      expect(await invited.locator('[data-page="set-password"] input').count()).toBe(0);
      await expectAccessible(invited, 'set-password-done');
      await consoleShot(invited, 'set-password-done');
      await a.goto(`${server.url}/#/calendar`);
      await a.waitForSelector('[data-testid="closure-form"]');
      await a.locator('[data-testid="closure-form"]').getByLabel('Name').fill('Winter holiday');
      await a.locator('[data-testid="closure-form"]').getByLabel('First day').fill('2099-12-24');
      await a
        .locator('[data-testid="closure-form"]')
        .getByLabel('Last day (empty: one day)')
        .fill('2099-12-20');
      await a.locator('[data-testid="closure-form"] button[type="submit"]').click();
      // the server refuses an end before the start, naming its field: once, beside "Last day"
      await errorShownOnce(a, '[data-testid="closure-form"]', 'is after');
      await a
        .locator('[data-testid="closure-form"] [data-testid="field-error"]', { hasText: 'is after' })
        .waitFor();
      await a
        .locator('[data-testid="closure-form"]')
        .getByLabel('Last day (empty: one day)')
        .fill('2099-12-31');
      await a.locator('[data-testid="closure-form"] button[type="submit"]').click();
      await a.locator('text=Winter holiday').first().waitFor();
      await expectAccessible(a, 'calendar');
      await consoleShot(a, 'calendar');
      await a.goto(`${server.url}/#/places`);
      await a.waitForSelector('[data-testid="sites-table"]');
      await expectAccessible(a, 'places');
      await consoleShot(a, 'places');
      await a.goto(`${server.url}/#/reports`);
      await a.waitForSelector('[data-testid="absentees-table"]');
      await a.waitForSelector('[data-testid="reports-classes"]');
      await expectAccessible(a, 'reports');
      await consoleShot(a, 'reports');
      const reportCsv = parseCsv(await downloadText(a, '[data-testid="reports-csv"]'));
      expect(reportCsv.slice(1)).toEqual(await tableCells(a, '[data-testid="reports-classes"]'));
      await a.goto(`${server.url}/#/audit?action=attendance.`);
      await a.waitForSelector('[data-testid="audit-table"]');
      expect(await a.locator('[data-testid="audit-table"] tbody tr').count()).toBe(3);
      // Each entry in words, naming the teacher, the student, the lesson and the status before and
      // after; the raw entry folded.
      expect(await a.locator('[data-testid="audit-sentence"]').allTextContents()).toEqual([
        expect.stringMatching(
          /^Changed George Bush from absent to excused in .+ on \w{3} \d{1,2} \w{3} \d{4}\.$/,
        ),
        expect.stringMatching(
          /^Undid a correction for George Bush in .+ on \w{3} \d{1,2} \w{3} \d{4}: from excused back to absent\.$/,
        ),
        expect.stringMatching(/^Changed George Bush from absent to excused in /),
      ]);
      expect((await tableCells(a, '[data-testid="audit-table"]')).map((r) => r[1])).toEqual(
        Array(3).fill(teacher.name),
      );
      await a.locator('[data-testid="audit-row"] summary').first().click();
      await a.locator('[data-testid="audit-row"] details[open] pre').getByText('"studentId"').waitFor();
      await expectAccessible(a, 'audit');
      await consoleShot(a, 'audit');
      for (const size of ['800x480', '480x800'] as const) {
        await a.setViewportSize(SIZES[size]);
        await consoleShot(a, `audit-${size}`);
      }
      await a.setViewportSize({ width: 1280, height: 800 });
      await a.goto(`${server.url}/#/account`);
      await a.waitForSelector('[data-page="account"]');
      await expectAccessible(a, 'account');
      await consoleShot(a, 'account');
      // No page load asked for a missing file; the icon is inline and drawable under the console's CSP.
      expect(notFound).toEqual([]);
      expect(
        await a.evaluate(`new Promise((resolve) => {
          const img = new Image();
          img.onload = () => resolve(img.naturalWidth > 0);
          img.onerror = () => resolve(false);
          img.src = document.querySelector('link[rel="icon"]').href;
        })`),
      ).toBe(true);
      // Phone width for the admin too: the menu folds into a button.
      await a.setViewportSize({ width: 390, height: 844 });
      await a.goto(`${server.url}/#/students`);
      await a.waitForSelector('[data-testid="students-table"]');
      await a.click('.menu-toggle');
      await expectAccessible(a, 'students-phone-menu');
      await consoleShot(a, 'students-phone-menu');

      // Archived, the class's sessions are history: listed and flagged, with no corrections offered.
      const maths = (await call<{ id: string; name: string }[]>(app, adminToken, 'GET', '/api/classes')).find(
        (c) => c.name === 'Maths 9A',
      );
      await call(app, adminToken, 'POST', `/api/classes/${maths?.id ?? ''}/archive`);
      await t.reload();
      await t.waitForSelector('[data-testid="session-card"] [data-testid="class-archived-badge"]');
      await t.waitForSelector('[data-testid="live-archived"]');
      await t.waitForSelector('[data-testid="today-row"][data-student="George Bush"][data-status="excused"]');
      expect(await t.locator('[data-testid="today-row"] [data-testid="correct"]').count()).toBe(0);
      await expectAccessible(t, 'today-archived');
      await consoleShot(t, 'today-archived');

      // eslint-disable-next-line no-console -- a figure for the report
      console.log(
        `console e2e: Powell shown present on the teacher's open page ${seenAfterMs} ms after the door replay started`,
      );
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await kiosk?.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
