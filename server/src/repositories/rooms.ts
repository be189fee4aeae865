import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, RoomTable, SiteTable } from '../db/schema.js';
import { DEFAULT_ARRIVAL_MINUTES } from '../../../src/contracts/occurrences.js';
import { conflict, notFound } from '../errors.js';
import { writeAudit, type Actor } from './audit.js';
import { appendChanges, type ChangeInput } from './changes.js';
import { paged, type Executor, type Page } from './executor.js';

export const toSite = (r: SiteTable) => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  arrivalMinutes: r.arrival_minutes,
});
export const toRoom = (r: RoomTable) => ({ id: r.id, siteId: r.site_id, name: r.name });
const rosterRoom = (r: RoomTable) => ({ id: r.id, name: r.name });
/** The RosterSite record of the contract; logged under the site itself so only its kiosks get it. */
const siteChange = (r: SiteTable): ChangeInput => ({
  siteId: r.id,
  entity: 'site',
  entityId: r.id,
  data: { id: r.id, name: r.name, timezone: r.timezone, arrivalMinutes: r.arrival_minutes },
});

export async function getSite(db: Executor, id: string): Promise<SiteTable> {
  const site = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  if (!site) throw notFound(`site ${id}`);
  return site;
}

export async function listSites(db: Executor, page?: Page) {
  return (await paged(db.selectFrom('sites').selectAll().orderBy('name').orderBy('id'), page).execute()).map(
    toSite,
  );
}

/** Adds a site, audited `site.create` (its name, zone and arrival window) in the same transaction. */
export async function createSite(
  db: Kysely<DB>,
  input: { name: string; timezone: string; arrivalMinutes?: number },
  actor: Actor,
  now: string,
) {
  const row: SiteTable = {
    id: randomUUID(),
    name: input.name,
    timezone: input.timezone,
    created_at: now,
    arrival_minutes: input.arrivalMinutes ?? DEFAULT_ARRIVAL_MINUTES,
    calendar_version: 0,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('sites').values(row).execute();
    await appendChanges(trx, [siteChange(row)], now);
    const { id, ...detail } = toSite(row);
    await writeAudit(trx, { actor, action: 'site.create', entity: 'site', entityId: id, detail }, now);
  });
  return toSite(row);
}

/**
 * Renames a site or sets its time zone. A change to either reaches the site's kiosks through
 * the roster feed (entity 'site'): they compute session ids in that zone. A zone change moves
 * which session every later mark at the site belongs to, so it is audited (same transaction).
 */
export async function updateSite(
  db: Kysely<DB>,
  id: string,
  patch: { name?: string; timezone?: string; arrivalMinutes?: number },
  actor: Actor,
  now: string,
) {
  return db.transaction().execute(async (trx) => {
    const before = await getSite(trx, id);
    const changes = {
      ...(patch.name === undefined || patch.name === before.name ? {} : { name: patch.name }),
      ...(patch.timezone === undefined || patch.timezone === before.timezone
        ? {}
        : { timezone: patch.timezone }),
      ...(patch.arrivalMinutes === undefined || patch.arrivalMinutes === before.arrival_minutes
        ? {}
        : { arrival_minutes: patch.arrivalMinutes }),
    };
    if (Object.keys(changes).length === 0) return toSite(before);
    // Only the fields the patch changes: `before` may be stale (PostgreSQL, read committed), and
    // writing it back would undo a concurrent edit of the other field, here and at every kiosk.
    await trx.updateTable('sites').set(changes).where('id', '=', id).execute();
    // Read again under the row lock just taken: the record kiosks get is the row as it now is.
    const after = await getSite(trx, id);
    await appendChanges(trx, [siteChange(after)], now);
    await writeAudit(
      trx,
      {
        actor,
        action: 'site.update',
        entity: 'site',
        entityId: id,
        detail: { before: toSite(before), after: toSite(after) },
      },
      now,
    );
    return toSite(after);
  });
}

export async function getRoom(db: Executor, id: string): Promise<RoomTable> {
  const room = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
  if (!room) throw notFound(`room ${id}`);
  return room;
}

export async function listRooms(db: Executor, siteId?: string, page?: Page) {
  let q = paged(db.selectFrom('rooms').selectAll().orderBy('name').orderBy('id'), page);
  if (siteId !== undefined) q = q.where('site_id', '=', siteId);
  return (await q.execute()).map(toRoom);
}

/** Adds a room, audited `room.create` in the same transaction. */
export async function createRoom(
  db: Kysely<DB>,
  input: { siteId: string; name: string },
  actor: Actor,
  now: string,
) {
  await getSite(db, input.siteId);
  const row: RoomTable = { id: randomUUID(), site_id: input.siteId, name: input.name, created_at: now };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('rooms').values(row).execute();
    await appendChanges(
      trx,
      [{ siteId: row.site_id, entity: 'room', entityId: row.id, data: rosterRoom(row) }],
      now,
    );
    await writeAudit(
      trx,
      {
        actor,
        action: 'room.create',
        entity: 'room',
        entityId: row.id,
        detail: { name: row.name, siteId: row.site_id },
      },
      now,
    );
  });
  return toRoom(row);
}

/**
 * Deletes a room no schedule or kiosk uses, audited `room.delete` in the same transaction with
 * its name (the room is gone, so the log is the only place left that says what it was).
 */
export async function deleteRoom(db: Kysely<DB>, id: string, actor: Actor, now: string): Promise<void> {
  const room = await getRoom(db, id);
  await db.transaction().execute(async (trx) => {
    const used = await trx
      .selectFrom('schedules')
      .select('id')
      .where('room_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    const device = await trx
      .selectFrom('devices')
      .select('id')
      .where('room_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (used || device)
      throw conflict('room is used by schedules or devices; remove them first', 'room_in_use');
    await trx.deleteFrom('rooms').where('id', '=', id).execute();
    await appendChanges(trx, [{ siteId: room.site_id, entity: 'room', entityId: id, data: null }], now);
    await writeAudit(
      trx,
      {
        actor,
        action: 'room.delete',
        entity: 'room',
        entityId: id,
        detail: { name: room.name, siteId: room.site_id },
      },
      now,
    );
  });
}
