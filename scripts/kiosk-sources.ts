// The kiosk's source import graph: every file of ours and every package the kiosk's entry
// points reach, following static imports, re-exports and dynamic import() — what electron-vite
// would bundle or leave to node_modules. check:packaging fails when the graph reaches
// evaluation or server code, or a package the kiosk must not carry.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * Where the kiosk starts: electron-vite's inputs (electron.vite.config.ts: main, the face
 * worker, preload, the renderer's page script) and the headless kiosk (`npm run kiosk`).
 */
export const KIOSK_ENTRIES = [
  'src/main/index.ts',
  'src/ml/worker-entry.ts',
  'src/preload/index.ts',
  'src/renderer/src/main.tsx',
  'src/core/cli/kiosk.ts',
];

/** Source folders no kiosk file may reach: evaluation-only and server-only code. */
export const KIOSK_FORBIDDEN_SOURCES = ['eval', 'server', 'scripts', 'test', 'e2e'];

export interface SourceGraph {
  /** Our files reached, relative to the repository root with `/` separators. */
  files: string[];
  /** Package names imported by those files (`node:` builtins left out). */
  packages: string[];
  /** `file → import` pairs for each package, to say who pulls it in. */
  packageImporters: Map<string, string[]>;
  /** Relative imports that resolved to nothing (a typo, or a file that was moved). */
  unresolved: string[];
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.ReactJSX,
  allowJs: true,
  resolveJsonModule: true,
};

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isRelative = (s: string): boolean => s.startsWith('./') || s.startsWith('../');

/** Walks the imports from `entries` (paths relative to `root`). */
export function kioskSourceGraph(root: string, entries: readonly string[] = KIOSK_ENTRIES): SourceGraph {
  const rel = (abs: string): string => relative(root, abs).split(sep).join('/');
  const seen = new Set<string>();
  const packageImporters = new Map<string, string[]>();
  const unresolved: string[] = [];
  const queue = entries.map((e) => {
    const abs = join(root, e);
    if (!existsSync(abs)) throw new Error(`kiosk entry ${e} does not exist`);
    return abs;
  });
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (spec.startsWith('node:')) continue;
      if (!isRelative(spec) && !isAbsolute(spec)) {
        const name = packageNameOf(spec);
        if (!packageImporters.has(name)) packageImporters.set(name, []);
        packageImporters.get(name)!.push(`${rel(file)} → ${spec}`);
        continue;
      }
      const resolved = ts.resolveModuleName(spec, file, COMPILER_OPTIONS, ts.sys).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport) {
        queue.push(resolved.resolvedFileName);
        continue;
      }
      // Assets (css, svg, wasm…) are not modules TypeScript resolves; they are files of ours.
      const asset = join(file, '..', spec);
      if (existsSync(asset)) seen.add(asset);
      else unresolved.push(`${rel(file)} → ${spec}`);
    }
  }
  return {
    files: [...seen].map(rel).sort(),
    packages: [...packageImporters.keys()].filter((n) => !isBuiltin(n)).sort(),
    packageImporters,
    unresolved,
  };
}

const BUILTINS = new Set(builtinModules.map((m) => m.split('/')[0]!));
const isBuiltin = (name: string): boolean => BUILTINS.has(name);

/** What is wrong with the graph: evaluation or server files, forbidden packages, broken imports. */
export function kioskSourceProblems(
  graph: SourceGraph,
  forbiddenPackage: (name: string) => string[],
): string[] {
  const problems: string[] = [];
  for (const f of graph.files) {
    const folder = KIOSK_FORBIDDEN_SOURCES.find((d) => f === d || f.startsWith(`${d}/`));
    if (folder) problems.push(`kiosk code reaches ${f} (${folder}/ is not part of the kiosk)`);
    else if (/\.test\.tsx?$/.test(f)) problems.push(`kiosk code reaches the test ${f}`);
  }
  for (const name of graph.packages) {
    const rules = forbiddenPackage(name);
    if (rules.length > 0) {
      const who = graph.packageImporters.get(name)?.[0] ?? '?';
      problems.push(`kiosk code imports ${name} (rule ${rules.join(', ')}; ${who})`);
    }
  }
  for (const u of graph.unresolved) problems.push(`unresolved import ${u}`);
  return problems;
}
