// One e2e "world" per test: its own temp folder, a real server with a seeded school, the real
// kiosk core (shared face engine, replay camera), the browser bridge and a Chromium page.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createUser, call, login, multipartBody } from '../../server/test/app.js';
import type { KioskState } from '../../src/contracts/kiosk-api.js';
import { startBridge, type Bridge, type BridgeKiosk } from '../../src/core/bridge/index.js';
import { createKiosk } from '../../src/core/index.js';
import type { FaceEngine } from '../../src/ml/types.js';
import { RENDERER_DIR } from '../build-renderer.js';
import { startServer, type RunningServer } from './server.js';

export const FRAMES = resolve(import.meta.dirname, '..', 'fixtures', 'frames');
export const SCREENSHOTS = resolve(import.meta.dirname, '..', 'screenshots');
export const ADMIN_PIN = '2468';

/** The engine is loaded once per file; kiosks must not dispose it. */
export function borrowed(engine: FaceEngine): FaceEngine {
  return {
    backend: engine.backend,
    modelId: engine.modelId,
    embeddingSize: engine.embeddingSize,
    analyse: (i) => engine.analyse(i),
    dispose: async () => {},
  };
}

export interface School {
  adminToken: string;
  roomId: string;
  classId: string;
  students: { powell: string; bush: string };
  /** The kiosk's device on the server, and the code that pairs it. */
  deviceId: string;
  pairingCode: string;
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/** A room with a class in session now (UTC site), two consenting students, Powell with photos. */
export async function seedSchool(server: RunningServer): Promise<School> {
  const app = server.app();
  const admin = await createUser(server.database, 'admin');
  const adminToken = await login(app, admin.email, admin.password);
  const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
    name: 'Room 101',
    siteId: 'default',
  });
  const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
    name: 'Maths 9A',
    siteId: 'default',
  });
  const now = new Date();
  const start = new Date(
    Math.max(now.getTime() - 10 * 60_000, Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`)),
  );
  const end = new Date(
    Math.min(now.getTime() + 80 * 60_000, Date.parse(`${now.toISOString().slice(0, 10)}T23:59:00Z`)),
  );
  await call(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
    roomId: room.id,
    date: now.toISOString().slice(0, 10),
    startTime: hhmm(start),
    endTime: hhmm(end),
    graceMinutes: 30,
  });
  const student = (studentNumber: string, name: string) =>
    call<{ id: string }>(app, adminToken, 'POST', '/api/students', {
      siteId: 'default',
      studentNumber,
      name,
      consent: true,
    });
  const powell = await student('1001', 'Colin Powell');
  const bush = await student('1002', 'George Bush');
  await call(app, adminToken, 'POST', `/api/classes/${cls.id}/enrolments`, {
    studentIds: [powell.id, bush.id],
  });
  // Powell's templates come from photos other than the door frames, embedded by the server.
  const body = multipartBody(
    ['powell-04.jpg', 'powell-05.jpg'].map((f) => ({ filename: f, bytes: readFileSync(join(FRAMES, f)) })),
  );
  const photos = await app.inject({
    method: 'POST',
    url: `/api/students/${powell.id}/photos`,
    headers: { authorization: `Bearer ${adminToken}`, ...body.headers },
    payload: body.payload,
  });
  if (photos.statusCode !== 200) throw new Error(`photo import failed: ${photos.statusCode} ${photos.body}`);
  const device = await call<{ id: string; pairingCode: string }>(app, adminToken, 'POST', '/api/devices', {
    roomId: room.id,
  });
  return {
    adminToken,
    roomId: room.id,
    classId: cls.id,
    students: { powell: powell.id, bush: bush.id },
    deviceId: device.id,
    pairingCode: device.pairingCode,
  };
}

/** Writes a door sequence (fixture names, in order) as a replay folder. */
export function doorSequence(dir: string, frames: string[]): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  frames.forEach((f, i) => copyFileSync(join(FRAMES, f), join(dir, `${String(i).padStart(4, '0')}.jpg`)));
  return dir;
}

/** n copies of a frame list: a person stays in view for a while. */
export const hold = (frames: string[], times: number) => Array.from({ length: times }, () => frames).flat();

export interface World {
  dir: string;
  server: RunningServer;
  school: School;
  kiosk: ReturnType<typeof createKiosk>;
  bridge: Bridge;
  page: Page;
  /** Plays a replay folder on the kiosk's real replay camera. */
  play(frames: string[], fps?: number, loop?: boolean): void;
  waitForKiosk(predicate: (s: KioskState) => boolean, what: string, timeoutMs?: number): Promise<KioskState>;
  /** Waits for the big greeting of this kind on the page; on timeout says what the core decided. */
  waitForGreeting(kind: string, timeoutMs?: number): Promise<string>;
  /** How many times the core asked its host to quit ("Quit Rollcall"); the world itself keeps running. */
  quitRequests(): number;
  /** Every decision the core made (kind, name, scores), for assertions and diagnostics. */
  decisions: { kind: string; name: string | null; similarity: number | null }[];
  /** Stops the camera (the door is closed). */
  stopCamera(): void;
  /**
   * Lays fields over the real core's state on its way to the page (null: none), and pushes it.
   * For screens whose STATE is what is tested (a long name, the engine loading): the page still
   * talks to the real core for everything else.
   */
  setView(patch: Partial<KioskState> | null): void;
  /** Saves e2e/screenshots/<name>.png; admin screens pass fullPage to show what is below the fold. */
  shot(name: string, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * Polls `check` from Node. Not page.waitForFunction: its polling evaluates a string in the
 * page, which the kiosk's CSP (no unsafe-eval) rightly refuses.
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Opens the kiosk UI the way a person does: a fresh load of the bridge's URL with its access
 * token in the fragment (from about:blank: on the same page, a new fragment alone would not
 * reload it). The page must take the token out of the address bar; if it does not, the built
 * renderer predates the token (out/renderer is only rebuilt when missing).
 */
export async function openUi(page: Page, bridge: Bridge): Promise<void> {
  if (page.url().startsWith(bridge.origin)) await page.goto('about:blank');
  await page.goto(bridge.url);
  await pollUntil(
    () => !page.url().includes('token='),
    'the page to take #token= out of its URL (else out/renderer is stale: rerun with E2E_REBUILD=1)',
  );
  await page.waitForSelector('[data-screen="kiosk"][data-app-state="ready"]');
}

export async function createWorld(opts: {
  engine: FaceEngine;
  browser: Browser;
  pair?: boolean;
  camera?: string;
  viewport?: { width: number; height: number };
  /** The first-run PIN; null = none given, so the kiosk starts with the factory default. */
  adminPin?: string | null;
}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-e2e-'));
  const server = await startServer({ dbFile: join(dir, 'server.db'), engine: borrowed(opts.engine) });
  const school = await seedSchool(server);
  const pair = opts.pair ?? true;
  const kiosk = createKiosk({
    dataDir: join(dir, 'kiosk'),
    camera: opts.camera ?? 'none',
    engine: borrowed(opts.engine),
    logger: pino({ level: process.env.E2E_LOG ?? 'silent' }),
    ...(opts.adminPin === null ? {} : { adminPin: opts.adminPin ?? ADMIN_PIN }),
    deviceName: 'E2E door',
    ...(pair ? { serverUrl: server.url, pairingCode: school.pairingCode } : {}),
    sync: { intervalMs: 500, timeoutMs: 2_000, backoff: { baseMs: 200, maxMs: 1_000 } },
  });
  let view: Partial<KioskState> | null = null;
  const project = (s: KioskState): KioskState => (view ? { ...s, ...view } : s);
  const pageListeners = new Set<(s: KioskState) => void>();
  const viewed: BridgeKiosk = {
    handlers: {
      ...kiosk.handlers,
      getState: async (args) => {
        const r = await kiosk.handlers.getState(args);
        return r.ok ? { ok: true, value: project(r.value) } : r;
      },
    },
    subscribe: (listener) => {
      pageListeners.add(listener);
      const off = kiosk.subscribe((s) => listener(project(s)));
      return () => {
        pageListeners.delete(listener);
        off();
      };
    },
    pushFrame: (data) => kiosk.pushFrame(data),
    latestFrame: () => kiosk.latestFrame(),
  };
  const bridge = await startBridge({
    kiosk: viewed,
    port: 0,
    staticDir: RENDERER_DIR,
    logger: pino({ level: 'silent' }),
  });
  const page = await opts.browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 720 } });
  let replays = 0;
  const decisions: World['decisions'] = [];
  kiosk.onDecision((d) =>
    decisions.push({ kind: d.kind, name: d.name, similarity: d.scores?.similarity ?? null }),
  );
  let quitRequests = 0;
  kiosk.onQuitRequest(() => {
    quitRequests += 1;
  });
  let closing: Promise<void> | undefined;
  const world: World = {
    decisions,
    quitRequests: () => quitRequests,
    stopCamera() {
      kiosk.setCamera('none');
    },
    setView(patch) {
      view = patch;
      const s = project(kiosk.state());
      for (const l of pageListeners) l(s);
    },
    async waitForGreeting(kind, timeoutMs = 90_000) {
      try {
        const el = await page.waitForSelector(`[data-testid="greeting"][data-kind="${kind}"]`, {
          timeout: timeoutMs,
        });
        return (await el.textContent()) ?? '';
      } catch (err) {
        const s = kiosk.state();
        throw new Error(
          `no "${kind}" greeting: decisions ${JSON.stringify(decisions)}; camera ${s.camera.status}, frames analysed up to ${s.frame?.seq ?? 'none'}, dropped ${s.droppedFrames}`,
          { cause: err },
        );
      }
    },
    dir,
    server,
    school,
    kiosk,
    bridge,
    page,
    play(frames, fps = 2, loop = false) {
      const folder = doorSequence(join(dir, `door-${++replays}`), frames);
      kiosk.setCamera(`replay:${folder}?fps=${fps}&loop=${loop ? 1 : 0}`);
    },
    async waitForKiosk(predicate, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = kiosk.state();
        if (predicate(s)) return s;
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}; state: ${JSON.stringify({ ...s, faces: s.faces.length })}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async shot(name, fullPage = false) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
    },
    // Idempotent: a test may close its world early (before closing its own browser) and the
    // suite closes every world after the test anyway.
    close() {
      closing ??= (async () => {
        await page.close().catch(() => undefined);
        await bridge.close();
        await kiosk.close();
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  await kiosk.ready;
  if (pair)
    await world.waitForKiosk(
      (s) => s.sync.paired && s.sync.lastPullAt !== null && s.session !== null,
      'pairing and the first roster pull',
    );
  await openUi(page, bridge);
  return world;
}
