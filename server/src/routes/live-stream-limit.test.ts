// Each live session stream polls the database and rebuilds its report on every change: one
// account may hold only a few open at once, so a teacher's account (or a stolen access token)
// cannot make the server do unbounded work by opening thousands (docs/security.md, finding 22).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { LIVE_STREAMS_PER_USER } from './sessions.js';

const sqlite = (await testDialects()).find((d) => d.name === 'sqlite');
if (!sqlite) throw new Error('no sqlite dialect');

describe('live session streams per user', () => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let url: string;
  const opened: AbortController[] = [];

  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database, { consoleDir: null });
    s = await seed(t, database, { students: 1 });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  });
  afterAll(async () => {
    for (const ac of opened) ac.abort();
    await t.app.close();
    await database.cleanup();
  });

  /** Opens a stream of the seeded session; a stream that answered 200 stays open until aborted. */
  async function open(token: string): Promise<{ status: number; error?: string; ac: AbortController }> {
    const ac = new AbortController();
    const res = await fetch(`${url}/api/sessions/${encodeURIComponent(s.sessionId)}/live`, {
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

  it('refuses a user one stream more than the limit, lets other users in, and frees a slot when a stream closes', async () => {
    const first = await open(s.teacherToken);
    expect(first.status).toBe(200);
    for (let i = 1; i < LIVE_STREAMS_PER_USER; i++) expect((await open(s.teacherToken)).status).toBe(200);

    expect(await open(s.teacherToken)).toMatchObject({ status: 429, error: 'too_many_streams' });
    // Another account has its own allowance.
    expect((await open(s.adminToken)).status).toBe(200);

    first.ac.abort();
    // The server hears of the closed socket shortly after.
    let again = await open(s.teacherToken);
    for (let tries = 0; again.status === 429 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await open(s.teacherToken);
    }
    expect(again.status).toBe(200);
  });
});
