// A school's first minutes in the console: an admin on a fresh server goes to Kiosks before
// adding any room. The room list there is empty, so the page says a kiosk belongs to a room and
// links to Sites & rooms, instead of an empty "Choose a room" and a bare "Required.".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, fakeFaceEngine, login } from '../server/test/app.js';
import { launchChromium } from './harness/browser.js';
import { signInConsole } from './harness/console.js';
import { startServer, type RunningServer } from './harness/server.js';

let browser: Browser;
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'rollcall-console-first-run-e2e-'));
  server = await startServer({ dbFile: join(dir, 'server.db'), engine: fakeFaceEngine() });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('console on a fresh server', () => {
  it('Kiosks with no room yet sends the admin to Sites & rooms first', async () => {
    const admin = await createUser(server.database, 'admin');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await signInConsole(page, server.url, admin.email, admin.password);
      await page.goto(`${server.url}/#/kiosks`);
      const empty = page.locator('[data-page="kiosks"] [data-state="empty"]');
      await empty.waitFor();
      expect(await empty.textContent()).toContain('there is no room yet');
      expect(await page.locator('.field__hint', { hasText: 'No rooms yet' }).count()).toBe(1);
      await empty.getByRole('link', { name: 'Sites & rooms' }).click();
      await page.waitForSelector('[data-page="places"]');

      // With a room, the page reads as before: the hint is gone.
      const token = await login(server.app(), admin.email, admin.password);
      await call(server.app(), token, 'POST', '/api/rooms', { name: 'Room 101', siteId: 'default' });
      await page.goto(`${server.url}/#/kiosks`);
      await empty.waitFor();
      expect(await empty.textContent()).toBe(
        'No kiosk yet: add one for a room below, then pair it with the code.',
      );
      expect(await page.locator('.field__hint', { hasText: 'No rooms yet' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
