import { randomUUID } from 'node:crypto';
import type { AuditLogTable } from '../db/schema.js';
import { chunks, type Executor } from './executor.js';

export interface Actor {
  kind: AuditLogTable['actor_kind'];
  id: string | null;
  /** Human-readable (email, device name) for event `actor` fields. */
  label?: string;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity: string;
  entityId: string | null;
  detail?: object;
}

/** Audit rows are written in the transaction of the action they record. */
export async function writeAudit(db: Executor, entry: AuditEntry, now: string): Promise<void> {
  await writeAudits(db, [entry], now);
}

/** Several rows in ONE statement: all or none, without a transaction of their own. */
export async function writeAudits(db: Executor, entries: readonly AuditEntry[], now: string): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((entry) => ({
        id: randomUUID(),
        at: now,
        actor_kind: entry.actor.kind,
        actor_id: entry.actor.id,
        action: entry.action,
        entity: entry.entity,
        entity_id: entry.entityId,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      })),
    )
    .execute();
}

export interface AuditFilter {
  limit: number;
  offset?: number;
  entityId?: string;
  actorId?: string;
  /** An action or a prefix of one ending with a dot (`attendance.` = every attendance action). */
  action?: string;
  /** ISO instants, inclusive from, exclusive to. */
  from?: string;
  to?: string;
}

const asStoredInstant = (iso: string): string => new Date(iso).toISOString();

export async function listAudit(db: Executor, options: AuditFilter) {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .offset(options.offset ?? 0);
  if (options.entityId !== undefined) q = q.where('entity_id', '=', options.entityId);
  if (options.actorId !== undefined) q = q.where('actor_id', '=', options.actorId);
  if (options.action !== undefined) {
    const action = options.action;
    q = action.endsWith('.')
      ? q.where('action', '>=', action).where('action', '<', `${action.slice(0, -1)}/`)
      : q.where('action', '=', action);
  }
  // `at` is stored as UTC ISO text with milliseconds and compared as text: a bound written with
  // an offset (+01:00) or without milliseconds is brought to the same form first, or it would
  // compare by its characters, not its instant.
  if (options.from !== undefined) q = q.where('at', '>=', asStoredInstant(options.from));
  if (options.to !== undefined) q = q.where('at', '<', asStoredInstant(options.to));
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
  }));
}

/**
 * Erasure's part in the log: an attendance correction's row keeps, per student id, the lesson and
 * the status before and after (`from`, `to`), which is attendance history. Once the student is
 * erased the row keeps that a correction was made, by whom, when and in which lesson, but not the
 * statuses. `eventIds` are the student's correction events (a correction's row names its event).
 */
export async function blankCorrectionStatuses(db: Executor, eventIds: readonly string[]): Promise<number> {
  let blanked = 0;
  for (const ids of chunks(eventIds, 500)) {
    const rows = await db
      .selectFrom('audit_log')
      .select(['id', 'detail'])
      .where('entity', '=', 'attendance_event')
      .where('entity_id', 'in', ids)
      .execute();
    for (const row of rows) {
      if (row.detail === null) continue;
      const detail = JSON.parse(row.detail) as Record<string, unknown>;
      if (!('from' in detail) && !('to' in detail)) continue;
      delete detail.from;
      delete detail.to;
      await db
        .updateTable('audit_log')
        .set({ detail: JSON.stringify(detail) })
        .where('id', '=', row.id)
        .execute();
      blanked++;
    }
  }
  return blanked;
}
