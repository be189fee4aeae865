import { describe, expect, it } from 'vitest';
import { AUDIT_KINDS, auditActor, describeAudit, ordinal, type AuditEntry } from './audit-words.js';

const ADMIN = 'u-admin';
const KIOSK = 'd-front';
const ADA = 's-ada';
const SESSION = 'sched-1@2026-09-07';
const TEACHER = 'u-teacher';
const GEORGE = 's-george';
const DEC_SESSION = 'sched-9@2026-12-07';
const SITE = 'site-north';
const names = {
  [ADMIN]: 'Jo Admin',
  [TEACHER]: 'Sam Teacher',
  [KIOSK]: 'Front door',
  [ADA]: 'Ada Lovelace',
  [GEORGE]: 'George Bush',
  [SESSION]: 'Maths 7B',
  [DEC_SESSION]: 'Maths 9A',
  [SITE]: 'North campus',
};

const entry = (e: Partial<AuditEntry> & Pick<AuditEntry, 'action'>): AuditEntry => ({
  actorKind: 'user',
  actorId: ADMIN,
  entity: 'student',
  entityId: ADA,
  detail: null,
  names,
  ...e,
});
const say = (e: Partial<AuditEntry> & Pick<AuditEntry, 'action'>, zone = 'Europe/London') =>
  describeAudit(entry(e), zone).sentence;

describe('the audit log in plain words', () => {
  it('names kiosks, students and lessons instead of ids', () => {
    expect(
      say({
        action: 'device.rename',
        entity: 'device',
        entityId: KIOSK,
        detail: { from: 'Door 1', to: 'Front door' },
      }),
    ).toBe('Renamed the kiosk “Door 1” to “Front door”.');
    expect(
      say({
        action: 'students.photos',
        detail: { modelId: 'm', accepted: ['t1', 't2'], duplicate: 1, rejected: 0 },
      }),
    ).toBe('Uploaded photos of Ada Lovelace: 2 new face templates and 1 photo already used.');
    // An older row kept only how many were refused; it says no more than that.
    expect(
      say({
        action: 'students.photos',
        detail: { modelId: 'm', accepted: ['t1'], duplicate: 0, rejected: 1, notProcessed: 3 },
      }),
    ).toBe(
      'Uploaded photos of Ada Lovelace: 1 new face template, 1 photo refused and 3 photos not processed: the face engine stopped or was busy.',
    );
    // Refused for any reason, not only for no face: each reason is said.
    expect(
      say({
        action: 'students.photos',
        detail: {
          modelId: 'm',
          accepted: [],
          duplicate: 0,
          rejected: 4,
          rejectedFor: { no_face: 2, unreadable_image: 1, poor_quality: 1 },
        },
      }),
    ).toBe(
      'Uploaded photos of Ada Lovelace: 0 new face templates and 4 photos refused (2 without a face, 1 not a readable image, 1 with a face not clear enough).',
    );
    // An import that stopped counts the photos of the folders it never reached, some of which it
    // would have skipped: an upper bound.
    expect(
      say({
        action: 'students.import',
        actorKind: 'cli',
        actorId: null,
        entityId: null,
        detail: {
          dir: '/photos',
          students: 2,
          created: 2,
          templates: 1,
          alreadyImported: 0,
          notProcessed: 4,
        },
      }),
    ).toBe(
      'Imported students’ photos on the server: 2 students (2 new), 1 face template and up to 4 photos not processed (the face engine stopped).',
    );
    expect(
      say({
        action: 'attendance.manual',
        entity: 'attendance_event',
        entityId: 'e1',
        detail: { sessionId: SESSION, studentId: ADA },
      }),
    ).toBe('Corrected the attendance of Ada Lovelace in Maths 7B on Mon 7 Sep 2026.');
    expect(
      say({
        action: 'session.move',
        entity: 'session',
        entityId: SESSION,
        detail: { toDate: '2026-09-08', startTime: '10:00', endTime: '10:45', roomId: null, reason: 'Trip' },
      }),
    ).toBe('Moved Maths 7B on Mon 7 Sep 2026: to Tue 8 Sep 2026, 10:00–10:45 (reason: “Trip”).');
  });

  it('keeps the scores of a face turned away', () => {
    expect(
      say({
        action: 'template.door_refused',
        actorKind: 'device',
        actorId: KIOSK,
        detail: {
          templateId: 't',
          deviceId: KIOSK,
          modelId: 'm',
          reason: 'unlike_enrolment',
          likeness: 0.412,
          floor: 0.55,
        },
      }),
    ).toBe(
      'Did not keep a door recognition of Ada Lovelace as a face template: it does not look enough like their enrolment photos (likeness 0.41, at least 0.55 needed).',
    );
  });

  it('writes instants on the school clock and days in words (format.ts)', () => {
    expect(
      say(
        {
          action: 'device.pin_recovery.issue',
          entity: 'device',
          entityId: KIOSK,
          detail: { codeId: 'c', expiresAt: '2026-12-06T19:30:00.000Z', replaced: ['old'] },
        },
        'Pacific/Auckland',
      ),
    ).toBe(
      'Made an admin-PIN recovery code for the kiosk “Front door”, valid until Mon 7 Dec 2026, 08:30; it replaces 1 unused code.',
    );
    expect(
      say({
        action: 'closure.delete',
        entity: 'closures',
        entityId: 'c',
        detail: { name: 'Half term', start_date: '2026-10-26', end_date: '2026-10-30' },
      }),
    ).toBe('Deleted the holiday or closure “Half term” (Mon 26 Oct 2026 to Fri 30 Oct 2026).');
  });

  it('never names an erased student (the log keeps no name) and says who acted', () => {
    const erased = entry({
      action: 'student.erase',
      entityId: 's-gone',
      detail: { templates: 3, enrolments: 1, attendanceEvents: 12 },
    });
    expect(describeAudit(erased, 'UTC').sentence).toBe(
      'Erased a student and all their data: 3 face templates, 1 class enrolment and 12 attendance records.',
    );
    expect(auditActor(erased)).toBe('Jo Admin');
    expect(auditActor(entry({ action: 'device.pair', actorKind: 'device', actorId: KIOSK }))).toBe(
      'Front door (kiosk)',
    );
    expect(auditActor(entry({ action: 'device.silent', actorKind: 'system', actorId: null }))).toBe(
      'Rollcall, on its own',
    );
    expect(
      say({
        action: 'template.delete',
        detail: { templates: 1, bySource: { photo: 1 } },
        entityId: 's-gone',
      }),
    ).toBe('Removed a face template of a student since erased (from photos).');
    expect(say({ action: 'student.create', entityId: 's-gone', detail: { consent: true } })).toBe(
      'Added a student since erased, with consent to face recognition.',
    );
    expect(say({ action: 'student.create', entityId: 's-gone' })).toBe('Added a student since erased.');
  });

  it('calls nobody "since erased" or "since removed" when the server sent no names (an older server)', () => {
    const old = { names: undefined };
    expect(
      say({
        ...old,
        action: 'attendance.manual',
        entity: 'attendance_event',
        entityId: 'e1',
        detail: { sessionId: SESSION, studentId: ADA, from: 'absent', to: 'present' },
      }),
    ).toBe('Changed a student from absent to present in a lesson of a class on Mon 7 Sep 2026.');
    expect(say({ ...old, action: 'student.create', detail: { consent: false } })).toBe(
      'Added a student, without consent to face recognition yet.',
    );
    expect(say({ ...old, action: 'device.revoke', entity: 'device', entityId: KIOSK })).toBe(
      'Revoked a kiosk: it can no longer reach the server.',
    );
    expect(
      say({ ...old, action: 'user.invite', entity: 'user', entityId: TEACHER, detail: { role: 'teacher' } }),
    ).toBe('Invited a user as a teacher.');
    expect(auditActor(entry({ ...old, action: 'device.pair', actorKind: 'device', actorId: KIOSK }))).toBe(
      'A kiosk',
    );
    expect(auditActor(entry({ ...old, action: 'student.erase' }))).toBe('A user');
    const lesson = { roomId: 'r-4', weekday: 1, date: null, startTime: '08:30', endTime: '09:15' };
    expect(
      say({ ...old, action: 'schedule.create', entity: 'schedule', entityId: 's1', detail: lesson }),
    ).toBe('Added a lesson to the timetable of a class: Mondays 08:30–09:15 in a room.');
    expect(
      say({
        action: 'schedule.create',
        entity: 'schedule',
        entityId: 's1',
        detail: { ...lesson, classId: 'c-x' },
      }),
    ).toMatch(/ in a room since deleted\.$/);
    // With names, an id without one is a record that is gone.
    expect(auditActor(entry({ action: 'student.erase', actorId: 'u-gone' }))).toBe('A user since removed');
  });

  it('words settings, sign-in and account changes', () => {
    expect(
      say({
        action: 'settings.update',
        entity: 'settings',
        entityId: null,
        detail: { doorTemplates: true, silentKioskMinutes: 45 },
      }),
    ).toBe(
      'Changed the settings: kiosks adding face templates from clear door recognitions on and silent-kiosk alert after 45 minutes.',
    );
    expect(say({ action: 'user.password_change', entity: 'user', entityId: ADMIN })).toBe(
      'Changed their own password.',
    );
    expect(
      say({
        action: 'user.update',
        entity: 'user',
        entityId: ADMIN,
        detail: { disabled: true, passwordReset: false },
      }),
    ).toBe('Changed the account of Jo Admin: disabled (signed out everywhere).');
    expect(
      say({
        action: 'site.update',
        entity: 'site',
        entityId: 'default',
        detail: {
          before: { id: 'default', name: 'Main', timezone: 'UTC', arrivalMinutes: 10 },
          after: { id: 'default', name: 'Main', timezone: 'Europe/London', arrivalMinutes: 10 },
        },
      }),
    ).toBe('Changed the site “Main”: time zone from UTC to Europe/London.');
  });

  it('lists an unknown action’s fields as readable key: value lines, names and dates included', () => {
    const words = describeAudit(
      entry({
        action: 'kiosk.teleport',
        entity: 'device',
        entityId: KIOSK,
        detail: {
          studentId: ADA,
          onDay: '2026-09-07',
          at: '2026-09-07T07:30:00Z',
          steps: [1, 2],
          extra: { okNow: true },
        },
      }),
      'Europe/London',
    );
    expect(words.sentence).toBe('“kiosk.teleport” on Front door.');
    expect(words.facts).toEqual([
      { label: 'student id', value: 'Ada Lovelace' },
      { label: 'on day', value: 'Mon 7 Sep 2026' },
      { label: 'at', value: 'Mon 7 Sep 2026, 08:30' },
      { label: 'steps', value: '1, 2' },
      { label: 'extra › ok now', value: 'yes' },
    ]);
    // A known action has its sentence and no list.
    expect(
      describeAudit(entry({ action: 'device.revoke', entity: 'device', entityId: KIOSK }), 'UTC').facts,
    ).toEqual([]);
  });

  it('words sign-ins, failed sign-ins and lockouts without anything the person typed', () => {
    const self = { entity: 'user', entityId: ADMIN };
    expect(say({ action: 'auth.sign_in', ...self, detail: { via: 'console' } })).toBe(
      'Signed in to the console.',
    );
    expect(say({ action: 'auth.sign_in', ...self, detail: { via: 'api' } })).toBe(
      'Signed in through the API.',
    );
    expect(say({ action: 'auth.sign_out', ...self, detail: { via: 'console' } })).toBe(
      'Signed out of the console.',
    );
    const failed = {
      action: 'auth.sign_in_failed',
      actorKind: 'anonymous',
      actorId: null,
      ...self,
    } as const;
    expect(auditActor(entry(failed))).toBe('Someone not signed in');
    expect(
      say({ ...failed, detail: { reason: 'wrong_password', via: 'console', failures: 3, limit: 10 } }),
    ).toBe(
      'Tried to sign in to the console as Jo Admin with a wrong password (3 of the 10 wrong passwords allowed before the account is locked).',
    );
    expect(say({ ...failed, detail: { reason: 'account_disabled', via: 'api' } })).toBe(
      'Tried to sign in through the API as Jo Admin, whose account is disabled.',
    );
    const unknown = { ...failed, entityId: null };
    expect(say({ ...unknown, detail: { reason: 'no_account', via: 'console', attempts: 1 } })).toBe(
      'Tried to sign in to the console with an email address that has no account. What was typed is not kept.',
    );
    expect(
      say({
        ...unknown,
        detail: { reason: 'no_account', via: 'api', attempts: 100, since: '2026-12-07T10:15:00.000Z' },
      }),
    ).toBe(
      'Tried to sign in through the API with an email address that has no account: the 100th such attempt since Mon 7 Dec 2026, 10:15 (the log notes the 1st, 10th, 100th, … of each 15 minutes). What was typed is not kept.',
    );
    // Written at the 10th attempt however many follow: the 10th, not "10 attempts".
    expect(say({ ...unknown, detail: { reason: 'no_account', via: 'console', attempts: 10 } })).toBe(
      'Tried to sign in to the console with an email address that has no account: the 10th such attempt (the log notes the 1st, 10th, 100th, … of each 15 minutes). What was typed is not kept.',
    );
    expect([1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 100, 101, 111, 1000].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '10th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '100th',
      '101st',
      '111th',
      '1000th',
    ]);
    const lockout = entry({
      action: 'auth.lockout',
      actorKind: 'system',
      actorId: null,
      ...self,
      detail: { failures: 10, minutes: 15, until: '2026-12-07T10:45:00.000Z' },
    });
    expect(auditActor(lockout)).toBe('Rollcall, on its own');
    expect(describeAudit(lockout, 'UTC').sentence).toBe(
      'Locked the account of Jo Admin after 10 wrong passwords: nobody can sign in as them until Mon 7 Dec 2026, 10:45, not even with the right password.',
    );
    const reuse = entry({
      action: 'auth.refresh_reuse',
      actorKind: 'system',
      actorId: null,
      ...self,
      detail: { via: 'console', outcome: 'session_ended' },
    });
    expect(auditActor(reuse)).toBe('Rollcall, on its own');
    expect(describeAudit(reuse, 'UTC').sentence).toBe(
      'Ended a console session of Jo Admin: its sign-in was used from two places, which can mean someone copied it. They sign in again; if it was not them, a new password is wise.',
    );
  });

  it('says what an attendance correction changed: the status before and after', () => {
    const correction = { entity: 'attendance_event', entityId: 'e1' };
    expect(
      say({
        action: 'attendance.manual',
        ...correction,
        detail: { sessionId: DEC_SESSION, studentId: GEORGE, from: 'absent', to: 'present' },
      }),
    ).toBe('Changed George Bush from absent to present in Maths 9A on Mon 7 Dec 2026.');
    expect(
      say({
        action: 'attendance.manual',
        ...correction,
        detail: { sessionId: DEC_SESSION, studentId: GEORGE, from: 'present', to: 'excused' },
      }),
    ).toBe('Changed George Bush from present to excused in Maths 9A on Mon 7 Dec 2026.');
    expect(
      say({
        action: 'attendance.manual',
        ...correction,
        detail: { sessionId: DEC_SESSION, studentId: GEORGE, from: 'late', to: 'late' },
      }),
    ).toBe('Marked George Bush late in Maths 9A on Mon 7 Dec 2026 (no change: already late).');
    expect(
      say({
        action: 'attendance.undo',
        ...correction,
        detail: { sessionId: DEC_SESSION, studentId: GEORGE, from: 'excused', to: 'present' },
      }),
    ).toBe('Undid a correction for George Bush in Maths 9A on Mon 7 Dec 2026: from excused back to present.');
  });

  it('words students, classes, rooms and sites added, changed and deleted', () => {
    expect(
      say({ action: 'student.create', entityId: GEORGE, detail: { siteId: SITE, consent: false } }),
    ).toBe('Added the student George Bush, without consent to face recognition yet.');
    expect(
      say({ action: 'student.update', entityId: GEORGE, detail: { changed: ['name', 'studentNumber'] } }),
    ).toBe('Changed the name and student number of George Bush.');
    expect(
      say({
        action: 'student.update',
        entityId: 's-gone',
        detail: {
          changed: ['consent', 'consentAt'],
          consent: { from: true, to: false },
          templatesRemoved: 3,
        },
      }),
    ).toBe('Withdrew the consent of a student since erased to face recognition: 3 face templates removed.');
    expect(
      say({
        action: 'student.update',
        entityId: GEORGE,
        detail: { changed: ['guardianEmail', 'consent', 'consentAt'], consent: { from: false, to: true } },
      }),
    ).toBe('Changed the guardian’s email of George Bush and recorded their consent to face recognition.');
    expect(
      say({
        action: 'class.create',
        entity: 'class',
        entityId: 'c1',
        detail: { siteId: SITE, name: 'Maths 9A', code: 'M9A', teacherId: TEACHER, arrivalMinutes: null },
      }),
    ).toBe('Added the class “Maths 9A” (code M9A, taught by Sam Teacher).');
    expect(
      say({
        action: 'class.update',
        entity: 'class',
        entityId: 'c1',
        detail: {
          before: { name: 'Maths 9A', teacherId: TEACHER, arrivalMinutes: null },
          after: { name: 'Maths 9B', teacherId: null, arrivalMinutes: 15 },
        },
      }),
    ).toBe(
      'Changed the class “Maths 9A”: renamed it “Maths 9B”, teacher from Sam Teacher to nobody and arrival window from the site’s to 15 minutes.',
    );
    expect(
      say({
        action: 'site.create',
        entity: 'site',
        entityId: SITE,
        detail: { name: 'North campus', timezone: 'Europe/London', arrivalMinutes: 10 },
      }),
    ).toBe('Added the site “North campus” (time zone Europe/London, arrival window 10 minutes).');
    expect(
      say({ action: 'room.create', entity: 'room', entityId: 'r1', detail: { name: 'Lab 2', siteId: SITE } }),
    ).toBe('Added the room “Lab 2” at the site “North campus”.');
    expect(
      say({
        action: 'room.delete',
        entity: 'room',
        entityId: 'r1',
        detail: { name: 'Lab 2', siteId: 'gone' },
      }),
    ).toBe('Deleted the room “Lab 2”.');
  });

  it('words the timetable, enrolments, a refused import and a wrong current password', () => {
    const CLASS = 'c-maths';
    const [ROOM4, LAB] = ['r-4', 'r-lab'];
    const named = { ...names, [CLASS]: 'Maths 9A', [ROOM4]: 'Room 4', [LAB]: 'Lab 2' };
    const lesson = { roomId: ROOM4, weekday: 1, date: null, startTime: '08:30', endTime: '09:15' };
    expect(
      say({
        action: 'schedule.create',
        entity: 'schedule',
        entityId: 'sch-1',
        detail: { classId: CLASS, ...lesson, graceMinutes: 10 },
        names: named,
      }),
    ).toBe('Added a lesson to the timetable of “Maths 9A”: Mondays 08:30–09:15 in Room 4.');
    expect(
      say({
        action: 'schedule.update',
        entity: 'schedule',
        entityId: 'sch-1',
        detail: {
          classId: CLASS,
          effectiveFrom: '2026-09-14',
          before: { roomId: ROOM4, weekday: 1, startTime: '08:30', graceMinutes: 10 },
          after: { roomId: LAB, weekday: 2, startTime: '09:00', graceMinutes: 5 },
        },
        names: named,
      }),
    ).toBe(
      'Changed a lesson of “Maths 9A” from Mon 14 Sep 2026 on: it meets Tuesdays instead of Mondays, ' +
        'starts at 09:00 instead of 08:30, meets in Lab 2 instead of Room 4 and has 5 minutes of grace instead of 10.',
    );
    expect(
      say({
        action: 'schedule.update',
        entity: 'schedule',
        entityId: 'sch-2',
        detail: {
          classId: CLASS,
          effectiveFrom: '2026-10-05',
          before: { weekday: 3, date: null },
          after: { weekday: null, date: '2026-10-07' },
        },
        names: named,
      }),
    ).toBe(
      'Changed a lesson of “Maths 9A” from Mon 5 Oct 2026 on: it meets Wed 7 Oct 2026 instead of Wednesdays.',
    );
    const planned = { weekday: 1, date: null, startTime: '08:30', endTime: '09:15', graceMinutes: 10 };
    // An edit that only removed a change planned later, and one that also changed a field.
    expect(
      say({
        action: 'schedule.update',
        entity: 'schedule',
        entityId: 'sch-1',
        detail: {
          classId: CLASS,
          effectiveFrom: '2026-09-14',
          replaced: [{ validFrom: '2026-10-05', ...planned, roomId: LAB }],
        },
        names: named,
      }),
    ).toBe(
      'Changed a lesson of “Maths 9A” from Mon 14 Sep 2026 on: it stays as it was, and replaced ' +
        'the change planned from Mon 5 Oct 2026 (Mondays 08:30–09:15 in Lab 2).',
    );
    expect(
      say({
        action: 'schedule.update',
        entity: 'schedule',
        entityId: 'sch-1',
        detail: {
          classId: CLASS,
          effectiveFrom: '2026-09-14',
          before: { startTime: '08:30' },
          after: { startTime: '08:45' },
          replaced: [
            { validFrom: '2026-10-05', ...planned, roomId: LAB },
            { validFrom: '2026-11-02', ...planned, roomId: 'r-gone' },
          ],
        },
        names: named,
      }),
    ).toBe(
      'Changed a lesson of “Maths 9A” from Mon 14 Sep 2026 on: it starts at 08:45 instead of 08:30, ' +
        'and replaced the change planned from Mon 5 Oct 2026 (Mondays 08:30–09:15 in Lab 2) and ' +
        'the change planned from Mon 2 Nov 2026 (Mondays 08:30–09:15 in a room since deleted).',
    );
    expect(
      say({
        action: 'schedule.delete',
        entity: 'schedule',
        entityId: 'sch-1',
        detail: { classId: 'c-gone', lastDate: '2026-09-13', ...lesson, roomId: 'r-gone', graceMinutes: 10 },
        names: named,
      }),
    ).toBe(
      'Removed the lesson Mondays 08:30–09:15 in a room since deleted from the timetable of a class since removed (its last day: Sun 13 Sep 2026).',
    );
    expect(say({ action: 'enrolment.add', detail: { classId: CLASS }, names: named })).toBe(
      'Enrolled Ada Lovelace in the class “Maths 9A”.',
    );
    expect(
      say({
        action: 'enrolment.add',
        entityId: 's-erased',
        detail: { classId: CLASS, from: '2026-09-14', rejoined: true },
        names: named,
      }),
    ).toBe(
      // A re-join reopens the old enrolment: the `from` an older row kept did not apply.
      'Enrolled again a student since erased in the class “Maths 9A”: back on its lists as before, ' +
        'the days since they left included.',
    );
    expect(
      say({ action: 'enrolment.remove', detail: { classId: CLASS, lastDate: '2026-09-13' }, names: named }),
    ).toBe('Removed Ada Lovelace from the class “Maths 9A” (on its lists up to Sun 13 Sep 2026).');
    expect(
      say({
        action: 'roster.import_refused',
        entity: 'site',
        entityId: SITE,
        detail: { rows: 120, problems: 3 },
      }),
    ).toBe(
      'Refused a roster import into the site “North campus”: 3 problems in 120 rows. Nothing was imported.',
    );
    // Refused as it was written (an archive at the same moment), not for the file's problems.
    expect(
      say({
        action: 'roster.import_refused',
        entity: 'site',
        entityId: SITE,
        detail: { rows: 120, refusal: 'class_archived' },
      }),
    ).toBe(
      'Refused a roster import into the site “North campus” (120 rows): a class it enrols students into ' +
        'was archived at the same moment. Nothing was imported; running it again reports what to do.',
    );
    const refusedChange = say({
      action: 'user.password_change_failed',
      actorId: TEACHER,
      entity: 'user',
      entityId: TEACHER,
      detail: { reason: 'wrong_password', via: 'console' },
    });
    expect(refusedChange).toBe(
      'Tried to change their own password in the console with a wrong current password. Nothing changed; what was typed is not kept.',
    );
    expect(
      say({
        action: 'user.password_set.cli',
        actorKind: 'cli',
        actorId: null,
        entity: 'user',
        entityId: ADMIN,
        detail: { enabled: true },
      }),
    ).toBe(
      "Set a new password for Jo Admin from the server's command line (every session of the account ended) and enabled the account again.",
    );
  });

  // That every action the server writes has its words and a What filter is checked against the
  // server's sources in server/src/repositories/audit-actions.test.ts (this file cannot read them).
  it('filters every sign-in entry, failed ones and lockouts too, under one honest label', () => {
    expect(AUDIT_KINDS.find((k) => k.value === 'auth.')?.label).toBe('All sign-in activity');
  });
});
