import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, RoomTable, SiteTable } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import { appendChanges } from './changes.js';
import type { Executor } from './executor.js';

export const toSite = (r: SiteTable) => ({ id: r.id, name: r.name, timezone: r.timezone });
export const toRoom = (r: RoomTable) => ({ id: r.id, siteId: r.site_id, name: r.name });
const rosterRoom = (r: RoomTable) => ({ id: r.id, name: r.name });

export async function getSite(db: Executor, id: string): Promise<SiteTable> {
  const site = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  if (!site) throw notFound(`site ${id}`);
  return site;
}

export async function listSites(db: Executor) {
  return (await db.selectFrom('sites').selectAll().orderBy('name').execute()).map(toSite);
}

export async function createSite(db: Executor, input: { name: string; timezone: string }, now: string) {
  const row: SiteTable = { id: randomUUID(), name: input.name, timezone: input.timezone, created_at: now };
  await db.insertInto('sites').values(row).execute();
  return toSite(row);
}

export async function updateSite(db: Executor, id: string, patch: { name?: string; timezone?: string }) {
  await getSite(db, id);
  if (patch.name !== undefined || patch.timezone !== undefined) await db.updateTable('sites').set(patch).where('id', '=', id).execute();
  return toSite(await getSite(db, id));
}

export async function getRoom(db: Executor, id: string): Promise<RoomTable> {
  const room = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
  if (!room) throw notFound(`room ${id}`);
  return room;
}

export async function listRooms(db: Executor, siteId?: string) {
  let q = db.selectFrom('rooms').selectAll().orderBy('name');
  if (siteId !== undefined) q = q.where('site_id', '=', siteId);
  return (await q.execute()).map(toRoom);
}

export async function createRoom(db: Kysely<DB>, input: { siteId: string; name: string }, now: string) {
  await getSite(db, input.siteId);
  const row: RoomTable = { id: randomUUID(), site_id: input.siteId, name: input.name, created_at: now };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('rooms').values(row).execute();
    await appendChanges(trx, [{ siteId: row.site_id, entity: 'room', entityId: row.id, data: rosterRoom(row) }], now);
  });
  return toRoom(row);
}

export async function deleteRoom(db: Kysely<DB>, id: string, now: string): Promise<void> {
  const room = await getRoom(db, id);
  await db.transaction().execute(async (trx) => {
    const used = await trx.selectFrom('schedules').select('id').where('room_id', '=', id).limit(1).executeTakeFirst();
    const device = await trx.selectFrom('devices').select('id').where('room_id', '=', id).limit(1).executeTakeFirst();
    if (used || device) throw conflict('room is used by schedules or devices; remove them first', 'room_in_use');
    await trx.deleteFrom('rooms').where('id', '=', id).execute();
    await appendChanges(trx, [{ siteId: room.site_id, entity: 'room', entityId: id, data: null }], now);
  });
}
