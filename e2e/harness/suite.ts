// What every e2e file needs around its tests: one real face engine and one Chromium for the file,
// and each test's world (server + kiosk + page) closed after the test, pass or fail.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { FaceEngine } from '../../src/ml/types.js';
import { launchChromium } from './browser.js';
import { loadEngine } from './engine.js';
import { createWorld, type World } from './world.js';

type WorldOptions = Omit<Parameters<typeof createWorld>[0], 'engine' | 'browser'> & { browser?: Browser };

export interface E2eSuite {
  /** The file's face engine (valid inside tests). */
  readonly engine: FaceEngine;
  /** The file's Chromium (valid inside tests). */
  readonly browser: Browser;
  /** A world on the file's engine (and browser unless given), closed after the current test. */
  world(opts?: WorldOptions): Promise<World>;
}

/** Registers the file's hooks; call once at the top level of an e2e file. */
export function useE2eSuite(): E2eSuite {
  let engine: FaceEngine | undefined;
  let browser: Browser | undefined;
  const open: World[] = [];
  beforeAll(async () => {
    [engine, browser] = await Promise.all([loadEngine(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.dispose();
  });
  afterEach(async () => {
    for (const w of open.splice(0)) await w.close();
  });
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the e2e ${what} is only available inside tests`);
    return v;
  };
  return {
    get engine() {
      return ready(engine, 'face engine');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    async world(opts = {}) {
      const w = await createWorld({
        ...opts,
        engine: ready(engine, 'face engine'),
        browser: opts.browser ?? ready(browser, 'browser'),
      });
      open.push(w);
      return w;
    },
  };
}
