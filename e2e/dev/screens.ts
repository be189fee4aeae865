// Development screenshots of every screen state at several sizes, against the fake kiosk.
// Run: npx tsx e2e/dev/screens.ts  → e2e/screenshots/dev-*.png
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { startBridge } from '../../src/core/bridge/index.js';
import { ensureRenderer } from '../build-renderer.js';
import { launchChromium } from '../harness/browser.js';
import { baseState, fakeKiosk } from './fake-kiosk.js';

const out = resolve(import.meta.dirname, '..', 'screenshots');
mkdirSync(out, { recursive: true });
const staticDir = await ensureRenderer(process.argv.includes('--build'));
const fake = fakeKiosk();
const bridge = await startBridge({ kiosk: fake.kiosk, port: 0, staticDir, logger: pino({ level: 'warn' }) });
const browser = await launchChromium();
const sizes = {
  '720p': { width: 1280, height: 720 },
  portrait: { width: 1080, height: 1920 },
  '4k': { width: 3840, height: 2160 },
} as const;
try {
  for (const [name, viewport] of Object.entries(sizes)) {
    const page = await browser.newPage({ viewport });
    fake.set(baseState()); // a fresh greeting for each size
    await page.goto(bridge.url);
    await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: resolve(out, `dev-kiosk-present-${name}.png`) });
    await page.close();
  }
  const page = await browser.newPage({ viewport: sizes['720p'] });
  await page.goto(bridge.url);
  await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
  const now = () => new Date().toISOString();
  const shots: [string, Parameters<typeof fake.set>[0]][] = [
    [
      'unknown',
      {
        greeting: { kind: 'unknown', studentId: null, name: null, message: '', at: now(), scores: null },
        faces: [{ box: [0.3, 0.2, 0.3, 0.45], label: null, state: 'unknown', hint: null }],
      },
    ],
    [
      'not-enrolled',
      {
        greeting: {
          kind: 'not_enrolled',
          studentId: 's3',
          name: 'Hugo Chavez',
          message: 'Logged for the office',
          at: now(),
          scores: null,
        },
      },
    ],
    [
      'late',
      {
        greeting: {
          kind: 'late',
          studentId: 's1',
          name: 'Colin Powell',
          message: '',
          at: now(),
          scores: null,
        },
      },
    ],
    ['idle-no-class', { greeting: null, session: null, faces: [] }],
    [
      'loading',
      {
        engine: { state: 'loading', progress: 0.42, backend: null, modelId: null, error: null },
        greeting: null,
      },
    ],
    [
      'camera-missing',
      {
        engine: baseState().engine,
        camera: { status: 'missing', detail: 'No /dev/video0 — is the camera plugged in?', fps: 0 },
        frame: null,
        faces: [],
      },
    ],
  ];
  for (const [name, patch] of shots) {
    fake.set(patch);
    await page.waitForTimeout(400);
    await page.screenshot({ path: resolve(out, `dev-kiosk-${name}.png`) });
  }
  fake.set(baseState());
  await page.click('[data-testid="open-admin"]');
  await page.waitForSelector('[data-screen="pin"][data-app-state="ready"]');
  await page.screenshot({ path: resolve(out, 'dev-pin.png') });
  await page.fill('[data-testid="pin-input"]', '1234');
  await page.click('[data-testid="pin-submit"]');
  for (const tab of ['today', 'roster', 'enrol', 'sync', 'settings']) {
    await page.click(`[data-testid="tab-${tab}"]`);
    await page.waitForSelector(`[data-panel="${tab}"][data-app-state="ready"]`);
    if (tab === 'enrol') {
      await page.waitForSelector('[data-testid="enrol-progress"]');
    }
    await page.waitForTimeout(300);
    await page.screenshot({ path: resolve(out, `dev-admin-${tab}.png`), fullPage: true });
  }
} finally {
  await browser.close();
  await bridge.close();
}
