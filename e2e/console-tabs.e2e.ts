// Two console tabs of one browser share one session cookie, and every refresh rotates its token:
// a used token that comes back is taken for a stolen copy and ends the session. Two tabs that
// renew at the same moment (a browser restoring its tabs, two tabs opened together whose tokens
// then expire together) both send the same token; without coordination the second one signs
// the teacher out of every tab and writes a false alarm in the audit log. The console renews one
// tab at a time across the browser (Web Locks), so the second tab sends the rotated cookie.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, fakeFaceEngine } from '../server/test/app.js';
import { launchChromium } from './harness/browser.js';
import { signInConsole } from './harness/console.js';
import { startServer, type RunningServer } from './harness/server.js';

let browser: Browser;
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'rollcall-console-tabs-e2e-'));
  server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('console in two tabs', () => {
  it('two tabs renewing the session at the same moment both stay signed in; no reuse is logged', async () => {
    const teacher = await createUser(server.database, 'teacher');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const first = await context.newPage();
      await signInConsole(first, server.url, teacher.email, teacher.password);
      const second = await context.newPage();
      await second.goto(`${server.url}/#/today`);
      await second.waitForSelector('[data-testid="signed-in-as"]');

      // The first tab's renewal reaches the server (which rotates the token) but its answer, with
      // the new cookie, is held back until the second tab has sent its own renewal: the overlap of
      // two tabs restored together on a slow network. With the tabs taking turns, the second one
      // does not send before the first has its answer, so the hold ends after 3 s instead.
      const isRefresh = (url: string) => url.endsWith('/api/auth/session/refresh');
      let held = 0;
      let firstAtServer!: () => void;
      const firstReachedServer = new Promise<void>((r) => (firstAtServer = r));
      const secondSent = new Promise<void>((r) => {
        second.on('request', (req) => {
          if (isRefresh(req.url())) r();
        });
      });
      await first.route('**/api/auth/session/refresh', async (route) => {
        held++;
        // Sent from here with the browser's own headers (its cookie included), so that the browser
        // learns the rotated cookie only when the answer is let through (route.fetch would store
        // it in the browser at once).
        const request = route.request();
        const answer = await fetch(request.url(), {
          method: request.method(),
          headers: await request.allHeaders(),
        });
        const body = Buffer.from(await answer.arrayBuffer());
        firstAtServer();
        await Promise.race([secondSent, sleep(3000)]);
        // fetch has already undone any compression: the body goes on as it is, so do its headers.
        const headers = Object.fromEntries(
          [...answer.headers].filter(([name]) => !['content-encoding', 'content-length'].includes(name)),
        );
        await route.fulfill({ status: answer.status, headers, body });
      });
      await Promise.all([
        first.reload({ waitUntil: 'commit' }),
        (async () => {
          await firstReachedServer;
          await second.reload({ waitUntil: 'commit' });
        })(),
      ]);
      expect(held).toBe(1);
      const signedIn = [];
      for (const page of [first, second]) {
        await page.waitForSelector('[data-testid="signed-in-as"], [data-page="signin"]');
        signedIn.push(await page.locator('[data-testid="signed-in-as"]').count());
      }
      expect(signedIn, 'tabs still signed in (first, second)').toEqual([1, 1]);
      const reuse = await server.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', '=', 'auth.refresh_reuse')
        .execute();
      expect(reuse).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
