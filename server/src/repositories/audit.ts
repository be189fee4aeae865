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

export async function listAudit(db: Executor, options: { limit: number; entityId?: string }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').limit(options.limit);
  if (options.entityId !== undefined) q = q.where('entity_id', '=', options.entityId);
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
