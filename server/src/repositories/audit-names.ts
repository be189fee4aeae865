// Today's names for the ids a page of the audit log mentions (who did it, to whom, in which
// lesson), so the console can write "renamed the kiosk of Room 4" instead of showing uuids. The
// log itself keeps ids and counts only (students.ts: no personal data in what erasure leaves), so
// names are looked up when the page is read: an erased student or a deleted room has no name any
// more and the console says so. One query per kind of record for the whole page (per 500 ids),
// never one per row.
import { parseSessionId } from '../services/sessions.js';
import { chunks, unique, type Executor } from './executor.js';

type Kind = 'user' | 'device' | 'student' | 'class' | 'site' | 'room' | 'session';

/** The table each kind of record is named from (a session, by its schedule's class, apart). */
const NAMED_TABLES = [
  ['user', 'users'],
  ['device', 'devices'],
  ['student', 'students'],
  ['class', 'classes'],
  ['site', 'sites'],
  ['room', 'rooms'],
] as const;
/** Ids per IN list, the repositories' usual bound (executor.ts `chunks`). */
const IN_LIST = 500;

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
  // An edit's `before` and `after` (class.update: the teacher it had and has), and the versions
  // it `replaced` (schedule.update: the rooms of the changes planned later that it removed).
  if (row.detail !== null && typeof row.detail === 'object' && !Array.isArray(row.detail)) {
    const { before, after, replaced } = row.detail as {
      before?: unknown;
      after?: unknown;
      replaced?: unknown;
    };
    scan(before);
    scan(after);
    if (Array.isArray(replaced)) replaced.forEach(scan);
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
  const ids = (kind: Kind) =>
    unique(rows.flatMap((row) => idsOf(row).flatMap(([id, k]) => (k === kind ? [id] : []))));
  const named = new Map<string, string>();

  for (const [kind, table] of NAMED_TABLES)
    for (const part of chunks(ids(kind), IN_LIST))
      for (const r of await db.selectFrom(table).select(['id', 'name']).where('id', 'in', part).execute())
        named.set(r.id, r.name);

  const sessions = ids('session');
  const scheduleOf = new Map(sessions.map((s) => [s, parseSessionId(s)?.scheduleId]));
  const schedules = unique([...scheduleOf.values()].filter((x): x is string => x !== undefined));
  const classOf = new Map<string, string>();
  for (const part of chunks(schedules, IN_LIST))
    for (const r of await db
      .selectFrom('schedules')
      .innerJoin('classes', 'classes.id', 'schedules.class_id')
      .select(['schedules.id as id', 'classes.name as name'])
      .where('schedules.id', 'in', part)
      .execute())
      classOf.set(r.id, r.name);
  for (const [session, schedule] of scheduleOf) {
    const name = schedule === undefined ? undefined : classOf.get(schedule);
    if (name !== undefined) named.set(session, name);
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
