// A correction's audit row says what THAT correction changed: its `from` and `to` come from one
// read of the student's events. Kiosk marks do not take the class's lock, so on PostgreSQL (read
// committed) a mark can commit while a correction's transaction is open; a second read would see
// it and write "present → late" for an undo that only took "present" away. SQLite has one writer,
// so the interleaving cannot happen there and this runs on PostgreSQL only.
import { randomUUID } from 'node:crypto';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { ingestAttendance, recordCorrection, resolveSession } from './attendance.js';

const postgres = (await testDialects()).filter((d) => d.name === 'postgres');
const NOW = '2026-09-07T10:00:00.000Z';

/** Runs `between` once, right after the first row inserted into `attendance_events` comes back. */
function afterFirstEventInsert(between: () => Promise<unknown>): KyselyPlugin {
  let target: QueryId | null = null;
  let done = false;
  return {
    transformQuery({ node, queryId }: PluginTransformQueryArgs) {
      if (
        !done &&
        target === null &&
        node.kind === 'InsertQueryNode' &&
        node.into?.table.identifier.name === 'attendance_events'
      )
        target = queryId;
      return node;
    },
    async transformResult({ queryId, result }: PluginTransformResultArgs) {
      if (!done && queryId === target) {
        done = true;
        await between();
      }
      return result;
    },
  };
}

describe.each(postgres)('a correction audited while a kiosk mark lands on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  it.skipIf(!dialect.available)(
    `an undo's "to" is what the undo left, not a mark committed meanwhile (${dialect.reason ?? 'reachable'})`,
    async () => {
      const studentId = s.students[0]!.id;
      const session = await resolveSession(database.db, s.sessionId);
      const teacher = { kind: 'user' as const, id: s.teacher.id, label: s.teacher.email };
      const corrected = await recordCorrection(
        database.db,
        session,
        { kind: 'manual', sessionId: s.sessionId, studentId, status: 'present', reason: 'seen in class' },
        teacher,
        NOW,
      );
      // The kiosk's mark commits on another connection while the undo's transaction is open.
      const kioskMark = () =>
        ingestAttendance(
          database.db,
          [
            {
              id: randomUUID(),
              kind: 'mark',
              studentId,
              sessionId: s.sessionId,
              status: 'late',
              occurredAt: `${s.date}T08:50:00Z`,
            },
          ],
          { deviceId: null, siteId: 'default' },
          NOW,
        );
      let landed: unknown;
      await recordCorrection(
        database.db.withPlugin(
          afterFirstEventInsert(async () => {
            landed = await kioskMark();
          }),
        ),
        session,
        { kind: 'undo', sessionId: s.sessionId, studentId, refId: corrected.id, reason: 'wrong child' },
        teacher,
        '2026-09-07T10:01:00.000Z',
      );
      expect(landed).toEqual([expect.objectContaining({ status: 'accepted' })]);
      const undo = await database.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'attendance.undo')
        .executeTakeFirstOrThrow();
      const detail = JSON.parse(undo.detail ?? '{}') as { from: string; to: string };
      expect([detail.from, detail.to]).toEqual(['present', 'absent']);
    },
  );
});
