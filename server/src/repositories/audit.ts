import { randomUUID } from 'node:crypto';
import type { AuditLogTable } from '../db/schema.js';
import type { Executor } from './executor.js';

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
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: now,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
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
  if (options.from !== undefined) q = q.where('at', '>=', options.from);
  if (options.to !== undefined) q = q.where('at', '<', options.to);
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
