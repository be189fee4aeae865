// A live session stream shows a teacher their own class only while it is theirs: the class's
// teacher is looked at on every poll, not only when the stream opens, so a teacher an admin took
// off the class stops receiving its report at once, as any new request of theirs would be
// refused (docs/security.md, finding 37).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  call,
  createUser,
  pairKiosk,
  presentMark,
  seed,
  type Seeded,
  type TestApp,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

describe.each(dialects)('a live stream of a class given to another teacher on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let url = '';

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database, { consoleDir: null, processMetrics: false });
    s = await seed(t, database, { students: 2 });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  it.skipIf(!dialect.available)(
    'ends with not_your_class, sends nothing of the class after, and the teacher cannot open it again',
    async () => {
      const live = `${url}/api/sessions/${encodeURIComponent(s.sessionId)}/live`;
      const ac = new AbortController();
      const res = await fetch(live, { headers: bearer(s.teacherToken), signal: ac.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      /** The next event's name and data. */
      const next = async (): Promise<{ event: string; data: string }> => {
        for (;;) {
          const m = /event: (\w+)\ndata: (.*)\n\n/.exec(buffer);
          if (m) {
            buffer = buffer.slice((m.index ?? 0) + m[0].length);
            return { event: m[1] ?? '', data: m[2] ?? '' };
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended without an end event');
          buffer += value;
        }
      };
      try {
        expect((await next()).event).toBe('report');

        // The admin gives the class to another teacher; then a kiosk marks a student of it.
        const other = await createUser(database, 'teacher');
        await call(t.app, s.adminToken, 'PATCH', `/api/classes/${s.classId}`, { teacherId: other.id });
        const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
        await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', {
          events: [presentMark(s, 0)],
          health: { appVersion: '0.1.0', queueDepth: 0 },
        });

        // Before the fix the next event was a report naming the marked student.
        expect(await next()).toEqual({ event: 'end', data: JSON.stringify({ reason: 'not_your_class' }) });
        const again = await fetch(live, { headers: bearer(s.teacherToken) });
        expect(again.status).toBe(403);
        await again.body?.cancel();
      } finally {
        ac.abort();
      }
    },
  );
});
