// A kiosk enrolment of a student who already has a face on the server must look like it: a
// stolen device token cannot put a stranger's face on an enrolled child (docs/security.md).
// First enrolments, a new face model and an admin's photo enrolment are not judged.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateUpload } from '../../../src/contracts/sync.js';
import { doorTemplateFloor } from '../../../src/ml/door-template.js';
import {
  bearer,
  buildTestApp,
  call,
  faceAt,
  fakeEmbedding,
  fakeFaceEngine,
  multipartBody,
  pairKiosk,
  seed,
  toB64,
  type Seeded,
  type TestApp,
  pullWholeRoster,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { backendPid, waitUntilBlockedBy } from '../../test/lock-waits.js';
import type { Executor } from '../repositories/executor.js';

const dialects = await testDialects();
// The shipped model: it has a calibrated class threshold, the floor a new shot must reach.
const MODEL = 'faceplugin/v1';
const FLOOR = doorTemplateFloor(MODEL) ?? Number.NaN;

describe.each(dialects)('kiosk enrolment of an enrolled student on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let kiosk: { token: string; deviceId: string };
  let next = 0;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    // The console's photo enrolment embeds with the shipped model's id, like a real server.
    t = await buildTestApp(database, { faceEngine: { ...fakeFaceEngine(), modelId: MODEL } });
    s = await seed(t, database, { students: 1 });
    kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  /** A consenting student of the kiosk's site, new to each test. */
  const newStudent = async () =>
    (
      await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: `K-${++next}-${randomUUID()}`,
        name: `Kiosk student ${next}`,
        consent: true,
      })
    ).id;
  const shot = (studentId: string, face: Float32Array, modelId = MODEL): TemplateUpload => ({
    id: randomUUID(),
    studentId,
    modelId,
    embedding: toB64(face),
    quality: 0.9,
    createdAt: t.clock.now().toISOString(),
  });
  const push = async (templates: TemplateUpload[]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sync/templates',
      headers: bearer(kiosk.token),
      payload: { templates },
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { results: { id: string; status: string; reason?: string }[] }).results;
  };
  const statuses = async (templates: TemplateUpload[]) =>
    (await push(templates)).map((r) => (r.reason ? `${r.status}:${r.reason}` : r.status));
  const storedIds = async (studentId: string) =>
    (
      await database.db
        .selectFrom('templates')
        .select('id')
        .where('student_id', '=', studentId)
        .orderBy('id')
        .execute()
    ).map((r) => r.id);
  /** The student's face on the server: one kiosk enrolment shot (a first enrolment is not judged). */
  const enrolled = async (face = 'enrolled') => {
    const studentId = await newStudent();
    const base = fakeEmbedding(`${face}-${studentId}`);
    expect(await statuses([shot(studentId, base)])).toEqual(['accepted']);
    return { studentId, base };
  };
  /** A template row written straight to the database (what another transaction or an older path left). */
  const insertTemplateRow = (db: Executor, studentId: string, face: Float32Array, source: 'door' | 'kiosk') =>
    db
      .insertInto('templates')
      .values({
        id: randomUUID(),
        student_id: studentId,
        model_id: MODEL,
        embedding: toB64(face),
        quality: null,
        source,
        device_id: kiosk.deviceId,
        created_at: t.clock.now().toISOString(),
      })
      .execute();
  const pullAll = (since = '0') => pullWholeRoster(t.app, kiosk.token, since);

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it("refuses a stranger's face for an enrolled student: not stored, not sent to kiosks, audited", async () => {
      expect(FLOOR).toBeGreaterThan(0);
      const { studentId, base } = await enrolled();
      const before = await storedIds(studentId);
      const cursor = (await pullAll()).cursor;
      const stranger = shot(studentId, faceAt(base, FLOOR - 0.3, 'stranger'));
      expect(await push([stranger])).toEqual([
        { id: stranger.id, status: 'rejected', reason: 'unlike_enrolment' },
      ]);
      expect(await storedIds(studentId)).toEqual(before);
      expect((await pullAll(cursor)).changes).toEqual([]);
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['actor_kind', 'actor_id', 'action', 'detail'])
        .where('entity_id', '=', studentId)
        .where('action', '=', 'template.enrol_refused')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_kind: 'device', actor_id: kiosk.deviceId });
      const detail = JSON.parse(String(audit[0]?.detail)) as Record<string, unknown>;
      expect(detail).toEqual({
        templateId: stranger.id,
        deviceId: kiosk.deviceId,
        modelId: MODEL,
        reason: 'unlike_enrolment',
        likeness: expect.closeTo(FLOOR - 0.3, 3),
        floor: FLOOR,
      });
      // Ids and numbers only: the stranger's embedding is not kept anywhere.
      expect(String(audit[0]?.detail)).not.toContain(stranger.embedding.slice(0, 12));
      // A retry is judged again, and refused again.
      expect(await statuses([stranger])).toEqual(['rejected:unlike_enrolment']);
    });

    it('accepts new shots that look like the student, judging each against the templates from before the push', async () => {
      const { studentId, base } = await enrolled();
      const cursor = (await pullAll()).cursor;
      // Three shots of one enrolment. `changed` clears the floor; `drifted` lies in the same plane,
      // close to `changed` (cosine ≈ 0.9) but below the floor from the student's stored face: had
      // `changed` been counted, it would have vouched for `drifted`.
      const changed = shot(studentId, faceAt(base, FLOOR + 0.15, 'drift'));
      const drifted = shot(studentId, faceAt(base, FLOOR - 0.2, 'drift'));
      const again = shot(studentId, faceAt(base, FLOOR + 0.3, 'other'));
      expect(await statuses([changed, drifted, again])).toEqual([
        'accepted',
        'rejected:unlike_enrolment',
        'accepted',
      ]);
      expect(await storedIds(studentId)).toContain(changed.id);
      expect(await storedIds(studentId)).not.toContain(drifted.id);
      const sent = (await pullAll(cursor)).changes.map((c) => c.id).sort();
      expect(sent).toEqual([changed.id, again.id].sort());
      // A retry of an accepted shot stays a duplicate.
      expect(await statuses([changed])).toEqual(['duplicate']);
    });

    it("accepts a first enrolment, and a face model's first templates, as kiosk enrolments are for", async () => {
      const studentId = await newStudent();
      // Three shots of a first enrolment, however unlike each other: nothing to compare with yet.
      const first = fakeEmbedding(`first-${studentId}`);
      expect(
        await statuses([
          shot(studentId, first),
          shot(studentId, faceAt(first, 0, 'a')),
          shot(studentId, faceAt(first, -0.5, 'b')),
        ]),
      ).toEqual(['accepted', 'accepted', 'accepted']);
      // Another model: its embeddings cannot be compared with the old model's, so its first
      // templates are a first enrolment too (re-enrolment after a face-model change)…
      const newModel = 'faceplugin/v2';
      const other = fakeEmbedding(`other-model-${studentId}`);
      expect(await statuses([shot(studentId, other, newModel)])).toEqual(['accepted']);
      // …and from then on shots of that model are judged against it.
      expect(await statuses([shot(studentId, faceAt(other, FLOOR - 0.3, 's'), newModel)])).toEqual([
        'rejected:unlike_enrolment',
      ]);
      expect(await statuses([shot(studentId, faceAt(other, FLOOR + 0.2, 's'), newModel)])).toEqual([
        'accepted',
      ]);
    });

    it('refuses further shots of a model with no calibrated threshold, and a shot of the wrong size', async () => {
      const studentId = await newStudent();
      const model = 'uncalibrated-model/v1';
      const face = fakeEmbedding(`uncalibrated-${studentId}`);
      expect(await statuses([shot(studentId, face, model)])).toEqual(['accepted']);
      // Even the same face: there is no floor to judge it by.
      expect(await statuses([shot(studentId, face, model)])).toEqual(['rejected:uncalibrated_model']);
      const short = new Float32Array([0.6, 0.8]);
      expect(await statuses([shot(studentId, short, model)])).toEqual(['rejected:bad_embedding: wrong_size']);
    });

    it("refuses a first template that does not have its model's size, and enrols afresh over rows stored before the check", async () => {
      const studentId = await newStudent();
      // A buggy kiosk's or a stolen token's two numbers must not become the student's first face…
      const short = new Float32Array([0.6, 0.8]);
      expect(await statuses([shot(studentId, short)])).toEqual(['rejected:bad_embedding: wrong_size']);
      expect(await storedIds(studentId)).toEqual([]);
      const face = fakeEmbedding(`sized-${studentId}`);
      expect(await statuses([shot(studentId, face)])).toEqual(['accepted']);
      // …and such a row stored before sizes were checked vouches for nothing: it neither blocks
      // the student's enrolment nor is what a new shot is judged against.
      const legacy = await newStudent();
      await insertTemplateRow(database.db, legacy, short, 'kiosk');
      expect(await statuses([shot(legacy, fakeEmbedding(`legacy-${legacy}`))])).toEqual(['accepted']);
    });

    it("refuses a template id already used for another student's face, instead of calling it a duplicate", async () => {
      const { studentId } = await enrolled();
      const [taken] = await storedIds(studentId);
      const other = await newStudent();
      const reuse = { ...shot(other, fakeEmbedding(`reuse-${other}`)), id: taken ?? 'missing' };
      expect(await push([reuse])).toEqual([{ id: reuse.id, status: 'rejected', reason: 'template_exists' }]);
      expect(await storedIds(other)).toEqual([]);
    });

    it('judges against door templates when they are all the server still holds of the face', async () => {
      const studentId = await newStudent();
      const face = fakeEmbedding(`door-only-${studentId}`);
      await insertTemplateRow(database.db, studentId, face, 'door');
      expect(await statuses([shot(studentId, faceAt(face, FLOOR - 0.3, 'stranger'))])).toEqual([
        'rejected:unlike_enrolment',
      ]);
      expect(await statuses([shot(studentId, faceAt(face, FLOOR + 0.2, 'genuine'))])).toEqual(['accepted']);
    });

    it.skipIf(dialect.name !== 'postgres')(
      'a push racing another transaction on the same student waits for it, then is judged against what it stored',
      async () => {
        const studentId = await newStudent();
        const face = fakeEmbedding(`race-${studentId}`);
        let commitFirst!: () => void;
        const held = new Promise<void>((resolve) => (commitFirst = resolve));
        let firstIn!: (pid: number) => void;
        const inside = new Promise<number>((resolve) => (firstIn = resolve));
        // The first enrolment, still open: it holds the student's row and has stored a face.
        const first = database.db.transaction().execute(async (trx) => {
          await trx.selectFrom('students').select('id').where('id', '=', studentId).forUpdate().execute();
          await insertTemplateRow(trx, studentId, face, 'kiosk');
          firstIn(await backendPid(trx));
          await held;
        });
        const holder = await inside;
        const thief = shot(studentId, faceAt(face, FLOOR - 0.3, 'thief'));
        const second = push([thief]);
        await waitUntilBlockedBy(database.db, holder, { racing: second });
        commitFirst();
        await first;
        expect(await second).toEqual([{ id: thief.id, status: 'rejected', reason: 'unlike_enrolment' }]);
      },
    );

    it("lets an admin's photo enrolment replace a face, and an admin clear the way for a kiosk re-enrolment", async () => {
      const photo = Buffer.from(`JPEG-${randomUUID()}`);
      const photoFace = fakeEmbedding(photo); // what the test engine makes of those bytes
      // The kiosk enrolment on the server is far from the face in the new photo.
      const studentId = await newStudent();
      const old = shot(studentId, faceAt(photoFace, FLOOR - 0.3, 'years-ago'));
      expect(await statuses([old])).toEqual(['accepted']);
      // A kiosk may not put the photo's face on the student…
      expect(await statuses([shot(studentId, photoFace)])).toEqual(['rejected:unlike_enrolment']);
      // …an admin may (server-side enrolment is not judged).
      const body = multipartBody([{ filename: 'now.jpg', bytes: photo }]);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/students/${studentId}/photos`,
        headers: { ...bearer(s.adminToken), ...body.headers },
        payload: body.payload,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ results: [{ status: 'accepted' }] });
      // Kiosk shots of the face as it is now clear the floor against the admin's photo.
      expect(await statuses([shot(studentId, faceAt(photoFace, FLOOR + 0.2, 'today'))])).toEqual([
        'accepted',
      ]);

      // The other way: the admin removes the old templates in the console, and the kiosk enrols again.
      const other = await newStudent();
      const before = shot(other, faceAt(photoFace, FLOOR - 0.3, 'before'));
      expect(await statuses([before])).toEqual(['accepted']);
      const now = shot(other, photoFace);
      expect(await statuses([now])).toEqual(['rejected:unlike_enrolment']);
      await call(t.app, s.adminToken, 'DELETE', `/api/students/${other}/templates/${before.id}`);
      expect(await statuses([{ ...now, id: randomUUID() }])).toEqual(['accepted']);
    });
  });
});
