// The roster change log. Every change to what kiosks cache (students, classes, enrolments,
// rooms, schedules, templates) is appended here IN THE SAME TRANSACTION as the change itself,
// numbered from a single counter row.
//
// Why a counter row and not a sequence/autoincrement: with several writers on PostgreSQL a
// sequence hands out numbers in call order, not commit order, so a reader could see seq 12
// committed, move its cursor past 11, and never see 11 when it commits later. Taking the
// counter row's lock (UPDATE … RETURNING) serialises writers until commit, so seqs become
// visible strictly in order and a cursor never skips anything. The cost is one short lock per
// roster-changing transaction, which is rare next to attendance ingest (which takes none).
//
// The log is compacted: one row per record (unique entity+id) holding its latest change; an
// update moves the record to a new, higher seq. Deletions leave a tombstone (no data).
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { ChangeTable, DB } from '../db/schema.js';
import { chunks } from './executor.js';

export type RosterEntityName = ChangeTable['entity'];

/** Entities only kiosks of roster feed 2 or later receive (ROSTER_FEED_VERSION in the contract). */
const FEED2_ENTITIES: ReadonlySet<string> = new Set(['calendar']);

export interface ChangeInput {
  siteId: string;
  entity: RosterEntityName;
  entityId: string;
  /** The roster record (RosterStudent etc.) or null for a deletion. */
  data: object | null;
}

export async function appendChanges(
  trx: Transaction<DB>,
  changes: readonly ChangeInput[],
  now: string,
): Promise<void> {
  if (changes.length === 0) return;
  // Several changes to one record in one transaction: only the last one matters (and one
  // multi-row upsert may not touch the same row twice on PostgreSQL).
  const latest = new Map<string, ChangeInput>();
  for (const c of changes) {
    const key = `${c.entity}:${c.entityId}`;
    latest.delete(key);
    latest.set(key, c);
  }
  const list = [...latest.values()];
  const counter = await trx
    .updateTable('change_counter')
    .set((eb) => ({ last_seq: eb('last_seq', '+', list.length) }))
    .where('id', '=', 1)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const first = Number(counter.last_seq) - list.length + 1;
  const rows = list.map((c, i) => ({
    seq: first + i,
    site_id: c.siteId,
    entity: c.entity,
    entity_id: c.entityId,
    op: c.data === null ? ('delete' as const) : ('upsert' as const),
    data: c.data === null ? null : JSON.stringify(c.data),
    changed_at: now,
  }));
  for (const chunk of chunks(rows, 500)) {
    await trx
      .insertInto('changes')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['entity', 'entity_id']).doUpdateSet((eb) => ({
          seq: eb.ref('excluded.seq'),
          site_id: eb.ref('excluded.site_id'),
          op: eb.ref('excluded.op'),
          data: eb.ref('excluded.data'),
          changed_at: eb.ref('excluded.changed_at'),
        })),
      )
      .execute();
  }
}

export interface ChangeRow {
  seq: number;
  entity: RosterEntityName;
  entity_id: string;
  op: 'upsert' | 'delete';
  /** The stored JSON as raw UTF-8 bytes (see readChanges). */
  data: Buffer | null;
}

/**
 * One page after `since` for one site; `limit + 1` rows are read to know whether more follow.
 * On SQLite `data` is fetched as bytes (CAST … AS BLOB): a first pull of thousands of templates
 * is tens of MB of JSON, and copying bytes avoids decoding it into JS strings, joining them and
 * encoding them again for the socket (that round trip cost more than the query). node-postgres
 * turns every field into a string (bytea even into hex, twice the bytes), so there text is
 * cheaper. Measured: a 5,000-student first pull takes 0.3-0.9 s on either (docs/server.md);
 * reading PostgreSQL through a binary COPY saved ~25 % of server CPU but needed a hand-written
 * protocol parser, so it was not kept.
 */
export async function readChanges(
  database: Pick<Database, 'db' | 'dialect'>,
  siteId: string,
  since: number,
  limit: number,
): Promise<{ rows: ChangeRow[]; hasMore: boolean }> {
  if (!Number.isSafeInteger(since) || since < 0)
    throw new Error(`readChanges: since must be a non-negative integer, got ${since}`);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`readChanges: limit must be a positive integer, got ${limit}`);
  const dataBytes =
    database.dialect === 'sqlite'
      ? sql<Buffer | string | null>`cast(data as blob)`
      : sql<Buffer | string | null>`data`;
  const rows = await database.db
    .selectFrom('changes')
    .select(['seq', 'entity', 'entity_id', 'op', dataBytes.as('data')])
    .where('site_id', '=', siteId)
    .where('seq', '>', since)
    .orderBy('seq')
    .limit(limit + 1)
    .execute();
  const hasMore = rows.length > limit;
  return {
    rows: (hasMore ? rows.slice(0, limit) : rows).map((r) => ({
      ...r,
      seq: Number(r.seq),
      data: typeof r.data === 'string' ? Buffer.from(r.data) : r.data,
    })),
    hasMore,
  };
}

/** The JSON array of RosterChange for a page, assembled from the stored bytes without parsing them. */
export function changesToJson(rows: readonly ChangeRow[]): Buffer {
  return Buffer.concat(changesJsonParts(rows, '[', ']'));
}

/**
 * The whole RosterPage body for a page read after `since`: one copy of the stored bytes into the
 * response (a first pull moves tens of MB through here).
 */
export function rosterPageJson(
  page: { rows: readonly ChangeRow[]; hasMore: boolean },
  since: number,
  deviceState: object = {},
  feed = 1,
): Buffer {
  const last = page.rows[page.rows.length - 1];
  const cursor = String(last ? last.seq : since);
  // A feed-1 kiosk (built before calendars) is not sent calendar records at all; the cursor
  // still moves past them. Everything else reaches both feeds alike.
  const rows = feed >= 2 ? page.rows : page.rows.filter((r) => !FEED2_ENTITIES.has(r.entity));
  // Per-device state (RosterPage.pinRecovery) rides after the page's own keys.
  const extra = Object.entries(deviceState)
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('');
  return Buffer.concat(
    changesJsonParts(
      rows,
      '{"changes":[',
      `],"cursor":${JSON.stringify(cursor)},"hasMore":${page.hasMore}${extra}}`,
    ),
  );
}

function changesJsonParts(rows: readonly ChangeRow[], open: string, close: string): Buffer[] {
  const parts: Buffer[] = [];
  let text = open;
  rows.forEach((r, i) => {
    text += `${i === 0 ? '' : ','}{"seq":${r.seq},"entity":${JSON.stringify(r.entity)},"op":"${r.op}","id":${JSON.stringify(r.entity_id)}`;
    if (r.op === 'upsert' && r.data !== null) {
      parts.push(Buffer.from(`${text},"data":`), r.data);
      text = '}';
    } else text += '}';
  });
  parts.push(Buffer.from(`${text}${close}`));
  return parts;
}
