// Rewrites every relative import of our TypeScript to the repository's one style: the file
// Node would load, with its `.js` suffix (`./site-time.js` for site-time.ts, `./store/index.js`
// for a folder). Why `.js`: the server image runs plain Node on per-file transpiled JavaScript,
// where nothing adds a suffix; tsc (moduleResolution Bundler), tsx, vitest and electron-vite
// all map `.js` back to the `.ts` source. Lint keeps the style (import-x/extensions).
//
//   npx tsx scripts/fix-import-suffixes.ts            # every tracked .ts/.tsx/.mts file
//   npx tsx scripts/fix-import-suffixes.ts a.ts b.ts  # only these (e.g. after a merge)
//   ... --check                                        # change nothing; exit 1 if a file would change
//
// Rewritten: import/export … from, import(), import types (`import('./x').T`), and the module
// paths of vi.mock / vi.doMock / vi.importActual. An import that names no file is reported and
// left alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|tsx|mts)$/;
/** Suffixes a relative import may already carry: kept as written when the file exists. */
const KEEP = /\.(js|mjs|cjs|json|css|svg|png|jpg|html|wasm|wat|onnx)$/;
const VI_PATH_CALLS = new Set(['mock', 'doMock', 'unmock', 'doUnmock', 'importActual', 'importMock']);

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/**
 * The `.js`-style specifier for `spec` written in `fromFile`, or null when it names no file
 * (`spec` is relative). Unchanged when it already is one.
 */
export function suffixed(spec: string, fromFile: string): string | null {
  const base = resolve(dirname(fromFile), spec);
  const jsTwin = /\.js$/.test(spec) ? base.replace(/\.js$/, '') : null;
  if (jsTwin && ['.ts', '.tsx', '.d.ts', '.js'].some((e) => isFile(jsTwin + e))) return spec;
  if (/\.mjs$/.test(spec) && (isFile(base) || isFile(base.replace(/\.mjs$/, '.mts')))) return spec;
  if (KEEP.test(spec) && isFile(base)) return spec;
  if (/\.(ts|tsx)$/.test(spec) && isFile(base)) return spec.replace(/\.tsx?$/, '.js');
  if (/\.mts$/.test(spec) && isFile(base)) return spec.replace(/\.mts$/, '.mjs');
  for (const [ext, as] of [
    ['.ts', '.js'],
    ['.tsx', '.js'],
    ['.d.ts', '.js'],
    ['.js', '.js'],
    ['.mts', '.mjs'],
    ['.mjs', '.mjs'],
  ] as const) {
    if (isFile(base + ext)) return spec + as;
  }
  for (const ext of ['.ts', '.tsx', '.js']) {
    if (isFile(join(base, `index${ext}`))) return `${spec.replace(/\/$/, '')}/index.js`;
  }
  return null;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The module specifiers of one file that the rewrite looks at (string literal nodes). */
function specifierNodes(sf: ts.SourceFile): ts.StringLiteralLike[] {
  const out: ts.StringLiteralLike[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteralLike(node.moduleSpecifier)) out.push(node.moduleSpecifier);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteralLike(arg.literal)) out.push(arg.literal);
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isVi =
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === 'vi' &&
        VI_PATH_CALLS.has(callee.name.text);
      if ((isImport || isVi) && first && ts.isStringLiteralLike(first)) out.push(first);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export interface FileResult {
  text: string;
  changed: number;
  unresolved: string[];
}

/** The file's text with its relative specifiers in the `.js` style. */
export function rewriteFile(file: string, text: string): FileResult {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const edits: Edit[] = [];
  const unresolved: string[] = [];
  for (const lit of specifierNodes(sf)) {
    const spec = lit.text;
    if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
    const next = suffixed(spec, file);
    if (next === null) {
      const { line } = sf.getLineAndCharacterOfPosition(lit.getStart(sf));
      unresolved.push(`${file}:${line + 1} ${spec}`);
    } else if (next !== spec) {
      // Keep the quote the file used.
      const raw = lit.getText(sf);
      edits.push({ start: lit.getStart(sf), end: lit.getEnd(), text: `${raw[0]}${next}${raw[0]}` });
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, changed: edits.length, unresolved };
}

function trackedSources(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((f) => SOURCE.test(f) && !f.endsWith('.d.ts') && !f.startsWith('vendor/'))
    .map((f) => join(root, f))
    .filter(isFile);
}

function main(): number {
  const root = resolve(import.meta.dirname, '..');
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const named = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
  const files = named.length > 0 ? named : trackedSources(root);
  let filesChanged = 0;
  let specifiers = 0;
  const unresolved: string[] = [];
  for (const file of files) {
    const before = readFileSync(file, 'utf8');
    const r = rewriteFile(file, before);
    unresolved.push(...r.unresolved);
    if (r.changed === 0) continue;
    filesChanged++;
    specifiers += r.changed;
    if (!check) writeFileSync(file, r.text);
  }
  for (const u of unresolved) process.stderr.write(`names no file (left alone): ${u}\n`);
  process.stdout.write(
    `${check ? 'would rewrite' : 'rewrote'} ${specifiers} imports in ${filesChanged} of ${files.length} files\n`,
  );
  return check && filesChanged > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) process.exit(main());
