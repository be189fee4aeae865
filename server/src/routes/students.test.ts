import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  bearer,
  buildTestApp,
  call,
  embeddingB64,
  fakeFaceEngine,
  multipartBody,
  seed,
  type Seeded,
  type TestApp,
} from '../../test/app.js';
import { storeTemplates } from '../repositories/templates.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

describe.each(dialects)('students, classes and photos on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  const engine = fakeFaceEngine();

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database, { faceEngine: engine });
    s = await seed(t, database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const upload = (studentId: string, files: Parameters<typeof multipartBody>[0], token = s.adminToken) => {
    const body = multipartBody(files);
    return t.app.inject({
      method: 'POST',
      url: `/api/students/${studentId}/photos`,
      headers: { ...bearer(token), ...body.headers },
      payload: body.payload,
    });
  };

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('creates, reads and updates a student; duplicate numbers are a 409', async () => {
      const created = await call<{ id: string; consent: boolean; consentAt: string | null }>(
        t.app,
        s.adminToken,
        'POST',
        '/api/students',
        {
          studentNumber: 'N-100',
          name: 'Nora',
          email: 'NORA@School.example',
          consent: true,
        },
      );
      expect(created.consent).toBe(true);
      expect(created.consentAt).toBe(t.clock.now().toISOString());
      const dup = await t.app.inject({
        method: 'POST',
        url: '/api/students',
        headers: bearer(s.adminToken),
        payload: { studentNumber: 'N-100', name: 'Other' },
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toMatchObject({ error: 'student_number_taken' });
      const updated = await call<{ name: string; email: string }>(
        t.app,
        s.adminToken,
        'PATCH',
        `/api/students/${created.id}`,
        { name: 'Nora B.' },
      );
      expect(updated).toMatchObject({ name: 'Nora B.', email: 'nora@school.example' });
      const missing = await t.app.inject({
        method: 'GET',
        url: '/api/students/nope',
        headers: bearer(s.adminToken),
      });
      expect(missing.statusCode).toBe(404);
    });

    it('searches by name or number, taking % and _ literally', async () => {
      await call(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: 'Q_1',
        name: 'Quentin 100%',
      });
      await call(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: 'QX1',
        name: 'Quentin 1000',
      });
      const byName = await call<{ studentNumber: string }[]>(
        t.app,
        s.adminToken,
        'GET',
        `/api/students?q=${encodeURIComponent('100%')}`,
      );
      expect(byName.map((x) => x.studentNumber)).toEqual(['Q_1']);
      const byNumber = await call<{ studentNumber: string }[]>(
        t.app,
        s.adminToken,
        'GET',
        '/api/students?q=q_',
      );
      expect(byNumber.map((x) => x.studentNumber)).toEqual(['Q_1']);
      const paged = await call<unknown[]>(t.app, s.adminToken, 'GET', '/api/students?limit=2&offset=1');
      expect(paged).toHaveLength(2);
    });

    it('shows a teacher only their own classes and students', async () => {
      const other = await seed(t, database, { students: 1 });
      const classes = await call<{ id: string }[]>(t.app, s.teacherToken, 'GET', '/api/classes');
      expect(classes.map((c) => c.id)).toEqual([s.classId]);
      const students = await call<{ id: string }[]>(t.app, s.teacherToken, 'GET', '/api/students');
      expect(students.map((x) => x.id).sort()).toEqual(s.students.map((x) => x.id).sort());
      const foreignClass = await t.app.inject({
        method: 'GET',
        url: `/api/classes/${other.classId}`,
        headers: bearer(s.teacherToken),
      });
      expect(foreignClass.statusCode).toBe(403);
      const foreignStudent = await t.app.inject({
        method: 'GET',
        url: `/api/students/${other.students[0]?.id}`,
        headers: bearer(s.teacherToken),
      });
      expect(foreignStudent.statusCode).toBe(403);
      const foreignReport = await t.app.inject({
        method: 'GET',
        url: `/api/sessions/${encodeURIComponent(other.sessionId)}/attendance`,
        headers: bearer(s.teacherToken),
      });
      expect(foreignReport.statusCode).toBe(403);
      const admins = await call<{ id: string }[]>(t.app, s.adminToken, 'GET', '/api/classes');
      expect(admins.length).toBeGreaterThanOrEqual(2);
    });

    it('counts and lists the students a face model cannot recognise (enrolled under another model, or never)', async () => {
      const school = await seed(t, database, { students: 3 });
      const [current, stale, never] = school.students.map((x) => x.id);
      expect(
        (await upload(current ?? '', [{ filename: 'a.jpg', bytes: Buffer.from('JPEG-a') }])).statusCode,
      ).toBe(200); // engine.modelId
      const old = {
        id: randomUUID(),
        studentId: stale ?? '',
        modelId: 'old-model/v0',
        embedding: embeddingB64('stale'),
        createdAt: t.clock.now().toISOString(),
      };
      expect(
        await storeTemplates(
          database.db,
          [old],
          { source: 'kiosk', deviceId: null, siteId: null },
          t.clock.now().toISOString(),
        ),
      ).toMatchObject([{ status: 'accepted' }]);

      const url = (modelId: string) =>
        `/api/students/template-coverage?modelId=${encodeURIComponent(modelId)}&classId=${school.classId}`;
      expect(await call(t.app, s.adminToken, 'GET', url(engine.modelId))).toEqual({
        modelId: engine.modelId,
        students: 3,
        withTemplates: 1,
        needReEnrolment: 1,
        neverEnrolled: 1,
      });
      // Under the old model it is the other way round.
      expect(await call(t.app, s.adminToken, 'GET', url('old-model/v0'))).toEqual({
        modelId: 'old-model/v0',
        students: 3,
        withTemplates: 1,
        needReEnrolment: 1,
        neverEnrolled: 1,
      });
      const lacking = await call<{ id: string }[]>(
        t.app,
        s.adminToken,
        'GET',
        `/api/students?classId=${school.classId}&withoutTemplatesFor=${encodeURIComponent(engine.modelId)}`,
      );
      expect(lacking.map((x) => x.id).sort()).toEqual([stale, never].sort());

      // Teachers count only their own classes' students.
      expect(await call(t.app, school.teacherToken, 'GET', url(engine.modelId))).toMatchObject({
        students: 3,
        needReEnrolment: 1,
      });
      // Another teacher's class is not a filter they may use (docs/security.md, finding 14).
      expect(
        (await t.app.inject({ method: 'GET', url: url(engine.modelId), headers: bearer(s.teacherToken) }))
          .statusCode,
      ).toBe(403);
      const noModel = await t.app.inject({
        method: 'GET',
        url: '/api/students/template-coverage',
        headers: bearer(s.adminToken),
      });
      expect(noModel.statusCode).toBe(400);
    });

    it('validates schedules: exactly one of weekday and date, end after start, same site', async () => {
      const both = await t.app.inject({
        method: 'POST',
        url: `/api/classes/${s.classId}/schedules`,
        headers: bearer(s.adminToken),
        payload: { roomId: s.roomId, weekday: 2, date: '2026-09-08', startTime: '10:00', endTime: '09:00' },
      });
      expect(both.statusCode).toBe(400);
      expect((both.json() as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual([
        'endTime',
        'weekday',
      ]);
      const oneOff = await call<{ id: string; date: string }>(
        t.app,
        s.adminToken,
        'POST',
        `/api/classes/${s.classId}/schedules`,
        {
          roomId: s.roomId,
          date: '2026-09-09',
          startTime: '13:00',
          endTime: '14:00',
        },
      );
      const report = await call<{ students: unknown[]; graceMinutes: number }>(
        t.app,
        s.adminToken,
        'GET',
        `/api/sessions/${oneOff.id}@2026-09-09/attendance`,
      );
      expect(report.students).toHaveLength(3);
      expect(report.graceMinutes).toBe(5);
      const notThatDay = await t.app.inject({
        method: 'GET',
        url: `/api/sessions/${oneOff.id}@2026-09-10/attendance`,
        headers: bearer(s.adminToken),
      });
      expect(notThatDay.statusCode).toBe(404);
    });

    it('turns uploaded photos into templates and discards the photos by default', async () => {
      const student = s.students[0]?.id ?? '';
      const res = await upload(student, [
        { filename: 'front.jpg', bytes: Buffer.from('JPEG-front-face') },
        { filename: 'empty.jpg', bytes: Buffer.from('NOFACE-wall') },
        { filename: 'blurry.jpg', bytes: Buffer.from('BLURRY-face') },
        { filename: 'broken.jpg', bytes: Buffer.from('CORRUPT-bytes') },
      ]);
      expect(res.statusCode).toBe(200);
      const results = (res.json() as { results: { filename: string; status: string; reason?: string }[] })
        .results;
      expect(results.map((r) => [r.filename, r.status])).toEqual([
        ['front.jpg', 'accepted'],
        ['empty.jpg', 'rejected'],
        ['blurry.jpg', 'rejected'],
        ['broken.jpg', 'rejected'],
      ]);
      expect(results[1]?.reason).toBe('no_face');
      expect(results[2]?.reason).toMatch(/blur/);
      expect(results[3]?.reason).toMatch(/unreadable_image/);
      const templates = await call<{ modelId: string; source: string }[]>(
        t.app,
        s.adminToken,
        'GET',
        `/api/students/${student}/templates`,
      );
      expect(templates).toEqual([expect.objectContaining({ modelId: 'fake-model-v1', source: 'photo' })]);
      const photos = await database.db
        .selectFrom('photos')
        .select('id')
        .where('student_id', '=', student)
        .execute();
      expect(photos).toHaveLength(0);
    });

    it('keeps photos when the admin turns retention on', async () => {
      await call(t.app, s.adminToken, 'PATCH', '/api/settings', { retainPhotos: true });
      try {
        const student = s.students[1]?.id ?? '';
        const res = await upload(student, [{ filename: 'a.jpg', bytes: Buffer.from('JPEG-a') }]);
        expect(res.statusCode).toBe(200);
        const photos = await database.db
          .selectFrom('photos')
          .select(['mime', 'bytes'])
          .where('student_id', '=', student)
          .execute();
        expect(photos).toHaveLength(1);
        expect(Buffer.from(photos[0]?.bytes ?? []).toString()).toBe('JPEG-a');
      } finally {
        await call(t.app, s.adminToken, 'PATCH', '/api/settings', { retainPhotos: false });
      }
    });

    it('refuses photos for a student without consent (409) without running the engine', async () => {
      const student = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: 'NC-1',
        name: 'No Consent',
      });
      const before = engine.calls;
      const res = await upload(student.id, [{ filename: 'a.jpg', bytes: Buffer.from('JPEG-x') }]);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'no_consent' });
      expect(engine.calls).toBe(before);
    });

    it('refuses photo uploads that are not multipart, empty, or from a teacher', async () => {
      const student = s.students[2]?.id ?? '';
      const json = await t.app.inject({
        method: 'POST',
        url: `/api/students/${student}/photos`,
        headers: bearer(s.adminToken),
        payload: { a: 1 },
      });
      expect(json.statusCode).toBe(400);
      const empty = await upload(student, []);
      expect(empty.statusCode).toBe(400);
      const teacher = await upload(
        student,
        [{ filename: 'a.jpg', bytes: Buffer.from('JPEG-y') }],
        s.teacherToken,
      );
      expect(teacher.statusCode).toBe(403);
    });

    it('answers 413 to a photo over the size limit', async () => {
      // Same secret, so the admin token of the main app is valid here too.
      const small = await buildTestApp(database, {
        faceEngine: engine,
        config: { photoLimitBytes: 1024, jwtSecret: t.config.jwtSecret },
      });
      try {
        const body = multipartBody([{ filename: 'huge.jpg', bytes: Buffer.alloc(4096, 1) }]);
        const res = await small.app.inject({
          method: 'POST',
          url: `/api/students/${s.students[2]?.id}/photos`,
          headers: { ...bearer(s.adminToken), ...body.headers },
          payload: body.payload,
        });
        expect(res.statusCode).toBe(413);
        expect(res.json()).toMatchObject({ error: 'payload_too_large' });
      } finally {
        await small.app.close();
      }
    });

    it('withdrawing consent deletes the templates', async () => {
      const student = s.students[0]?.id ?? '';
      expect(
        (await call<unknown[]>(t.app, s.adminToken, 'GET', `/api/students/${student}/templates`)).length,
      ).toBeGreaterThan(0);
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${student}`, { consent: false });
      expect(await call<unknown[]>(t.app, s.adminToken, 'GET', `/api/students/${student}/templates`)).toEqual(
        [],
      );
    });

    it('records teacher corrections as events with who and why', async () => {
      const student = s.students[1]?.id ?? '';
      const manual = await call<{ id: string; status: string; sessionStatus: string }>(
        t.app,
        s.teacherToken,
        'POST',
        '/api/attendance/corrections',
        {
          kind: 'manual',
          sessionId: s.sessionId,
          studentId: student,
          status: 'excused',
          reason: 'sick note',
        },
      );
      expect(manual).toMatchObject({ status: 'accepted', sessionStatus: 'excused' });
      const undo = await call<{ sessionStatus: string }>(
        t.app,
        s.teacherToken,
        'POST',
        '/api/attendance/corrections',
        {
          kind: 'undo',
          sessionId: s.sessionId,
          studentId: student,
          refId: manual.id,
          reason: 'wrong student',
        },
      );
      expect(undo.sessionStatus).toBe('absent');
      const row = await database.db
        .selectFrom('attendance_events')
        .selectAll()
        .where('id', '=', manual.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        kind: 'manual',
        actor: s.teacher.email,
        reason: 'sick note',
        device_id: null,
      });
      const badRef = await t.app.inject({
        method: 'POST',
        url: '/api/attendance/corrections',
        headers: bearer(s.teacherToken),
        payload: {
          kind: 'undo',
          sessionId: s.sessionId,
          studentId: student,
          refId: '8c0f3e0e-1111-4a4a-9b9b-123456789abc',
          reason: 'x',
        },
      });
      expect(badRef.statusCode).toBe(400);
      const noReason = await t.app.inject({
        method: 'POST',
        url: '/api/attendance/corrections',
        headers: bearer(s.teacherToken),
        payload: { kind: 'manual', sessionId: s.sessionId, studentId: student, status: 'late' },
      });
      expect(noReason.statusCode).toBe(400);
      expect((noReason.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
        'reason',
      ]);
    });
  });
});
