// Closing the server (SIGTERM, a rolling deploy) lets a request in flight finish and then
// closes its keep-alive connection at once, instead of waiting out the keep-alive timeout.
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test/app.js';
import { openTestSqlite } from '../test/databases.js';

describe('closing the server', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('answers the request in flight, then closes its connection and finishes closing promptly', async () => {
    const database = await openTestSqlite();
    cleanups.push(() => database.cleanup());
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { app } = await buildTestApp(database, {
      plugins: [
        async (instance) => {
          instance.get('/api/test/slow', async () => {
            entered();
            await released;
            return { done: true };
          });
        },
      ],
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });

    // fetch keeps its connection alive after the answer, as browsers and kiosks do.
    const answer = fetch(`${address}/api/test/slow`).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as unknown,
    }));
    await inHandler;
    const closing = app.close();
    // The answer goes out only once the server has stopped listening, as when a deploy's
    // SIGTERM lands while a request is being worked on.
    while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect(await answer).toEqual({ status: 200, body: { done: true } });

    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting'), 5_000))),
    ]);
    clearTimeout(timer);
    expect(outcome, `close() after ${Date.now() - started} ms`).toBe('closed');
  });
});
