// Each live session stream polls the database and rebuilds its report on every change: one
// account may hold only a few open at once, so a teacher's account (or a stolen access token)
// cannot make the server do unbounded work by opening thousands (docs/security.md, finding 22).
// The limit holds across server instances, and a crashed instance's streams do not keep their
// slots (finding 33).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, createUser, login, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { slotLeases } from '../rate-limit-store.js';
import { LIVE_SLOT_TTL_MS, LIVE_STREAM_SLOTS, LIVE_STREAMS_PER_USER } from './sessions.js';

const dialects = await testDialects();

describe.each(dialects)('live session streams per user on $name', (dialect) => {
  let database: TestDatabase;
  // Two server instances on one database, each with its own process state.
  let a: TestApp;
  let b: TestApp;
  let s: Seeded;
  const urls = new Map<TestApp, string>();
  const opened: AbortController[] = [];

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    a = await buildTestApp(database, { consoleDir: null, processMetrics: false });
    b = await buildTestApp(database, {
      consoleDir: null,
      processMetrics: false,
      config: { jwtSecret: a.config.jwtSecret },
    });
    s = await seed(a, database, { students: 1 });
    for (const t of [a, b]) {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const address = t.app.server.address();
      urls.set(t, typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '');
    }
  });
  afterAll(async () => {
    for (const ac of opened) ac.abort();
    await a?.app.close();
    await b?.app.close();
    await database?.cleanup();
  });

  /** Opens a stream of the seeded session on `t`; a stream that answered 200 stays open until aborted. */
  async function open(
    t: TestApp,
    token: string,
  ): Promise<{ status: number; error?: string; ac: AbortController }> {
    const ac = new AbortController();
    const res = await fetch(`${urls.get(t)}/api/sessions/${encodeURIComponent(s.sessionId)}/live`, {
      headers: bearer(token),
      signal: ac.signal,
    });
    if (res.status === 200) {
      opened.push(ac);
      // Read up to the first report, so the stream is really running.
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('event: report')) text += (await reader.read()).value ?? '';
      return { status: 200, ac };
    }
    const body = (await res.json()) as { error?: string };
    return { status: res.status, ...(body.error === undefined ? {} : { error: body.error }), ac };
  }

  /** Opens until one is not refused: the server hears of a closed socket shortly after. */
  async function openOnceFreed(t: TestApp, token: string) {
    let again = await open(t, token);
    for (let tries = 0; again.status === 429 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await open(t, token);
    }
    return again;
  }

  const freshAdmin = async () => {
    const user = await createUser(database, 'admin');
    return { id: user.id, token: await login(a.app, user.email, user.password) };
  };

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('refuses a user one stream more than the limit, lets other users in, and frees a slot when a stream closes', async () => {
      const first = await open(a, s.teacherToken);
      expect(first.status).toBe(200);
      for (let i = 1; i < LIVE_STREAMS_PER_USER; i++)
        expect((await open(a, s.teacherToken)).status).toBe(200);

      expect(await open(a, s.teacherToken)).toMatchObject({ status: 429, error: 'too_many_streams' });
      // Another account has its own allowance.
      expect((await open(a, s.adminToken)).status).toBe(200);

      first.ac.abort();
      expect((await openOnceFreed(a, s.teacherToken)).status).toBe(200);
    });

    it("counts a user's streams on every instance together", async () => {
      const user = await freshAdmin();
      const onA: AbortController[] = [];
      for (let i = 0; i < LIVE_STREAMS_PER_USER; i++) {
        const t = i % 2 === 0 ? a : b;
        const stream = await open(t, user.token);
        expect(stream.status).toBe(200);
        if (t === a) onA.push(stream.ac);
      }
      // Per instance this user holds half the limit, which alone let them open as many again.
      expect(await open(a, user.token)).toMatchObject({ status: 429, error: 'too_many_streams' });
      expect(await open(b, user.token)).toMatchObject({ status: 429, error: 'too_many_streams' });
      // A stream closed on one instance frees a slot on the other.
      onA[0]!.abort();
      expect((await openOnceFreed(b, user.token)).status).toBe(200);
    });

    it("an instance that shuts down gives its streams' slots back", async () => {
      const user = await freshAdmin();
      const c = await buildTestApp(database, {
        consoleDir: null,
        processMetrics: false,
        config: { jwtSecret: a.config.jwtSecret },
      });
      await c.app.listen({ host: '127.0.0.1', port: 0 });
      const address = c.app.server.address();
      urls.set(c, typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '');
      for (let i = 0; i < LIVE_STREAMS_PER_USER; i++) expect((await open(c, user.token)).status).toBe(200);
      expect(await open(a, user.token)).toMatchObject({ status: 429, error: 'too_many_streams' });
      await c.app.close();
      expect((await open(a, user.token)).status).toBe(200);
    });

    it("a crashed instance's streams keep their slots only until they lapse", async () => {
      const user = await freshAdmin();
      // What an instance that died with this user's streams open leaves: slots never renewed nor released.
      const crashed = slotLeases(database.db, a.clock, LIVE_STREAM_SLOTS, LIVE_SLOT_TTL_MS);
      for (let i = 0; i < LIVE_STREAMS_PER_USER; i++)
        expect(await crashed.claim(user.id, LIVE_STREAMS_PER_USER)).not.toBeNull();
      expect(await open(a, user.token)).toMatchObject({ status: 429, error: 'too_many_streams' });
      a.clock.advance(LIVE_SLOT_TTL_MS);
      expect((await open(a, user.token)).status).toBe(200);
    });
  });
});
