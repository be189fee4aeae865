// Today's names for the ids a page of the audit log mentions (who did it, to whom, in which
// lesson), so the console can write "renamed the kiosk of Room 4" instead of showing uuids. The
// log itself keeps ids and counts only (students.ts: no personal data in what erasure leaves), so
// names are looked up when the page is read: an erased student or a deleted room has no name any
// more and the console says so. One query per kind of record for the whole page, never one per row.
import { parseSessionId } from '../services/sessions.js';
import type { Executor } from './executor.js';

type Kind = 'user' | 'device' | 'student' | 'class' | 'site' | 'room' | 'session';

/** The audit fields an id can sit in, and what it is the id of. */
const ENTITY_KINDS: Readonly<Record<string, Kind>> = {
  user: 'user',
  device: 'device',
  student: 'student',
  class: 'class',
  site: 'site',
  room: 'room',
  session: 'session',
};
const DETAIL_KINDS: Readonly<Record<string, Kind>> = {
  studentId: 'student',
  deviceId: 'device',
  sessionId: 'session',
  siteId: 'site',
  roomId: 'room',
  classId: 'class',
  teacherId: 'user',
};

export interface AuditIds {
  actorKind: string;
  actorId: string | null;
  entity: string;
  entityId: string | null;
  detail: unknown;
}

/** Each id of the row with the kind of record it names. */
function idsOf(row: AuditIds): [string, Kind][] {
  const out: [string, Kind][] = [];
  if (row.actorId !== null && (row.actorKind === 'user' || row.actorKind === 'device'))
    out.push([row.actorId, row.actorKind]);
  const entityKind = ENTITY_KINDS[row.entity];
  if (row.entityId !== null && entityKind) out.push([row.entityId, entityKind]);
  const scan = (detail: unknown) => {
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return;
    for (const [key, value] of Object.entries(detail)) {
      const kind = DETAIL_KINDS[key];
      if (kind && typeof value === 'string' && value !== '') out.push([value, kind]);
    }
  };
  scan(row.detail);
  // An edit's `before` and `after` (class.update: the teacher it had and has).
  if (row.detail !== null && typeof row.detail === 'object' && !Array.isArray(row.detail)) {
    const { before, after } = row.detail as { before?: unknown; after?: unknown };
    scan(before);
    scan(after);
  }
  return out;
}

/**
 * Each row with `names`: its ids (actor, record, the detail's studentId, sessionId, ...) mapped
 * to what the record is called today. A session is named by its class (its date is in its id).
 * Ids with no record any more are left out.
 */
export async function withNames<R extends AuditIds>(
  db: Executor,
  rows: readonly R[],
): Promise<(R & { names: Record<string, string> })[]> {
  const wanted = new Map<Kind, Set<string>>();
  for (const row of rows)
    for (const [id, kind] of idsOf(row)) {
      const set = wanted.get(kind) ?? new Set<string>();
      set.add(id);
      wanted.set(kind, set);
    }
  const ids = (kind: Kind) => [...(wanted.get(kind) ?? [])];
  const named = new Map<string, string>();
  const add = (found: { id: string; name: string }[]) => found.forEach((r) => named.set(r.id, r.name));

  const users = ids('user');
  if (users.length)
    add(await db.selectFrom('users').select(['id', 'name']).where('id', 'in', users).execute());
  const devices = ids('device');
  if (devices.length)
    add(await db.selectFrom('devices').select(['id', 'name']).where('id', 'in', devices).execute());
  const students = ids('student');
  if (students.length)
    add(await db.selectFrom('students').select(['id', 'name']).where('id', 'in', students).execute());
  const classes = ids('class');
  if (classes.length)
    add(await db.selectFrom('classes').select(['id', 'name']).where('id', 'in', classes).execute());
  const sites = ids('site');
  if (sites.length)
    add(await db.selectFrom('sites').select(['id', 'name']).where('id', 'in', sites).execute());
  const rooms = ids('room');
  if (rooms.length)
    add(await db.selectFrom('rooms').select(['id', 'name']).where('id', 'in', rooms).execute());

  const sessions = ids('session');
  const scheduleOf = new Map(sessions.map((s) => [s, parseSessionId(s)?.scheduleId]));
  const schedules = [...new Set([...scheduleOf.values()].filter((x): x is string => x !== undefined))];
  if (schedules.length) {
    const classOf = new Map(
      (
        await db
          .selectFrom('schedules')
          .innerJoin('classes', 'classes.id', 'schedules.class_id')
          .select(['schedules.id as id', 'classes.name as name'])
          .where('schedules.id', 'in', schedules)
          .execute()
      ).map((r) => [r.id, r.name]),
    );
    for (const [session, schedule] of scheduleOf) {
      const name = schedule === undefined ? undefined : classOf.get(schedule);
      if (name !== undefined) named.set(session, name);
    }
  }

  return rows.map((row) => {
    const names: Record<string, string> = {};
    for (const [id] of idsOf(row)) {
      const name = named.get(id);
      if (name !== undefined) names[id] = name;
    }
    return { ...row, names };
  });
}
