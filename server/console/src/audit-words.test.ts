import { describe, expect, it } from 'vitest';
import { auditActor, describeAudit, type AuditEntry } from './audit-words.js';

const ADMIN = 'u-admin';
const KIOSK = 'd-front';
const ADA = 's-ada';
const SESSION = 'sched-1@2026-09-07';
const names = { [ADMIN]: 'Jo Admin', [KIOSK]: 'Front door', [ADA]: 'Ada Lovelace', [SESSION]: 'Maths 7B' };

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
});
