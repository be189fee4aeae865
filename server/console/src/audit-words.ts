// The audit log in plain words: one sentence per entry for an admin ("Renamed the kiosk “Door 1”
// to “Front door”."), naming people and things by what the server says they are called today
// (the row's `names`, looked up by /api/audit in one go). The log keeps ids and counts only, so an
// erased student is "a student since erased", never a name; a row without `names` (an older
// server during a rolling deploy) says just "a student", as it cannot tell who was erased. An
// action this file does not know (a newer server) is named by its code with its detail as a
// "key: value" list, so nothing is hidden; the raw entry stays behind the page's Details
// disclosure either way. Dates and times go through format.ts like everywhere else in the console.
import { dateTimeIn, longDate, score } from './format.js';

export interface AuditEntry {
  actorKind: string;
  actorId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: unknown;
  /** id → today's name, from the server; absent ids have no record any more. */
  names?: Readonly<Record<string, string>>;
}

export interface AuditFact {
  label: string;
  value: string;
}

export interface AuditWords {
  /** One sentence, its subject being the entry's actor (shown beside it). */
  sentence: string;
  /** For an action without its own wording: the detail, one readable line per field. */
  facts: AuditFact[];
}

type Detail = Record<string, unknown>;

/** "1 face template", "3 face templates". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const quoted = (s: string) => `“${s}”`;
/** The session id's date part (`<scheduleId>@YYYY-MM-DD`). */
const sessionDate = (sessionId: string | undefined) => sessionId?.slice(sessionId.lastIndexOf('@') + 1) ?? '';

/** Why photos were refused, by the code the upload counted them under (`rejectedFor`). */
const PHOTO_REFUSALS: Readonly<Record<string, string>> = {
  no_face: 'without a face',
  poor_quality: 'with a face not clear enough',
  unreadable_image: 'not a readable image',
  analysis_failed: 'the face engine could not analyse',
};

/**
 * " (2 without a face, 1 not a readable image)"; nothing for an older row, which kept only the
 * total.
 */
function photoRefusals(byCode: unknown): string {
  if (typeof byCode !== 'object' || byCode === null) return '';
  const parts = Object.entries(byCode as Detail).flatMap(([code, n]) =>
    num(n) ? [`${num(n)} ${PHOTO_REFUSALS[code] ?? code}`] : [],
  );
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** Why a roster import was refused as it was being written, by its `refusal` code. */
const ROSTER_REFUSALS: Readonly<Record<string, string>> = {
  class_archived: 'a class it enrols students into was archived at the same moment',
  not_found: 'a class it enrols students into was deleted at the same moment',
  conflict: 'another change to the same students was made at the same moment',
};

/**
 * The kinds of entry an admin can filter by: an action, or a prefix ending with a dot that
 * /api/audit reads as every action under it (`attendance.`).
 */
export const AUDIT_KINDS: readonly { value: string; label: string }[] = [
  { value: 'auth.', label: 'All sign-in activity' },
  { value: 'auth.sign_in_failed', label: 'Failed sign-ins' },
  { value: 'auth.lockout', label: 'Accounts locked after wrong passwords' },
  { value: 'auth.refresh_reuse', label: 'Sessions ended: a sign-in was copied' },
  { value: 'attendance.', label: 'Attendance corrections' },
  { value: 'session.', label: 'Lessons cancelled or moved' },
  { value: 'class.', label: 'Classes added, changed, archived or brought back' },
  { value: 'term.', label: 'Terms' },
  { value: 'closure.', label: 'Holidays and closures' },
  { value: 'students.photos', label: 'Photos uploaded' },
  { value: 'template.', label: 'Face templates, one at a time' },
  { value: 'templates.', label: 'Face templates removed in bulk' },
  { value: 'student.', label: 'Students added, changed or erased' },
  { value: 'roster.import', label: 'Roster imports' },
  { value: 'roster.import_refused', label: 'Roster imports refused' },
  { value: 'enrolment.', label: 'Students added to or removed from classes' },
  { value: 'schedule.', label: 'Timetable: lessons added, changed or removed' },
  { value: 'students.import', label: 'Photo imports on the server' },
  { value: 'device.', label: 'Kiosks' },
  { value: 'user.', label: 'Users, invitations and passwords' },
  { value: 'user.password_change_failed', label: 'Password changes refused: wrong current password' },
  { value: 'site.', label: 'Sites added or changed' },
  { value: 'room.', label: 'Rooms added or deleted' },
  { value: 'settings.update', label: 'Settings changed' },
];

/** Who did it, for the Who column: a person's or kiosk's name, or what the server itself is. */
export function auditActor(e: AuditEntry): string {
  const name = e.actorId ? e.names?.[e.actorId] : undefined;
  const gone = e.names === undefined ? '' : ' since removed';
  switch (e.actorKind) {
    case 'user':
      return name ?? `A user${gone}`;
    case 'device':
      return name ? `${name} (kiosk)` : `A kiosk${gone}`;
    case 'system':
      return 'Rollcall, on its own';
    case 'cli':
      return 'A command on the server';
    case 'anonymous':
      return 'Someone not signed in';
    default:
      return name ?? e.actorKind;
  }
}

/** The entry in words, or its code and fields when this console does not know the action. */
export function describeAudit(e: AuditEntry, timeZone: string): AuditWords {
  const d: Detail =
    e.detail !== null && typeof e.detail === 'object' && !Array.isArray(e.detail) ? (e.detail as Detail) : {};
  const nameOf = (id: unknown) => (typeof id === 'string' ? e.names?.[id] : undefined);
  const entityName = nameOf(e.entityId);
  // Without `names` (an older server) an unnamed id says nothing about whether its record is gone.
  const gone = (how: string) => (e.names === undefined ? '' : ` since ${how}`);
  const room: RoomWords = (id) => (str(id) ? (nameOf(id) ?? `a room${gone('deleted')}`) : null);
  const student = (id: unknown = e.entityId) => nameOf(id) ?? `a student${gone('erased')}`;
  const kiosk = (id: unknown = e.entityId) => {
    const name = nameOf(id);
    return name ? `the kiosk ${quoted(name)}` : `a kiosk${gone('removed')}`;
  };
  const person = (id: unknown = e.entityId) => nameOf(id) ?? `a user${gone('removed')}`;
  const className = (id: unknown) => {
    const name = nameOf(id);
    return name ? quoted(name) : `a class${gone('removed')}`;
  };
  /** "Maths 7B on Mon 7 Sep 2026": a session id names its class (by `names`) and its date. */
  const lesson = (sessionId: unknown) => {
    const id = str(sessionId);
    const date = longDate(sessionDate(id));
    const cls = nameOf(id) ?? `a lesson of a class${gone('removed')}`;
    return date ? `${cls} on ${date}` : cls;
  };
  const when = (iso: unknown) => dateTimeIn(str(iso), timeZone);
  const range = (from: unknown, to: unknown) => {
    const [a, b] = [longDate(str(from)), longDate(str(to))];
    return a === b || !b ? a : `${a} to ${b}`;
  };
  const reason = (r: unknown) => (str(r) ? ` (reason: ${quoted(str(r)!)})` : '');
  const words = (sentence: string): AuditWords => ({ sentence, facts: [] });
  const door = (via: unknown) =>
    via === 'console' ? ' to the console' : via === 'api' ? ' through the API' : '';

  switch (e.action) {
    // Kiosks
    case 'device.create':
      return words(`Added ${kiosk()}, ready to pair.`);
    case 'device.rename':
      return words(`Renamed the kiosk ${quoted(str(d.from) ?? '?')} to ${quoted(str(d.to) ?? '?')}.`);
    case 'device.repair':
      return words(`Made a new pairing code for ${kiosk()}, to pair it again.`);
    case 'device.revoke':
      return words(`Revoked ${kiosk()}: it can no longer reach the server.`);
    case 'device.pair': {
      const name = str(d.name) ?? entityName ?? 'a kiosk';
      const reported = str(d.reportedName);
      const kept =
        d.nameByAdmin === true && reported && reported !== name
          ? ` (it calls itself ${quoted(reported)}; the admin’s name is kept)`
          : '';
      return words(`Paired with the server as ${quoted(name)}${kept}.`);
    }
    case 'device.pin_recovery.issue': {
      const replaced = Array.isArray(d.replaced) ? d.replaced.length : 0;
      const until = when(d.expiresAt);
      return words(
        `Made an admin-PIN recovery code for ${kiosk()}${until ? `, valid until ${until}` : ''}` +
          (replaced > 0 ? `; it replaces ${count(replaced, 'unused code')}.` : '.'),
      );
    }
    case 'device.pin_recovery.used': {
      const at = when(d.usedAt);
      return words(
        `Opened its admin area with an admin-PIN recovery code${at ? ` (${at} on the kiosk)` : ''}.`,
      );
    }
    case 'device.silent': {
      const minutes = num(d.minutes);
      const threshold = num(d.thresholdMinutes);
      const last = when(d.lastSeenAt);
      const emailed = num(d.emailedAdmins) ?? 0;
      return words(
        `Flagged ${kiosk()} as silent` +
          (minutes !== undefined ? `: not heard from for ${count(minutes, 'minute')} of school hours` : '') +
          (threshold !== undefined ? ` (the alert is at ${count(threshold, 'minute')})` : '') +
          (last ? `, last heard from ${last}` : ', never heard from') +
          (emailed > 0 ? `. Emailed ${count(emailed, 'admin')}.` : '. No admin was emailed.'),
      );
    }

    // Face data
    case 'students.photos': {
      const added = Array.isArray(d.accepted) ? d.accepted.length : 0;
      const parts = [count(added, 'new face template')];
      const duplicate = num(d.duplicate) ?? 0;
      const rejected = num(d.rejected) ?? 0;
      if (duplicate > 0) parts.push(`${count(duplicate, 'photo')} already used`);
      if (rejected > 0) parts.push(`${count(rejected, 'photo')} refused${photoRefusals(d.rejectedFor)}`);
      const notProcessed = num(d.notProcessed) ?? 0;
      if (notProcessed > 0)
        parts.push(`${count(notProcessed, 'photo')} not processed: the face engine stopped or was busy`);
      return words(`Uploaded photos of ${student()}: ${joinWords(parts)}.`);
    }
    case 'template.delete': {
      const from = sourceParts(d.bySource, false);
      return words(`Removed a face template of ${student()}${from.length ? ` (${from.join(', ')})` : ''}.`);
    }
    case 'templates.delete_all': {
      const from = sourceParts(d.bySource, true);
      const n = count(num(d.templates) ?? 0, 'template');
      return words(
        `Removed all face templates of ${student()} (${n}${from.length ? `: ${from.join(', ')}` : ''}).`,
      );
    }
    case 'template.enrol_refused':
      return words(`Refused a face enrolled at the kiosk as ${student()}: ${unlike(d)}. Nothing was stored.`);
    case 'template.door_refused':
      return words(`Did not keep a door recognition of ${student()} as a face template: ${unlike(d)}.`);
    case 'template.door_added': {
      const scores = [
        num(d.similarity) !== undefined ? `likeness ${score(num(d.similarity)!)}` : '',
        num(d.margin) !== undefined ? `lead over the next student ${score(num(d.margin)!)}` : '',
      ].filter(Boolean);
      return words(
        `Kept a clear door recognition of ${student()} as an extra face template` +
          (scores.length ? ` (${scores.join(', ')})` : '') +
          (str(d.replaced) ? ', replacing their older door template.' : '.'),
      );
    }
    case 'templates.purge_model': {
      const site = nameOf(d.siteId);
      const kept = num(d.studentsKept) ?? 0;
      return words(
        `Deleted ${count(num(d.templates) ?? 0, 'face template')} of the retired face model ${quoted(str(d.modelId) ?? e.entityId ?? '?')}` +
          ` from ${count(num(d.students) ?? 0, 'student')}` +
          (site ? ` of the site ${quoted(site)}` : '') +
          (str(d.onlyIfReplacedBy)
            ? `, only of students already enrolled with ${quoted(str(d.onlyIfReplacedBy)!)}`
            : '') +
          (kept > 0
            ? `; ${count(kept, 'student keeps', 'students keep')} theirs until enrolled again.`
            : '.'),
      );
    }

    // Students and the roster
    case 'student.create':
      return words(
        `Added ${entityName ? `the student ${entityName}` : student()}` +
          (d.consent === true
            ? ', with consent to face recognition.'
            : d.consent === false
              ? ', without consent to face recognition yet.'
              : '.'),
      );
    case 'student.update':
      return words(studentChange(d, student()));
    case 'student.erase':
      return words(
        `Erased ${entityName ?? 'a student'} and all their data: ${joinWords([
          count(num(d.templates) ?? 0, 'face template'),
          count(num(d.enrolments) ?? 0, 'class enrolment'),
          count(num(d.attendanceEvents) ?? 0, 'attendance record'),
        ])}.`,
      );
    case 'students.import':
      return words(
        `Imported students’ photos on the server: ${joinWords([
          `${count(num(d.students) ?? 0, 'student')} (${num(d.created) ?? 0} new)`,
          count(num(d.templates) ?? 0, 'face template'),
          ...(num(d.alreadyImported) ? [`${count(num(d.alreadyImported)!, 'photo')} already imported`] : []),
          ...(num(d.notProcessed)
            ? [`up to ${count(num(d.notProcessed)!, 'photo')} not processed (the face engine stopped)`]
            : []),
        ])}.`,
      );
    case 'roster.import':
      return words(
        `Imported a roster${entityName ? ` into the site ${quoted(entityName)}` : ''}: ${joinWords([
          `${count(num(d.created) ?? 0, 'student')} added`,
          `${num(d.updated) ?? 0} updated`,
          count(num(d.enrolmentsAdded) ?? 0, 'class enrolment') + ' added',
        ])}.`,
      );
    case 'roster.import_refused': {
      const into = entityName ? ` into the site ${quoted(entityName)}` : '';
      const rows = count(num(d.rows) ?? 0, 'row');
      // Refused as it was being written (a change made at the same moment), not for the file.
      const refusal = str(d.refusal);
      if (refusal !== undefined)
        return words(
          `Refused a roster import${into} (${rows}): ${ROSTER_REFUSALS[refusal] ?? `refused as ${refusal}`}. ` +
            'Nothing was imported; running it again reports what to do.',
        );
      const problems = num(d.problems) ?? 0;
      return words(
        `Refused a roster import${into}: ${count(problems, 'problem')} in ${rows}. Nothing was imported.`,
      );
    }
    case 'enrolment.add': {
      // A re-join reopens the student's old enrolment: on the lists from their first start again,
      // the days since they left included, whatever `from` the request gave (older rows kept it).
      if (d.rejoined === true)
        return words(
          `Enrolled again ${student()} in the class ${className(d.classId)}: back on its lists as before, ` +
            'the days since they left included.',
        );
      const from = longDate(str(d.from));
      return words(
        `Enrolled ${student()} in the class ${className(d.classId)}${from ? ` from ${from}` : ''}.`,
      );
    }
    case 'enrolment.remove': {
      const last = longDate(str(d.lastDate));
      return words(
        `Removed ${student()} from the class ${className(d.classId)}` +
          `${last ? ` (on its lists up to ${last})` : ''}.`,
      );
    }

    // Attendance
    case 'attendance.manual': {
      const [from, to] = [statusWord(d.from), statusWord(d.to)];
      const who = student(d.studentId);
      if (!from || !to) return words(`Corrected the attendance of ${who} in ${lesson(d.sessionId)}.`);
      return words(
        from === to
          ? `Marked ${who} ${to} in ${lesson(d.sessionId)} (no change: already ${from}).`
          : `Changed ${who} from ${from} to ${to} in ${lesson(d.sessionId)}.`,
      );
    }
    case 'attendance.undo': {
      const [from, to] = [statusWord(d.from), statusWord(d.to)];
      return words(
        `Undid a correction for ${student(d.studentId)} in ${lesson(d.sessionId)}` +
          (from && to && from !== to ? `: from ${from} back to ${to}.` : '.'),
      );
    }

    // Classes, lessons and the calendar
    case 'class.archive': {
      const name = entityName ?? str(d.name) ?? 'a class';
      const last = longDate(str(d.lastSessionDate));
      const ended = num(d.schedulesEnded) ?? 0;
      return words(
        `Archived the class ${name} (${last ? `last lesson ${last}` : 'it had no lessons'}` +
          `${ended > 0 ? `, ${count(ended, 'timetable entry', 'timetable entries')} ended` : ''}).`,
      );
    }
    case 'class.unarchive': {
      const name = entityName ?? str(d.name) ?? 'a class';
      const since = dateTimeIn(str(d.archivedAt), timeZone);
      const reopened = num(d.schedulesReopened) ?? 0;
      return words(
        `Brought back the class ${name}${since ? `, archived since ${since}` : ''}` +
          `${reopened > 0 ? ` (${count(reopened, 'timetable entry', 'timetable entries')} reopened)` : ''}.`,
      );
    }
    case 'session.cancel':
      return words(`Cancelled ${lesson(e.entityId)}${reason(d.reason)}.`);
    case 'session.move': {
      const to = [
        str(d.toDate) ? `to ${longDate(str(d.toDate))}` : '',
        str(d.startTime) && str(d.endTime) ? `${str(d.startTime)}–${str(d.endTime)}` : '',
        nameOf(d.roomId) ? `in ${nameOf(d.roomId)}` : str(d.roomId) ? 'in another room' : '',
      ].filter(Boolean);
      return words(`Moved ${lesson(e.entityId)}${to.length ? `: ${to.join(', ')}` : ''}${reason(d.reason)}.`);
    }
    case 'session.restore':
      return words(
        `Undid the ${d.kind === 'cancelled' ? 'cancellation' : d.kind === 'moved' ? 'move' : 'change'} of ${lesson(e.entityId)}; it is back as timetabled.`,
      );
    case 'schedule.create':
      return words(`Added a lesson to the timetable of ${className(d.classId)}: ${lessonWords(d, room)}.`);
    case 'schedule.update': {
      const from = longDate(str(d.effectiveFrom));
      const after = (d.after ?? {}) as Detail;
      // Versions planned to start later that the edit removed (the row may hold only those).
      const replaced = (Array.isArray(d.replaced) ? d.replaced : [])
        .filter((v): v is Detail => v !== null && typeof v === 'object')
        .map((v) => `the change planned from ${longDate(str(v.validFrom)) || '?'} (${lessonWords(v, room)})`);
      const changed = Object.keys(after).length > 0 || replaced.length === 0;
      return words(
        `Changed a lesson of ${className(d.classId)}${from ? ` from ${from} on` : ''}: ` +
          (changed ? lessonChange((d.before ?? {}) as Detail, after, room) : 'it stays as it was') +
          (replaced.length > 0 ? `, and replaced ${joinWords(replaced)}` : '') +
          '.',
      );
    }
    case 'schedule.delete': {
      const last = longDate(str(d.lastDate));
      return words(
        `Removed the lesson ${lessonWords(d, room)} from the timetable of ${className(d.classId)}` +
          `${last ? ` (its last day: ${last})` : ''}.`,
      );
    }
    case 'term.create':
      return words(`Added the term ${quoted(str(d.name) ?? '?')}: ${range(d.startDate, d.endDate)}.`);
    case 'closure.create':
      return words(
        `Added the holiday or closure ${quoted(str(d.name) ?? '?')}: ${range(d.startDate, d.endDate)}.`,
      );
    // A deletion records the row as stored (snake_case).
    case 'term.delete':
      return words(`Deleted the term ${quoted(str(d.name) ?? '?')} (${range(d.start_date, d.end_date)}).`);
    case 'closure.delete':
      return words(
        `Deleted the holiday or closure ${quoted(str(d.name) ?? '?')} (${range(d.start_date, d.end_date)}).`,
      );

    case 'class.create': {
      const facts = [
        str(d.code) ? `code ${str(d.code)}` : '',
        str(d.teacherId) ? `taught by ${person(d.teacherId)}` : '',
      ].filter(Boolean);
      return words(
        `Added the class ${quoted(str(d.name) ?? entityName ?? '?')}${facts.length ? ` (${facts.join(', ')})` : ''}.`,
      );
    }
    case 'class.update':
      return words(classChange(d, entityName, person));

    // Sites, rooms and settings
    case 'site.create': {
      const minutes = num(d.arrivalMinutes);
      return words(
        `Added the site ${quoted(str(d.name) ?? entityName ?? '?')}` +
          ` (time zone ${str(d.timezone) ?? '?'}` +
          (minutes !== undefined ? `, arrival window ${count(minutes, 'minute')})` : ')') +
          '.',
      );
    }
    case 'room.create':
    case 'room.delete': {
      const site = nameOf(d.siteId);
      return words(
        `${e.action === 'room.create' ? 'Added' : 'Deleted'} the room ${quoted(str(d.name) ?? entityName ?? '?')}` +
          (site ? ` at the site ${quoted(site)}.` : '.'),
      );
    }
    case 'site.update':
      return words(siteChange(d, entityName));
    case 'settings.update':
      return words(`Changed the settings: ${settingChanges(d)}.`);

    // People and sign-in
    case 'auth.sign_in':
      return words(`Signed in${door(d.via)}.`);
    case 'auth.sign_out':
      return words(`Signed out${d.via === 'console' ? ' of the console' : door(d.via)}.`);
    case 'auth.sign_in_failed':
      return words(failedSignIn(d, e.entityId ? person() : undefined, door(d.via), timeZone));
    case 'auth.lockout': {
      const until = when(d.until);
      return words(
        `Locked the account of ${person()} after ${count(num(d.failures) ?? 0, 'wrong password')}` +
          (until ? `: nobody can sign in as them until ${until}, not even with the right password.` : '.'),
      );
    }
    case 'auth.refresh_reuse':
      return words(
        `Ended ${d.via === 'console' ? 'a console session' : d.via === 'api' ? 'an API session' : 'a session'}` +
          ` of ${person()}: its sign-in was used from two places, which can mean someone copied it.` +
          ' They sign in again; if it was not them, a new password is wise.',
      );
    case 'user.create':
      return words(
        e.actorKind === 'cli'
          ? `Created the ${roleWord(d.role)} account of ${person()}.`
          : `Added ${person()} as ${roleWithArticle(d.role)}.`,
      );
    case 'user.invite':
      return words(`Invited ${person()} as ${roleWithArticle(d.role)}.`);
    case 'user.update':
      return words(`Changed the account of ${person()}: ${userChanges(d)}.`);
    case 'user.password_change':
      return words(
        e.actorId === e.entityId ? 'Changed their own password.' : `Changed the password of ${person()}.`,
      );
    case 'user.password_change_failed':
      return words(
        `Tried to change their own password${d.via === 'console' ? ' in the console' : door(d.via)}` +
          ' with a wrong current password. Nothing changed; what was typed is not kept.',
      );
    case 'user.password_link':
      return words(
        d.emailed === true
          ? `Emailed ${person()} a link to set a new password.`
          : `Made a link for ${person()} to set a new password (shown on screen, not emailed).`,
      );
    case 'user.password_set.invite':
      return words('Chose their password from their invitation link: the account is ready.');
    case 'user.password_set.reset':
      return words('Set a new password from a reset link.');
    case 'user.password_set.cli':
      return words(
        `Set a new password for ${person()} from the server's command line (every session of the account ended)` +
          (d.enabled === true ? ' and enabled the account again.' : '.'),
      );
  }
  return unknownAction(e, timeZone);
}

const STATUS_WORDS: Readonly<Record<string, string>> = {
  present: 'present',
  late: 'late',
  absent: 'absent',
  excused: 'excused',
};
const statusWord = (s: unknown) => (typeof s === 'string' ? STATUS_WORDS[s] : undefined);

/** "1st", "2nd", "10th", "111th": the log writes an attempt's number, not a running total. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** A failed sign-in: to an account (its id, never what was typed), or with an email of no account. */
function failedSignIn(d: Detail, account: string | undefined, door: string, timeZone: string): string {
  if (d.reason === 'no_account' || account === undefined) {
    const attempts = num(d.attempts) ?? 1;
    const since = dateTimeIn(str(d.since), timeZone);
    return (
      `Tried to sign in${door} with an email address that has no account` +
      (attempts > 1
        ? `: the ${ordinal(attempts)} such attempt${since ? ` since ${since}` : ''} (the log notes the 1st, 10th, 100th, … of each 15 minutes)`
        : '') +
      '. What was typed is not kept.'
    );
  }
  if (d.reason === 'account_disabled')
    return `Tried to sign in${door} as ${account}, whose account is disabled.`;
  const failures = num(d.failures);
  const limit = num(d.limit);
  return (
    `Tried to sign in${door} as ${account} with a wrong password` +
    (failures !== undefined && limit !== undefined
      ? ` (${failures} of the ${limit} wrong passwords allowed before the account is locked).`
      : '.')
  );
}

const STUDENT_FIELD_WORDS: Readonly<Record<string, string>> = {
  name: 'name',
  studentNumber: 'student number',
  email: 'email',
  guardianEmail: 'guardian’s email',
  consentAt: 'consent date',
};
/** The fields an edit changed (their values are not in the log) and a change of consent. */
function studentChange(d: Detail, who: string): string {
  const consent = (d.consent ?? null) as Detail | null;
  const changed = Array.isArray(d.changed) ? d.changed.filter((f): f is string => typeof f === 'string') : [];
  const fields = changed
    .filter((f) => f !== 'consent' && !(consent && f === 'consentAt'))
    .map((f) => STUDENT_FIELD_WORDS[f] ?? spaced(f));
  const removed = num(d.templatesRemoved) ?? 0;
  const templatesGone = removed > 0 ? `: ${count(removed, 'face template')} removed` : '';
  const withdrawn = consent?.to === false;
  const given = consent?.to === true;
  if (fields.length === 0) {
    if (withdrawn) return `Withdrew the consent of ${who} to face recognition${templatesGone}.`;
    if (given) return `Recorded the consent of ${who} to face recognition.`;
    return `Saved ${who} unchanged.`;
  }
  return (
    `Changed the ${joinWords(fields)} of ${who}` +
    (withdrawn ? ` and withdrew their consent to face recognition${templatesGone}` : '') +
    (given ? ' and recorded their consent to face recognition' : '') +
    '.'
  );
}

function classChange(d: Detail, nameToday: string | undefined, person: (id: unknown) => string): string {
  const before = (d.before ?? {}) as Detail;
  const after = (d.after ?? {}) as Detail;
  const parts: string[] = [];
  const teacher = (id: unknown) => (str(id) ? person(id) : 'nobody');
  const window = (m: unknown) => (num(m) !== undefined ? count(num(m)!, 'minute') : 'the site’s');
  if ('name' in after) parts.push(`renamed it ${quoted(str(after.name) ?? '?')}`);
  if ('code' in after) parts.push(`code from ${str(before.code) ?? 'none'} to ${str(after.code) ?? 'none'}`);
  if ('teacherId' in after)
    parts.push(`teacher from ${teacher(before.teacherId)} to ${teacher(after.teacherId)}`);
  if ('arrivalMinutes' in after)
    parts.push(`arrival window from ${window(before.arrivalMinutes)} to ${window(after.arrivalMinutes)}`);
  const cls = quoted(str(before.name) ?? nameToday ?? '?');
  return parts.length
    ? `Changed the class ${cls}: ${joinWords(parts)}.`
    : `Saved the class ${cls} unchanged.`;
}

const WEEKDAY_WORDS = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];
/** When a timetable entry meets: "Mondays" (weekly, 0 = Sunday) or "Mon 7 Sep 2026" (once). */
function meetsWords(weekday: unknown, date: unknown): string {
  const day = num(weekday);
  if (day !== undefined) return WEEKDAY_WORDS[day] ?? `day ${day}`;
  return longDate(str(date)) || '?';
}
/** A room as a row names it ("Room 4", "a room since deleted"), or null for a row without one. */
type RoomWords = (roomId: unknown) => string | null;
/** "Mondays 08:30–09:15 in Room 4". */
function lessonWords(d: Detail, room: RoomWords): string {
  const times = str(d.startTime) && str(d.endTime) ? ` ${str(d.startTime)}–${str(d.endTime)}` : '';
  const where = room(d.roomId);
  return `${meetsWords(d.weekday, d.date)}${times}${where ? ` in ${where}` : ''}`;
}
/** A timetable edit's changed fields (only those are in the row), before and after. */
function lessonChange(before: Detail, after: Detail, room: RoomWords): string {
  const parts: string[] = [];
  if ('weekday' in after || 'date' in after)
    parts.push(
      `meets ${meetsWords(after.weekday, after.date)} instead of ${meetsWords(before.weekday, before.date)}`,
    );
  if ('startTime' in after)
    parts.push(`starts at ${str(after.startTime) ?? '?'} instead of ${str(before.startTime) ?? '?'}`);
  if ('endTime' in after)
    parts.push(`ends at ${str(after.endTime) ?? '?'} instead of ${str(before.endTime) ?? '?'}`);
  if ('roomId' in after)
    parts.push(`meets in ${room(after.roomId) ?? '?'} instead of ${room(before.roomId) ?? '?'}`);
  if ('graceMinutes' in after)
    parts.push(
      `has ${count(num(after.graceMinutes) ?? 0, 'minute')} of grace instead of ${num(before.graceMinutes) ?? '?'}`,
    );
  return parts.length ? `it ${joinWords(parts)}` : 'nothing changed';
}

/** "a, b and c". */
function joinWords(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

const SOURCES: Readonly<Record<string, string>> = {
  photo: 'from photos',
  kiosk: 'enrolled at a kiosk',
  door: 'kept at the door',
};
/** Where the removed templates came from: ["from photos"], or ["2 from photos", "1 kept at the door"]. */
function sourceParts(bySource: unknown, withCounts: boolean): string[] {
  if (bySource === null || typeof bySource !== 'object') return [];
  return Object.entries(bySource as Record<string, unknown>)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0)
    .map(([k, n]) => (withCounts ? `${n} ${SOURCES[k] ?? k}` : (SOURCES[k] ?? k)));
}

/** Why a face offered as a student's was turned away, with its scores. */
function unlike(d: Detail): string {
  const likeness = num(d.likeness);
  const floor = num(d.floor);
  if (d.reason === 'uncalibrated_model')
    return `its face model ${quoted(str(d.modelId) ?? '?')} has no calibrated threshold to compare faces with`;
  const scores =
    likeness !== undefined
      ? ` (likeness ${score(likeness)}${floor !== undefined ? `, at least ${score(floor)} needed` : ''})`
      : '';
  return `it does not look enough like their enrolment photos${scores}`;
}

const roleWord = (role: unknown) =>
  role === 'admin' ? 'admin' : role === 'teacher' ? 'teacher' : String(role ?? 'user');
const roleWithArticle = (role: unknown) => `${roleWord(role) === 'admin' ? 'an' : 'a'} ${roleWord(role)}`;

function userChanges(d: Detail): string {
  const parts: string[] = [];
  if (str(d.name)) parts.push(`name set to ${quoted(str(d.name)!)}`);
  if (d.role !== undefined) parts.push(`made ${roleWithArticle(d.role)}`);
  if (d.disabled === true) parts.push('disabled (signed out everywhere)');
  if (d.disabled === false) parts.push('enabled again');
  if (d.passwordReset === true) parts.push('given a new password');
  return parts.length ? joinWords(parts) : 'nothing changed';
}

function siteChange(d: Detail, nameToday: string | undefined): string {
  const before = (d.before ?? {}) as Detail;
  const after = (d.after ?? {}) as Detail;
  const parts: string[] = [];
  if (before.name !== after.name) parts.push(`renamed it ${quoted(str(after.name) ?? '?')}`);
  if (before.timezone !== after.timezone)
    parts.push(`time zone from ${str(before.timezone) ?? '?'} to ${str(after.timezone) ?? '?'}`);
  if (before.arrivalMinutes !== after.arrivalMinutes)
    parts.push(
      `arrival window from ${num(before.arrivalMinutes) ?? '?'} to ${count(num(after.arrivalMinutes) ?? 0, 'minute')}`,
    );
  const site = quoted(str(before.name) ?? nameToday ?? '?');
  return parts.length
    ? `Changed the site ${site}: ${joinWords(parts)}.`
    : `Saved the site ${site} unchanged.`;
}

function settingChanges(d: Detail): string {
  const onOff = (v: unknown) => (v === true ? 'on' : 'off');
  const parts = Object.entries(d).map(([key, v]) => {
    switch (key) {
      case 'retainPhotos':
        return `keeping uploaded photos ${onOff(v)}`;
      case 'silentKioskMinutes':
        return `silent-kiosk alert after ${count(num(v) ?? 0, 'minute')}`;
      case 'doorTemplates':
        return `kiosks adding face templates from clear door recognitions ${onOff(v)}`;
      default:
        return `${spaced(key)} set to ${plain(v)}`;
    }
  });
  return parts.length ? joinWords(parts) : 'nothing changed';
}

/** "lastSeenAt" → "last seen at", "start_date" → "start date". */
function spaced(key: string): string {
  return key
    .replace(/[_.]/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function plain(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** An action this console has no words for: its code, its record, and each field readably. */
function unknownAction(e: AuditEntry, timeZone: string): AuditWords {
  const facts: AuditFact[] = [];
  const value = (v: unknown): string => {
    if (typeof v === 'string') {
      if (e.names?.[v]) return e.names[v];
      if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return longDate(v) || v;
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v)))
        return dateTimeIn(v, timeZone);
      return v;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return 'none';
      if (v.every((x) => typeof x !== 'object' || x === null)) return v.map(value).join(', ');
    }
    return plain(v);
  };
  const walk = (obj: Detail, prefix: string) => {
    for (const [key, v] of Object.entries(obj)) {
      const label = prefix ? `${prefix} › ${spaced(key)}` : spaced(key);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Detail, label);
      else facts.push({ label, value: value(v) });
    }
  };
  if (e.detail !== null && typeof e.detail === 'object' && !Array.isArray(e.detail))
    walk(e.detail as Detail, '');
  else if (e.detail !== null && e.detail !== undefined)
    facts.push({ label: 'detail', value: value(e.detail) });
  const record = e.entityId
    ? (e.names?.[e.entityId] ?? `${spaced(e.entity)} ${e.entityId.slice(0, 8)}`)
    : spaced(e.entity);
  return { sentence: `${quoted(e.action)} on ${record}.`, facts };
}
