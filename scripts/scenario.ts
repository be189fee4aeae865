// The door scenario: the whole real stack, end to end.
//
//   npm run scenario -- --faces <dir> [--offline] [--crash] [--seed N]
//
// A fresh server (in this process, temporary SQLite, real face engine) gets a class with a
// session in progress in a room; the enrolled identities of the folder (EVAL-PROTOCOL: even
// positions) become students whose first K images are imported through the server's photo
// route. A headless kiosk (a child process: `src/core/cli/kiosk.ts`) is paired and pulls the
// roster, then watches a replayed door sequence at 10 fps in which every probe person, known
// and unknown, appears in seeded random order (grey empty frames in between). The kiosk then
// pushes, and the scenario reads the server's session report.
//   --offline  the server is down for the whole door run and starts afterwards
//   --crash    the kiosk is SIGKILLed at several points during marking and pushing, and
//              restarted each time (resuming the door sequence where the camera would be)
//   --rush N   a class of N students rushing in with --strangers S (default 5) within
//              --rush-seconds (default 60): up to 3 people side by side in each frame (composited
//              640×480 frames, each face as large as in the one-person door; each photo fades
//              into a blurred continuation of itself over a textured backdrop, so no frame is a
//              collage of paper-edged strips on flat grey). Every enrolled
//              identity of the folder is a student of the site (the school); only the N rushing
//              ones are in the class in session. Adds faces_per_frame_max.
//   --school M enrol only M of the folder's enrolled identities at the site (class first)
//   --school-day  an ordinary school day (scripts/school-day.ts): the door run happens in the
//              arrival window of the next class, right after a class of the same students in the
//              same room (early arrivals go to the next one); the class's timetable is edited
//              mid-run (its past report must not change); then a second campus on a holiday runs
//              the same door sequence (nobody marked, no absence email through a real SMTP server)
// Prints one JSON object on stdout; progress goes to stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pino from 'pino';
import sharp from 'sharp';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/src/app.js';
import { defaultAppConfig, type AppConfig } from '../server/src/config.js';
import { openDatabase, type Database as ServerDatabase } from '../server/src/db/database.js';
import { insertUser } from '../server/src/repositories/users.js';
import { hashPassword } from '../server/src/services/passwords.js';
import { defaultNotificationsConfig } from '../server/src/notifications/config.js';
import { TestSmtpServer } from '../server/src/notifications/smtp-test-server.js';
import { SchoolDay } from './school-day.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KIOSK_CLI = join(ROOT, 'src/core/cli/kiosk.ts');
const FRAME_W = 640;
const FRAME_H = 480;

export const ScenarioOptions = z.object({
  faces: z.string().min(1),
  offline: z.boolean().default(false),
  crash: z.boolean().default(false),
  seed: z.coerce.number().int().default(1),
  /** Enrolment images per enrolled identity (EVAL-PROTOCOL K). */
  k: z.coerce.number().int().min(1).default(2),
  fps: z.coerce.number().min(1).max(30).default(10),
  /** Frames each probe image stays in view (a person does not change every 100 ms). */
  hold: z.coerce.number().int().min(1).default(5),
  /** Minimum frames a person stays at the door (their probe images cycle to fill it). */
  visit: z.coerce.number().int().min(1).default(20),
  /** Empty frames between people. */
  gap: z.coerce.number().int().min(0).default(5),
  keep: z.boolean().default(false),
  verbose: z.boolean().default(false),
  /** The kiosk's log level; `debug` logs every analysed frame (kept in the work dir with --keep). */
  'log-level': z.enum(['info', 'debug']).default('info'),
  /** Rush mode: this many enrolled students of the class come through the door together. */
  rush: z.coerce.number().int().min(1).optional(),
  /** Students enrolled at the site (default: every enrolled identity of the folder). */
  school: z.coerce.number().int().min(1).optional(),
  /** Strangers mixed into the rush. */
  strangers: z.coerce.number().int().min(0).default(5),
  /** The rush's arrivals all happen within this many seconds. */
  'rush-seconds': z.coerce.number().min(5).max(600).default(60),
  /** Serve the kiosk UI from the door kiosk on this loopback port (`npm run demo -- --ui`). */
  ui: z.coerce.number().int().min(0).max(65_535).optional(),
  'school-day': z.boolean().default(false),
});
export type ScenarioOptions = z.input<typeof ScenarioOptions>;

// ------------------------------------------------------------------ dataset (EVAL-PROTOCOL)
interface Identity {
  name: string;
  enrolled: boolean;
  templates: string[];
  probes: string[];
}

export function splitDataset(dir: string, k: number): Identity[] {
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
  return folders.map((name, i) => {
    const files = readdirSync(join(dir, name))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => join(dir, name, f));
    const enrolled = i % 2 === 0;
    return enrolled
      ? { name, enrolled, templates: files.slice(0, k), probes: files.slice(k) }
      : { name, enrolled, templates: [], probes: files };
  });
}

/** Small seeded PRNG (mulberry32), so a seed always gives the same door order. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------ the door sequence
interface Visit {
  identity: string;
  known: boolean;
  first: number;
  last: number;
}
interface DoorSequence {
  dir: string;
  frames: number;
  visits: Visit[];
  /** Who is at the door on each frame (empty: nobody). */
  owner: Visit[][];
  /** The most faces composited into one frame. */
  facesPerFrameMax: number;
  /** The identities that come to the door as students of the class in session (rush), or null (all enrolled). */
  classMembers: Set<string> | null;
}

/** Puts an image on a 640×480 mid-grey frame, as a door camera would see it (never upscaled). */
async function toDoorFrame(file: string): Promise<Buffer> {
  const img = sharp(file)
    .rotate()
    .resize({ width: FRAME_W, height: FRAME_H, fit: 'inside', withoutEnlargement: true });
  const buf = await img.jpeg({ quality: 92 }).toBuffer({ resolveWithObject: true });
  const { width, height } = buf.info;
  return sharp({
    create: { width: FRAME_W, height: FRAME_H, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .composite([
      { input: buf.data, left: Math.floor((FRAME_W - width) / 2), top: Math.floor((FRAME_H - height) / 2) },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}

async function buildDoorSequence(
  identities: Identity[],
  o: z.output<typeof ScenarioOptions>,
  work: string,
): Promise<DoorSequence> {
  const unique = join(work, 'unique');
  const dir = join(work, 'door');
  mkdirSync(unique, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const empty = join(unique, 'empty.jpg');
  writeFileSync(
    empty,
    await sharp({
      create: { width: FRAME_W, height: FRAME_H, channels: 3, background: { r: 128, g: 128, b: 128 } },
    })
      .jpeg()
      .toBuffer(),
  );

  const people = identities.filter((p) => p.probes.length > 0);
  const rand = prng(o.seed);
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [people[i], people[j]] = [people[j] as Identity, people[i] as Identity];
  }
  const owner: Visit[][] = [];
  const files: string[] = [];
  const visits: Visit[] = [];
  const pushFrame = (file: string, who: Visit | null) => {
    files.push(file);
    owner.push(who ? [who] : []);
  };
  for (let i = 0; i < o.gap * 2; i++) pushFrame(empty, null);
  for (const p of people) {
    const frames: string[] = [];
    for (const [n, probe] of p.probes.entries()) {
      const out = join(unique, `${p.name}-${n}.jpg`);
      writeFileSync(out, await toDoorFrame(probe));
      frames.push(out);
    }
    const visit: Visit = { identity: p.name, known: p.enrolled, first: files.length, last: 0 };
    const length = Math.max(o.visit, frames.length * o.hold);
    for (let f = 0; f < length; f++)
      pushFrame(frames[Math.floor(f / o.hold) % frames.length] as string, visit);
    visit.last = files.length - 1;
    visits.push(visit);
    for (let i = 0; i < o.gap; i++) pushFrame(empty, null);
  }
  for (let i = 0; i < o.gap; i++) pushFrame(empty, null);
  files.forEach((f, i) => symlinkSync(f, join(dir, `${String(i).padStart(6, '0')}.jpg`)));
  return { dir, frames: files.length, visits, owner, facesPerFrameMax: 1, classMembers: null };
}

// ------------------------------------------------------------------ the rush
const RUSH_SLOTS = 3;
const SLOT_W = Math.floor(FRAME_W / RUSH_SLOTS);
/** Width of the soft edge (pixels) over which a photo fades into what is around it. */
const FEATHER = 24;

// Why the rush's frames are not collages: three photos pasted on flat grey are, to a
// presentation-attack model, three held-up prints (straight paper edges beside each face), and
// the door's liveness check rightly slows or refuses them (docs/recognition.md, measured). A door
// camera sees people in front of a room: no paper edges. So each person's photo fades, over
// FEATHER pixels, into a blurred continuation of its own borders, and each place fades into a
// textured backdrop: the frame is picture content everywhere, with no hard edge or flat band.
// The faces themselves are pasted unchanged and at native size (never upscaled).

/** An alpha ramp: 255 inside, falling linearly to 0 over FEATHER pixels at each edge. */
function featherAlpha(width: number, height: number, feather = FEATHER): Buffer {
  const alpha = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    const dy = Math.min(y, height - 1 - y);
    for (let x = 0; x < width; x++) {
      const d = Math.min(dy, x, width - 1 - x);
      alpha[y * width + x] = d >= feather ? 255 : Math.round((255 * (d + 1)) / (feather + 1));
    }
  }
  return alpha;
}

/** RGB raw pixels plus an alpha ramp, as a PNG with soft edges. */
async function withSoftEdges(rgb: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .joinChannel(featherAlpha(width, height), { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

/**
 * RGB pixels placed at (left, top) of a larger canvas whose other pixels repeat the nearest pixel
 * INSET pixels inside the edge (many of these photos have a dark 1-2 px border line that would
 * otherwise be smeared into bands).
 */
function edgeExtend(
  rgb: Buffer,
  width: number,
  height: number,
  left: number,
  top: number,
  outWidth: number,
  outHeight: number,
): Buffer {
  const inset = Math.min(6, Math.floor(Math.min(width, height) / 4));
  const out = Buffer.alloc(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    const sy =
      y >= top && y < top + height ? y - top : Math.min(height - 1 - inset, Math.max(inset, y - top));
    for (let x = 0; x < outWidth; x++) {
      const sx =
        x >= left && x < left + width ? x - left : Math.min(width - 1 - inset, Math.max(inset, x - left));
      rgb.copy(out, (y * outWidth + x) * 3, (sy * width + sx) * 3, (sy * width + sx) * 3 + 3);
    }
  }
  return out;
}

/**
 * One place of a 3-person frame (SLOT_W × FRAME_H, soft-edged): the central SLOT_W-wide strip of
 * the photo at native size (no upscaling), fading into a blurred continuation of its borders.
 */
async function slotImage(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const img = sharp(file)
    .rotate()
    .resize({ width: FRAME_W, height: FRAME_H, fit: 'inside', withoutEnlargement: true });
  const { data, info } = await img.png().toBuffer({ resolveWithObject: true });
  const width = Math.min(SLOT_W, info.width);
  const height = info.height;
  const left = Math.floor((info.width - width) / 2);
  const strip = await sharp(data).extract({ left, top: 0, width, height }).removeAlpha().raw().toBuffer();
  // The fill continues the strip's own border pixels outwards (edge copy) and is blurred, so the
  // sharp strip fades into a defocused continuation of itself. The strip's centre is blurred
  // beyond recognition in the fill (sigma 12 px on a ~100 px face) and covered by the strip.
  const top = Math.floor((FRAME_H - height) / 2);
  const side = Math.floor((SLOT_W - width) / 2);
  const fill = await sharp(edgeExtend(strip, width, height, side, top, SLOT_W, FRAME_H), {
    raw: { width: SLOT_W, height: FRAME_H, channels: 3 },
  })
    .blur(12)
    .png()
    .toBuffer();
  const tile = await sharp(fill)
    .composite([
      {
        input: await withSoftEdges(strip, width, height),
        left: side,
        top,
      },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { data: await withSoftEdges(tile, SLOT_W, FRAME_H), width: SLOT_W, height: FRAME_H };
}

/**
 * The room behind the rush: a smooth, seeded, low-contrast texture (no flat band for the liveness
 * crop to mistake for a print's border, no face).
 */
async function rushBackdrop(seed: number): Promise<Buffer> {
  const rand = prng(seed ^ 0x5eed);
  const w = 16;
  const h = 12;
  const coarse = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const base = 60 + rand() * 60;
    coarse[i * 3] = Math.round(base + rand() * 20);
    coarse[i * 3 + 1] = Math.round(base + rand() * 20);
    coarse[i * 3 + 2] = Math.round(base + rand() * 20);
  }
  return sharp(coarse, { raw: { width: w, height: h, channels: 3 } })
    .resize(FRAME_W, FRAME_H, { kernel: 'cubic' })
    .blur(6)
    .png()
    .toBuffer();
}

/**
 * N class students and S strangers arrive within rush-seconds, queued into three places side by
 * side (staggered, so arrivals do not line up); each stays `visit` frames with their probe photos
 * cycling every `hold` frames, then `gap` empty frames before the next person takes the place.
 */
export async function buildRushSequence(
  identities: Identity[],
  o: z.output<typeof ScenarioOptions>,
  work: string,
): Promise<DoorSequence> {
  const n = o.rush ?? 0;
  const rand = prng(o.seed);
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  };
  const students = shuffle(identities.filter((p) => p.enrolled && p.probes.length > 0)).slice(0, n);
  const strangers = shuffle(identities.filter((p) => !p.enrolled && p.probes.length > 0)).slice(
    0,
    o.strangers,
  );
  if (students.length < n)
    throw new Error(
      `--rush ${n}: ${o.faces} has only ${students.length} enrolled identities with probe images`,
    );
  if (strangers.length < o.strangers)
    throw new Error(`--strangers ${o.strangers}: ${o.faces} has only ${strangers.length} unknown identities`);
  const people = shuffle([...students, ...strangers]);

  const unique = join(work, 'unique');
  const dir = join(work, 'door');
  mkdirSync(unique, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const perSlot = Math.ceil(people.length / RUSH_SLOTS);
  const stagger = Math.round(o.fps);
  // Fit every arrival into the rush window; visits last 1.5-4 s.
  const available = Math.floor(o['rush-seconds'] * o.fps) - stagger * (RUSH_SLOTS - 1);
  const visitLength = Math.max(
    Math.round(1.5 * o.fps),
    Math.min(Math.round(4 * o.fps), Math.floor(available / perSlot) - o.gap),
  );

  // Per place: who stands there on each frame.
  const lead = o.gap * 2;
  const slots: ({ visit: Visit; photo: string } | null)[][] = [];
  const visits: Visit[] = [];
  const strips = new Map<string, { data: Buffer; width: number; height: number }>();
  for (let s = 0; s < RUSH_SLOTS; s++) {
    const timeline: ({ visit: Visit; photo: string } | null)[] = [];
    for (let i = 0; i < lead + s * stagger; i++) timeline.push(null);
    for (let q = s; q < people.length; q += RUSH_SLOTS) {
      const p = people[q] as Identity;
      for (const probe of p.probes) if (!strips.has(probe)) strips.set(probe, await slotImage(probe));
      const visit: Visit = {
        identity: p.name,
        known: p.enrolled,
        first: timeline.length,
        last: timeline.length + visitLength - 1,
      };
      visits.push(visit);
      for (let f = 0; f < visitLength; f++)
        timeline.push({ visit, photo: p.probes[Math.floor(f / o.hold) % p.probes.length] as string });
      for (let i = 0; i < o.gap; i++) timeline.push(null);
    }
    slots.push(timeline);
  }
  const frames = Math.max(...slots.map((t) => t.length)) + o.gap;
  const owner: Visit[][] = [];
  const composed = new Map<string, string>();
  const backdrop = await rushBackdrop(o.seed);
  let facesPerFrameMax = 0;
  for (let f = 0; f < frames; f++) {
    const here = slots.map((t) => t[f] ?? null);
    const who = here.filter((h): h is { visit: Visit; photo: string } => h !== null);
    owner.push(who.map((h) => h.visit));
    facesPerFrameMax = Math.max(facesPerFrameMax, who.length);
    const key = here.map((h) => h?.photo ?? '-').join('|');
    let file = composed.get(key);
    if (!file) {
      file = join(unique, `rush-${composed.size}.jpg`);
      const layers = here.flatMap((h, s) => {
        if (!h) return [];
        const strip = strips.get(h.photo)!;
        return [
          {
            input: strip.data,
            left: s * SLOT_W + Math.floor((SLOT_W - strip.width) / 2),
            top: Math.floor((FRAME_H - strip.height) / 2),
          },
        ];
      });
      writeFileSync(file, await sharp(backdrop).composite(layers).jpeg({ quality: 92 }).toBuffer());
      composed.set(key, file);
    }
    symlinkSync(file, join(dir, `${String(f).padStart(6, '0')}.jpg`));
  }
  return { dir, frames, visits, owner, facesPerFrameMax, classMembers: new Set(students.map((p) => p.name)) };
}

// ------------------------------------------------------------------ the server
class ScenarioServer {
  app: FastifyInstance | null = null;
  port = 0;
  token = '';
  constructor(
    readonly config: AppConfig,
    readonly database: ServerDatabase,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.app = await buildApp(this.config, { database: this.database, logger: pino({ level: 'silent' }) });
    await this.app.listen({ port: this.port, host: '127.0.0.1' });
    const addr = this.app.server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = null;
  }

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

// ------------------------------------------------------------------ the kiosk child process
interface LogLine {
  event?: string;
  [k: string]: unknown;
}

interface KioskRun {
  child: ChildProcess;
  exited: Promise<number | null>;
  startIndex: number;
  runningAt: number | null;
}

function spawnKiosk(
  args: string[],
  onLine: (l: LogLine) => void,
  verbose: boolean,
  logFile: string,
): Omit<KioskRun, 'startIndex' | 'runningAt'> {
  const child = spawn(process.execPath, ['--import', 'tsx', KIOSK_CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    appendFileSync(logFile, line + '\n');
    try {
      onLine(JSON.parse(line) as LogLine);
    } catch {
      if (verbose) process.stderr.write(`[kiosk] ${line}\n`);
    }
  });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    if (verbose) process.stderr.write(`[kiosk:err] ${line}\n`);
  });
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null && stderrTail.length)
        process.stderr.write(`[kiosk] exited ${code}:\n${stderrTail.join('\n')}\n`);
      res(code);
    }),
  );
  return { child, exited };
}

// ------------------------------------------------------------------ metrics helpers
const percentile = (xs: number[], q: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
};

export interface ScenarioResult {
  [key: string]: unknown;
}

export async function runScenario(
  input: ScenarioOptions,
  progress: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<ScenarioResult> {
  const o = ScenarioOptions.parse(input);
  const started = Date.now();
  // Recognition speed depends on what else runs on the machine: the load is reported beside the figures.
  const loadAtStart = loadavg()[0] ?? 0;
  const work = mkdtempSync(join(tmpdir(), 'rollcall-scenario-'));
  const identities = splitDataset(o.faces, o.k);
  const enrolled = identities.filter((i) => i.enrolled);
  progress(`scenario: ${identities.length} identities (${enrolled.length} enrolled), work dir ${work}`);

  const door = o.rush
    ? await buildRushSequence(identities, o, work)
    : await buildDoorSequence(identities, o, work);
  // --school M: enrol only M people at the site (the class's students first, then the folder's
  // order), for a quicker run on a large folder. Default: every enrolled identity.
  const school =
    o.school === undefined
      ? enrolled
      : [
          ...enrolled.filter((p) => door.classMembers?.has(p.name)),
          ...enrolled.filter((p) => !door.classMembers?.has(p.name)),
        ].slice(0, Math.max(o.school, door.classMembers?.size ?? 0));
  progress(
    `door sequence: ${door.frames} frames, ${door.visits.length} visits (${door.visits.filter((v) => v.known).length} known)`,
  );

  // --- server (a school day also runs the absence emails, into a real SMTP server started here)
  const smtp = o['school-day'] ? await TestSmtpServer.start() : null;
  const database = openDatabase({ kind: 'sqlite', filename: join(work, 'server.db') });
  const config = defaultAppConfig({
    database: { kind: 'sqlite', filename: join(work, 'server.db') },
    logLevel: 'silent',
    loginRateLimitPerMinute: 1000,
    ...(smtp
      ? {
          notifications: defaultNotificationsConfig({
            smtpUrl: smtp.url,
            delayMinutes: 0,
            digestTime: null,
            tickMs: 0,
            smtpTimeoutMs: 5_000,
          }),
        }
      : {}),
  });
  const server = new ScenarioServer(config, database);
  await server.start();
  const password = 'scenario-admin-password';
  const email = 'admin@scenario.example';
  await insertUser(
    database.db,
    {
      email,
      name: 'Scenario admin',
      role: 'admin',
      passwordHash: await hashPassword(password, { N: 1024, r: 8, p: 1 }),
    },
    new Date().toISOString(),
  );
  server.token = (
    await server.api<{ accessToken: string }>('POST', '/api/auth/login', { email, password })
  ).accessToken;

  // A one-off session today (site timezone UTC) that started 10 minutes ago; generous grace so arrivals are `present`.
  // A school day instead sets up its classes around the next one (scripts/school-day.ts).
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const startM = Math.max(0, minutes - 10);
  const endM = Math.min(23 * 60 + 59, minutes + 60);
  const room = await server.api<{ id: string }>('POST', '/api/rooms', { name: 'Door 1', siteId: 'default' });
  const schoolDay = o['school-day'] ? await SchoolDay.setUp(server, database, room.id, now, progress) : null;
  const cls = schoolDay
    ? { id: schoolDay.classId }
    : await server.api<{ id: string }>('POST', '/api/classes', { name: 'Scenario class', siteId: 'default' });
  const schedule = schoolDay
    ? { id: schoolDay.scheduleId }
    : await server.api<{ id: string }>('POST', `/api/classes/${cls.id}/schedules`, {
        roomId: room.id,
        date: today,
        startTime: hhmm(startM),
        endTime: hhmm(endM),
        graceMinutes: 60,
      });
  const sessionId = `${schedule.id}@${today}`;

  const studentOf = new Map<string, string>(); // studentId → identity
  const idOf = new Map<string, string>(); // identity → studentId
  let templatesImported = 0;
  const importRejects: string[] = [];
  // Identities none of whose enrolment photos passed the server's quality check: the admin was
  // told at import, and the door cannot recognise them (a miss that is not the door's).
  const noTemplate = new Set<string>();
  for (const [n, p] of school.entries()) {
    const s = await server.api<{ id: string }>('POST', '/api/students', {
      siteId: 'default',
      studentNumber: `S${n + 1}`,
      name: p.name.replace(/_/g, ' '),
      consent: true,
      guardianEmail: `guardian.s${n + 1}@home.example`,
    });
    studentOf.set(s.id, p.name);
    idOf.set(p.name, s.id);
    const form = new FormData();
    for (const f of p.templates)
      form.append(
        'photos',
        new Blob([readFileSync(f)], { type: f.endsWith('.png') ? 'image/png' : 'image/jpeg' }),
        f.split('/').pop(),
      );
    const res = await server.api<{ results: { filename: string; status: string; reason?: string }[] }>(
      'POST',
      `/api/students/${s.id}/photos`,
      form,
    );
    for (const r of res.results) {
      if (r.status === 'accepted') templatesImported++;
      else importRejects.push(`${p.name}/${r.filename}: ${r.reason ?? r.status}`);
    }
    if (!res.results.some((r) => r.status === 'accepted')) noTemplate.add(p.name);
  }
  // The class in session: every student, or in a rush only the rushing ones (the rest of the
  // school is enrolled at the site, in no class that meets here now).
  const classIds = [...studentOf.keys()].filter(
    (id) => !door.classMembers || door.classMembers.has(studentOf.get(id) ?? ''),
  );
  await server.api('POST', `/api/classes/${cls.id}/enrolments`, { studentIds: classIds });
  await schoolDay?.enrolAndRecordHistory(classIds);
  const device = await server.api<{ pairingCode: string }>('POST', '/api/devices', {
    roomId: room.id,
    name: 'Scenario door',
  });
  progress(
    `server ${server.url}: ${studentOf.size} students, ${templatesImported} templates imported${importRejects.length ? `, ${importRejects.length} photos rejected` : ''}; session ${sessionId}`,
  );

  // --- kiosk: pair and pull the roster
  const kioskData = join(work, 'kiosk');
  const setup = spawnKiosk(
    [
      '--setup-only',
      '--server',
      server.url,
      '--pair',
      device.pairingCode,
      '--data',
      kioskData,
      '--name',
      'scenario door',
    ],
    (l) => {
      if (l.event === 'setup_done')
        progress(
          `kiosk paired: roster of ${String(l.students)} students, ${String(l.templates)} with face templates`,
        );
    },
    o.verbose,
    join(work, 'kiosk-setup.log'),
  );
  if ((await setup.exited) !== 0) throw new Error('kiosk set-up failed');

  if (o.offline) {
    await server.stop();
    progress('server stopped: the door run is offline');
  }

  // --- the door run (one or more kiosk processes)
  const decisions: LogLine[] = [];
  const runStats: LogLine[] = [];
  let marks = 0;
  let replayDone = false;
  let runs = 0;
  const kills: string[] = [];
  const frameMs = 1000 / o.fps;
  const doorStarted = Date.now();
  let analysedWallMs = 0;

  // Kill points for --crash, each used once: during marking (right after the 2nd and the 4th
  // mark is written), during a push while the door run goes on, and during the final drain.
  const killPlan = o.crash ? ['mark:2', 'push', 'mark:4', 'drain-push'] : [];
  let startIndex = 0;
  for (;;) {
    runs++;
    let pendingKill: string | null = null;
    let lastStats: LogLine | null = null;
    const run: KioskRun = {
      ...spawnKiosk(
        [
          '--camera',
          `replay:${door.dir}?fps=${o.fps}&start=${startIndex}`,
          '--data',
          kioskData,
          '--exit-when-done',
          '--sync-interval',
          '2000',
          '--backoff-max',
          '2000',
          '--timeout',
          '5000',
          '--log-level',
          o['log-level'],
          ...(o.ui !== undefined ? ['--ui', String(o.ui)] : []),
        ],
        (l) => {
          if (l.event === 'ui') progress(`kiosk UI: open ${String(l.url)} in a browser to watch the door`);
          if (l.event === 'decision') {
            decisions.push(l);
            if (l.kind === 'present' || l.kind === 'late') marks++;
            // The timetable changes while the kiosk is at work (it pulls the change within seconds).
            if (marks >= 1) schoolDay?.editTimetableOnce();
          }
          if (l.event === 'camera' && l.status === 'running' && run.runningAt === null)
            run.runningAt = Date.now();
          if (l.event === 'stats') lastStats = l;
          if (l.event === 'replay_done') {
            replayDone = true;
            lastStats = l;
            if (o.offline && !server.app) {
              progress('door run over: starting the server again');
              void server.start().then(() => progress(`server back on ${server.url}`));
            }
          }
          if (pendingKill) return;
          const hit = killPlan.findIndex(
            (point) =>
              (point.startsWith('mark:') &&
                l.event === 'decision' &&
                (l.kind === 'present' || l.kind === 'late') &&
                marks >= Number(point.slice(5))) ||
              (point === 'push' && l.event === 'push_start' && !replayDone) ||
              (point === 'drain-push' && l.event === 'push_start' && replayDone),
          );
          if (hit >= 0) {
            pendingKill = killPlan.splice(hit, 1)[0] ?? null;
            run.child.kill('SIGKILL');
          }
        },
        o.verbose,
        join(work, `kiosk-run-${runs}.log`),
      ),
      startIndex,
      runningAt: null,
    };
    const code = await run.exited;
    const stopAt = Date.now();
    if (run.runningAt !== null) analysedWallMs += stopAt - run.runningAt;
    if (lastStats) runStats.push(lastStats);
    if (pendingKill) {
      // The camera kept rolling while the kiosk was dead: resume where the door is now.
      const elapsed = run.runningAt !== null ? Math.floor((stopAt - run.runningAt) / frameMs) : 0;
      startIndex = Math.min(door.frames - 1, run.startIndex + elapsed + 1);
      kills.push(`${pendingKill} (frame ${startIndex})`);
      progress(`crash: SIGKILL at ${pendingKill}; restarting at frame ${startIndex}`);
      continue;
    }
    if (code !== 0) throw new Error(`kiosk exited with ${code}`);
    break;
  }
  if (!server.app) await server.start(); // offline and the kiosk drained nothing? It cannot have: keep the report honest anyway
  const doorMs = Date.now() - doorStarted;

  // --- what the server and the kiosk hold
  const report = await server.api<{
    students: { studentId: string; status: string; eventsCount: number }[];
    notEnrolled: { studentId: string; eventsCount: number }[];
  }>('GET', `/api/sessions/${encodeURIComponent(sessionId)}/attendance`);
  const kdb = new Database(join(kioskData, 'kiosk.db'), { readonly: true });
  const kioskMarks = kdb
    .prepare(
      `SELECT e.student_id AS studentId FROM attendance_events e WHERE e.kind = 'mark'
    AND NOT EXISTS (SELECT 1 FROM attendance_events u WHERE u.kind = 'undo' AND u.ref_id = e.id)`,
    )
    .all() as { studentId: string }[];
  const outboxLeft = (kdb.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  kdb.close();

  const serverMarked = new Set(
    report.students.filter((s) => s.status === 'present' || s.status === 'late').map((s) => s.studentId),
  );
  const appeared = new Set(door.visits.filter((v) => v.known).map((v) => v.identity));
  const strangersAtDoor = new Set(door.visits.filter((v) => !v.known).map((v) => v.identity));
  let correct = 0,
    wrongStudent = 0,
    unknownMarked = 0;
  const ttm: number[] = [];
  const wrongDetails: string[] = [];
  const attributed = new Set<string>();
  for (const d of decisions.filter((x) => x.kind === 'present' || x.kind === 'late')) {
    const studentId = String(d.studentId);
    attributed.add(studentId);
    const here = door.owner[Number(d.frameIndex)] ?? [];
    const identity = studentOf.get(studentId) ?? studentId;
    const who = here.find((v) => v.identity === identity);
    const names = here.map((v) => v.identity).join(' + ') || 'nobody';
    if (!who && here.length > 0 && here.every((v) => !v.known)) {
      unknownMarked++;
      wrongDetails.push(
        `${identity} marked while stranger ${names} was at the door (frame ${String(d.frameIndex)}, scores ${JSON.stringify(d.scores)})`,
      );
    } else if (!who) {
      wrongStudent++;
      wrongDetails.push(
        `${identity} marked while ${names} was at the door (frame ${String(d.frameIndex)}, scores ${JSON.stringify(d.scores)})`,
      );
    } else {
      correct++;
      const firstSeen = Number(d.frameCapturedAt) - (Number(d.frameIndex) - who.first) * frameMs;
      ttm.push(Number(d.decidedAt) - firstSeen);
    }
  }
  // A student marked on the server who never came to the door is wrong, whether or not a log line survived.
  for (const sid of serverMarked) {
    if (!appeared.has(studentOf.get(sid) ?? '') && !attributed.has(sid)) {
      wrongStudent++;
      wrongDetails.push(`${studentOf.get(sid) ?? sid} marked on the server but never at the door`);
    }
  }
  const expectedPresent = [...appeared].filter((name) => idOf.has(name)).length;
  const markedPresent = [...appeared].filter((name) => serverMarked.has(idOf.get(name) ?? '')).length;
  // Why each missed student was missed: the door's other decisions while they were in view
  // (look_at_camera: liveness held the visit; unknown: not recognised), or none at all.
  const missedDetails = [...appeared]
    .filter((name) => idOf.has(name) && !serverMarked.has(idOf.get(name) ?? ''))
    .map((name) => {
      const mine = door.visits.filter((v) => v.identity === name);
      const during = decisions.filter((d) =>
        mine.some((v) => Number(d.frameIndex) >= v.first && Number(d.frameIndex) <= v.last),
      );
      const kinds = new Map<string, number>();
      for (const d of during) kinds.set(String(d.kind), (kinds.get(String(d.kind)) ?? 0) + 1);
      const what = [...kinds].map(([k, n]) => `${k} ×${n}`).join(', ') || 'no decision';
      const why = noTemplate.has(name) ? 'no template (every enrolment photo was rejected); ' : '';
      return `${name}: ${why}${what} during frames ${mine.map((v) => `${v.first}-${v.last}`).join(', ')}`;
    });
  const lost = kioskMarks.filter((m) => !serverMarked.has(m.studentId)).length;
  const duplicates = report.students.reduce((n, s) => n + Math.max(0, s.eventsCount - 1), 0);
  const sum = (f: (s: LogLine) => number) => runStats.reduce((n, s) => n + f(s), 0);
  const frameStats = (s: LogLine) =>
    (s.frames ?? {}) as { analysed?: number; dropped?: number; corrupt?: number };
  const analysed = sum((s) => frameStats(s).analysed ?? 0);
  const recognition = runStats
    .map((s) => s.recognitionMs as { p50: number; p95: number } | null)
    .filter((x): x is { p50: number; p95: number } => Boolean(x));

  const schoolDayResult = schoolDay
    ? await schoolDay.finish({
        report: report as unknown as {
          students: { studentId: string; status: string; markedAt: string | null }[];
        },
        expectedPresent,
        runHoliday: (holidayRoomPairingCode: string) =>
          runHolidayDoor(holidayRoomPairingCode, work, door.dir, o, server.url),
        smtp: smtp as TestSmtpServer,
        enrolled,
      })
    : {};
  await server.stop();
  await smtp?.down();
  await database.close();
  if (!o.keep) rmSync(work, { recursive: true, force: true });

  return {
    ...schoolDayResult,
    faces: o.faces,
    mode: `${o.rush ? 'rush+' : ''}${o.offline && o.crash ? 'offline+crash' : o.offline ? 'offline' : o.crash ? 'crash' : 'online'}${o['school-day'] ? '+school-day' : ''}`,
    seed: o.seed,
    expected_present: expectedPresent,
    marked_present: markedPresent,
    correct,
    wrong_student: wrongStudent,
    unknown_marked: unknownMarked,
    missed: expectedPresent - markedPresent,
    duplicates_on_server: duplicates,
    lost,
    outbox_left: outboxLeft,
    time_to_mark_ms_p50: percentile(ttm, 0.5),
    time_to_mark_ms_p95: percentile(ttm, 0.95),
    faces_per_frame_max: door.facesPerFrameMax,
    school_students: studentOf.size,
    class_students: classIds.length,
    strangers_at_door: strangersAtDoor.size,
    fps: analysedWallMs > 0 ? Math.round((analysed / (analysedWallMs / 1000)) * 10) / 10 : 0,
    replay_fps: o.fps,
    frames: door.frames,
    frames_analysed: analysed,
    dropped_frames: sum((s) => frameStats(s).dropped ?? 0),
    corrupt_frames: sum((s) => frameStats(s).corrupt ?? 0),
    recognition_ms_p50: recognition.length ? Math.max(...recognition.map((r) => r.p50)) : null,
    visits: door.visits.length,
    unknown_visits: door.visits.filter((v) => !v.known).length,
    templates_imported: templatesImported,
    template_photos_rejected: importRejects,
    // Expected at the door but not enrollable: counted in expected_present and missed, as a
    // school would count them; listed so a miss that is the enrolment's is not taken for the door's.
    expected_without_template: [...appeared].filter((name) => noTemplate.has(name)).length,
    not_enrolled_on_server: report.notEnrolled.length,
    kiosk_runs: runs,
    kills,
    wrong_details: wrongDetails,
    missed_details: missedDetails,
    door_run_ms: doorMs,
    total_ms: Date.now() - started,
    load_avg_1m: { start: Math.round(loadAtStart * 10) / 10, end: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
    ...(o.keep ? { work_dir: work } : {}),
  };
}

/**
 * A second door kiosk (paired with the given code) runs the same door sequence once, online,
 * and exits; returns its decisions and the marks in its own database.
 */
async function runHolidayDoor(
  pairingCode: string,
  work: string,
  doorDir: string,
  o: z.output<typeof ScenarioOptions>,
  serverUrl: string,
) {
  const data = join(work, 'kiosk-holiday');
  const setup = spawnKiosk(
    ['--setup-only', '--server', serverUrl, '--pair', pairingCode, '--data', data, '--name', 'holiday door'],
    () => undefined,
    o.verbose,
    join(work, 'kiosk-holiday-setup.log'),
  );
  if ((await setup.exited) !== 0) throw new Error('holiday kiosk set-up failed');
  const decisions: LogLine[] = [];
  const run = spawnKiosk(
    [
      '--camera',
      `replay:${doorDir}?fps=${o.fps}`,
      '--data',
      data,
      '--exit-when-done',
      '--sync-interval',
      '2000',
      '--backoff-max',
      '2000',
      '--timeout',
      '5000',
      '--log-level',
      o['log-level'],
    ],
    (l) => {
      if (l.event === 'decision') decisions.push(l);
    },
    o.verbose,
    join(work, 'kiosk-holiday-run.log'),
  );
  if ((await run.exited) !== 0) throw new Error('holiday kiosk run failed');
  const kdb = new Database(join(data, 'kiosk.db'), { readonly: true });
  const kioskMarks = (
    kdb.prepare(`SELECT COUNT(*) AS n FROM attendance_events WHERE kind IN ('mark', 'exception')`).get() as {
      n: number;
    }
  ).n;
  kdb.close();
  return { decisions, kioskMarks };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      faces: { type: 'string' },
      offline: { type: 'boolean' },
      crash: { type: 'boolean' },
      seed: { type: 'string' },
      k: { type: 'string' },
      fps: { type: 'string' },
      hold: { type: 'string' },
      visit: { type: 'string' },
      gap: { type: 'string' },
      keep: { type: 'boolean' },
      verbose: { type: 'boolean' },
      'log-level': { type: 'string' },
      'school-day': { type: 'boolean' },
      rush: { type: 'string' },
      strangers: { type: 'string' },
      'rush-seconds': { type: 'string' },
      school: { type: 'string' },
    },
    strict: true,
  });
  const parsed = ScenarioOptions.safeParse(values);
  if (!parsed.success) {
    console.error(
      `usage: npm run scenario -- --faces <dir> [--offline] [--crash] [--school-day] [--seed N] [--rush N [--strangers S] [--rush-seconds 60] [--school M]]\n${parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
    process.exit(2);
  }
  const result = await runScenario(parsed.data);
  console.log(JSON.stringify(result));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
