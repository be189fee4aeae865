// `npm run scenario -- --faces DIR --school-day`: the door scenario on an ordinary school day.
// Site "default" (UTC), room "Door 1", every enrolled identity in three classes:
//  - "Class before": today, from 30 min ago until the next class starts (back to back);
//  - "Next class": weekly on today's weekday, starting in ~9 minutes (its arrival window of
//    10 min is open during the whole door run), with four past weeks of recorded attendance
//    (the schedule is dated back four weeks in the database: the server only ever creates
//    schedules "now");
//  - "Morning class": today, ended 20 min ago, in a room without a kiosk (its absences are
//    emailed: the control that shows the email path works).
// Every early arrival must be marked present for "Next class" (on both lists: the coming one),
// none for "Class before". When the first mark is made, the admin edits "Next class"'s
// timetable from tomorrow on; its past report (JSON, CSV, a past session) must stay
// byte-identical. Then a second campus whose calendar says today is a holiday runs the same
// door sequence on its own kiosk: nobody marked, and no absence email for it.
import { sql } from 'kysely';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Database as ServerDatabase } from '../server/src/db/database.js';
import type { TestSmtpServer } from '../server/src/notifications/smtp-test-server.js';
import { addDays } from '../src/contracts/site-time.js';

interface Api {
  app: FastifyInstance | null;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}
interface Decision {
  [k: string]: unknown;
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export class SchoolDay {
  private editing: Promise<void> | null = null;
  private editedDuringRun = false;
  private pastBefore: string[] = [];
  private readonly pastUrls: string[];

  private constructor(
    private readonly server: Api,
    private readonly database: ServerDatabase,
    private readonly progress: (m: string) => void,
    readonly today: string,
    readonly startsAt: string,
    readonly classId: string,
    readonly scheduleId: string,
    private readonly beforeClassId: string,
    private readonly beforeScheduleId: string,
    private readonly morningClassId: string,
    private readonly morningScheduleId: string,
    private readonly weekday: number,
  ) {
    const from = addDays(today, -28);
    const to = addDays(today, -1);
    this.pastUrls = [
      `/api/reports/classes/${classId}?from=${from}&to=${to}`,
      `/api/reports/classes/${classId}?from=${from}&to=${to}&format=csv`,
      `/api/reports/sessions/${encodeURIComponent(`${scheduleId}@${addDays(today, -7)}`)}?format=csv`,
      `/api/sessions/${encodeURIComponent(`${scheduleId}@${addDays(today, -14)}`)}/attendance`,
    ];
  }

  static async setUp(
    server: Api,
    database: ServerDatabase,
    roomId: string,
    now: Date,
    progress: (m: string) => void,
  ): Promise<SchoolDay> {
    const today = now.toISOString().slice(0, 10);
    const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
    const start = minutes + 9;
    if (minutes < 45 || start + 60 > 23 * 60 + 59)
      throw new Error('--school-day needs 00:45-22:50 UTC (its classes are placed around now, on today)');
    const weekday = now.getUTCDay();
    const next = await server.api<{ id: string }>('POST', '/api/classes', {
      name: 'Next class',
      code: 'NEXT',
      siteId: 'default',
    });
    const nextSchedule = await server.api<{ id: string }>('POST', `/api/classes/${next.id}/schedules`, {
      roomId,
      weekday,
      startTime: hhmm(start),
      endTime: hhmm(start + 60),
      graceMinutes: 5,
    });
    // Four weeks of history: as if the schedule had been entered a month ago.
    const since = `${addDays(today, -29)}T00:00:00.000Z`;
    await database.db
      .updateTable('schedules')
      .set({ created_at: since })
      .where('id', '=', nextSchedule.id)
      .execute();
    const before = await server.api<{ id: string }>('POST', '/api/classes', {
      name: 'Class before',
      code: 'BEFORE',
      siteId: 'default',
    });
    const beforeSchedule = await server.api<{ id: string }>('POST', `/api/classes/${before.id}/schedules`, {
      roomId,
      date: today,
      startTime: hhmm(minutes - 30),
      endTime: hhmm(start),
      graceMinutes: 5,
    });
    const quietRoom = await server.api<{ id: string }>('POST', '/api/rooms', {
      name: 'Room without kiosk',
      siteId: 'default',
    });
    const morning = await server.api<{ id: string }>('POST', '/api/classes', {
      name: 'Morning class',
      code: 'MORNING',
      siteId: 'default',
    });
    const morningSchedule = await server.api<{ id: string }>('POST', `/api/classes/${morning.id}/schedules`, {
      roomId: quietRoom.id,
      date: today,
      startTime: hhmm(minutes - 40),
      endTime: hhmm(minutes - 20),
      graceMinutes: 5,
    });
    // Entered this morning (a session that ended before its schedule existed never happened).
    await database.db
      .updateTable('schedules')
      .set({ created_at: `${today}T00:00:00.000Z` })
      .where('id', '=', morningSchedule.id)
      .execute();
    const startsAt = `${today}T${hhmm(start)}:00.000Z`;
    progress(
      `school day: "Class before" until ${hhmm(start)}, "Next class" ${hhmm(start)}-${hhmm(start + 60)} (door open from ${hhmm(start - 10)}), history since ${since.slice(0, 10)}`,
    );
    return new SchoolDay(
      server,
      database,
      progress,
      today,
      startsAt,
      next.id,
      nextSchedule.id,
      before.id,
      beforeSchedule.id,
      morning.id,
      morningSchedule.id,
      weekday,
    );
  }

  /** Enrols the students in the other classes and records four past weeks of "Next class". */
  async enrolAndRecordHistory(studentIds: string[]): Promise<void> {
    // Enrolled from the start of the history (the class existed, so did its list).
    await sql`update enrolments set valid_from = ${addDays(this.today, -29)} where class_id = ${this.classId}`.execute(
      this.database.db,
    );
    await this.server.api('POST', `/api/classes/${this.beforeClassId}/enrolments`, { studentIds });
    // On the list for the whole day (its session ended before they were entered).
    await this.server.api('POST', `/api/classes/${this.morningClassId}/enrolments`, {
      studentIds,
      from: this.today,
    });
    for (let week = 1; week <= 4; week++) {
      const sessionId = `${this.scheduleId}@${addDays(this.today, -7 * week)}`;
      for (const [i, studentId] of studentIds.entries()) {
        if ((i + week) % 3 === 0) continue; // absent that week
        const status = (i + week) % 5 === 0 ? 'excused' : 'present';
        await this.server.api('POST', '/api/attendance/corrections', {
          kind: 'manual',
          sessionId,
          studentId,
          status,
          reason: 'scenario history',
        });
      }
    }
    this.pastBefore = await this.snapshot();
  }

  private async snapshot(): Promise<string[]> {
    const out: string[] = [];
    for (const url of this.pastUrls)
      out.push(JSON.stringify(await this.server.api<unknown>('GET', url).catch(async () => this.raw(url))));
    return out;
  }

  /** CSV answers are text, not JSON. */
  private async raw(url: string): Promise<string> {
    const res = await this.server.app?.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${(this.server as unknown as { token: string }).token}` },
    });
    return res?.body ?? '';
  }

  /** The admin moves "Next class" to the next weekday at 08:00 from tomorrow on (once, during the door run). */
  editTimetableOnce(): void {
    if (this.editing) return;
    this.editedDuringRun = true;
    this.editing = this.server
      .api('PATCH', `/api/schedules/${this.scheduleId}`, {
        effectiveFrom: addDays(this.today, 1),
        weekday: (this.weekday + 1) % 7,
        startTime: '08:00',
        endTime: '09:00',
      })
      .then(() => this.progress('school day: timetable of "Next class" edited mid-run (from tomorrow)'));
  }

  async finish(r: {
    report: { students: { studentId: string; status: string; markedAt: string | null }[] };
    expectedPresent: number;
    runHoliday: (pairingCode: string) => Promise<{ decisions: Decision[]; kioskMarks: number }>;
    smtp: TestSmtpServer;
    enrolled: { name: string; templates: string[] }[];
  }): Promise<Record<string, unknown>> {
    await this.editing;
    const early = r.report.students.filter(
      (s) =>
        (s.status === 'present' || s.status === 'late') && s.markedAt !== null && s.markedAt < this.startsAt,
    );
    const beforeReport = await this.server.api<{ students: { status: string }[] }>(
      'GET',
      `/api/sessions/${encodeURIComponent(`${this.beforeScheduleId}@${this.today}`)}/attendance`,
    );
    const pastAfter = await this.snapshot();

    // --- the holiday campus: same people, same door, today closed.
    const site = await this.server.api<{ id: string }>('POST', '/api/sites', {
      name: 'Holiday campus',
      timezone: 'UTC',
    });
    await this.server.api('POST', `/api/sites/${site.id}/closures`, {
      name: 'Founders day',
      startDate: this.today,
      endDate: this.today,
    });
    const room = await this.server.api<{ id: string }>('POST', '/api/rooms', {
      name: 'Holiday door',
      siteId: site.id,
    });
    const cls = await this.server.api<{ id: string }>('POST', '/api/classes', {
      name: 'Holiday class',
      siteId: site.id,
    });
    const now = new Date();
    const m = now.getUTCHours() * 60 + now.getUTCMinutes();
    // One session that would have ended (absence emails) and one that would be running now.
    const held = await this.server.api<{ id: string }>('POST', `/api/classes/${cls.id}/schedules`, {
      roomId: room.id,
      date: this.today,
      startTime: hhmm(m - 40),
      endTime: hhmm(m - 20),
      graceMinutes: 5,
    });
    const running = await this.server.api<{ id: string }>('POST', `/api/classes/${cls.id}/schedules`, {
      roomId: room.id,
      weekday: this.weekday,
      startTime: hhmm(m - 5),
      endTime: hhmm(m + 55),
      graceMinutes: 5,
    });
    await this.database.db
      .updateTable('schedules')
      .set({ created_at: `${this.today}T00:00:00.000Z` })
      .where('id', 'in', [held.id, running.id])
      .execute();
    const studentIds: string[] = [];
    for (const [n, p] of r.enrolled.entries()) {
      const s = await this.server.api<{ id: string }>('POST', '/api/students', {
        siteId: site.id,
        studentNumber: `H${n + 1}`,
        name: p.name.replace(/_/g, ' '),
        consent: true,
        guardianEmail: `guardian.h${n + 1}@home.example`,
      });
      const form = new FormData();
      for (const f of p.templates)
        form.append(
          'photos',
          new Blob([readFileSync(f)], { type: f.endsWith('.png') ? 'image/png' : 'image/jpeg' }),
          f.split('/').pop(),
        );
      await this.server.api('POST', `/api/students/${s.id}/photos`, form);
      studentIds.push(s.id);
    }
    // On the list for the whole day: were it a school day, the ended session would email all.
    await this.server.api('POST', `/api/classes/${cls.id}/enrolments`, { studentIds, from: this.today });
    const device = await this.server.api<{ pairingCode: string }>('POST', '/api/devices', {
      roomId: room.id,
      name: 'Holiday door',
    });
    this.progress('school day: the holiday campus runs the same door sequence');
    const holiday = await r.runHoliday(device.pairingCode);
    const holidayEvents = await this.database.db
      .selectFrom('attendance_events')
      .select('id')
      .where('student_id', 'in', studentIds)
      .execute();

    // --- absence emails: one planner tick and the sends, into the SMTP server started here.
    const app = this.server.app as FastifyInstance & { notifications: { tick(): Promise<unknown> } };
    const ticks = [await app.notifications.tick(), await app.notifications.tick()];
    const keyOf = (mail: { headers: Map<string, string> }) =>
      mail.headers.get('x-rollcall-notification') ?? '';
    const holidayMails = r.smtp.received.filter((mail) =>
      [held.id, running.id].some((id) => keyOf(mail).includes(id)),
    );
    const schoolDayMails = r.smtp.received.filter((mail) => keyOf(mail).includes(this.morningScheduleId));

    return {
      early_marked: early.length,
      early_expected: r.expectedPresent,
      early_marked_in_class_before: beforeReport.students.filter(
        (s) => s.status === 'present' || s.status === 'late',
      ).length,
      timetable_edited_mid_run: this.editedDuringRun,
      past_report_changed: pastAfter.some((body, i) => body !== this.pastBefore[i]),
      past_report_urls: this.pastUrls.length,
      holiday_marks: holiday.kioskMarks + holidayEvents.length,
      // Recognised at the holiday door (so "nobody marked" is not just nobody seen), and told so.
      holiday_recognised: holiday.decisions.filter((d) => typeof d.studentId === 'string').length,
      holiday_no_class_today: holiday.decisions.filter((d) => d.msg === 'No class today').length,
      holiday_absence_emails: holidayMails.length,
      school_day_absence_emails: schoolDayMails.length,
      notification_ticks: ticks,
    };
  }
}
