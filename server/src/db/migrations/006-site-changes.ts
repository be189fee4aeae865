// 006: site settings travel through the roster change log (entity 'site'), so a kiosk follows
// a corrected time zone without re-pairing. No column changes (`changes.entity` is free text):
// this puts one 'site' record per existing site into the log, numbered from the change counter
// like any other change, so a first pull includes it and paired kiosks get it on their next
// pull (same zone as at pairing, so nothing changes for them until an admin edits the site).
// Written against the schema as it is at 006, without repository code. Never edit once
// shipped: add 007.
import type { Migration } from './types.js';

export const migration006: Migration = {
  version: 6,
  name: 'site-changes',
  async up(db) {
    const sites: { id: string; name: string; timezone: string }[] = await db
      .selectFrom('sites')
      .select(['id', 'name', 'timezone'])
      .orderBy('id')
      .execute();
    if (sites.length === 0) return;
    const counter = await db
      .updateTable('change_counter')
      .set((eb) => ({ last_seq: eb('last_seq', '+', sites.length) }))
      .where('id', '=', 1)
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    const first = Number(counter.last_seq) - sites.length + 1;
    const now = new Date().toISOString();
    await db
      .insertInto('changes')
      .values(
        sites.map((site, i) => ({
          seq: first + i,
          site_id: site.id,
          entity: 'site',
          entity_id: site.id,
          op: 'upsert',
          data: JSON.stringify({ id: site.id, name: site.name, timezone: site.timezone }),
          changed_at: now,
        })),
      )
      .execute();
  },
};
