// ESLint rule `rollcall/import-suffix`: a relative import names the file Node loads, with its
// suffix — `./site-time.js` for site-time.ts, `./store/index.js` for a folder. The server image
// runs plain Node on per-file transpiled JavaScript, where an extensionless import does not
// resolve; tsc (moduleResolution Bundler), tsx, vitest and electron-vite map `.js` to the .ts
// source. `npx tsx scripts/fix-import-suffixes.ts <files>` rewrites a file to this style.
// (import-x/extensions enforces presence too, but asks for ".ts", which tsc refuses.)

/** Suffixes a relative import may end with: what Node or the bundler loads as is. */
const RUNTIME_SUFFIX = /\.(js|mjs|cjs|json|css|svg|png|jpg|html|wasm|wat|onnx)$/;
const isRelative = (s) => s.startsWith('./') || s.startsWith('../') || s === '.' || s === '..';

/** @type {import('eslint').Rule.RuleModule} */
export const importSuffix = {
  meta: {
    type: 'problem',
    docs: { description: 'Relative imports name the file Node loads (`./x.js` for x.ts).' },
    schema: [],
    messages: {
      typescriptSuffix:
        'Import "{{spec}}" names the TypeScript source: write "{{fixed}}" (the file Node loads; tsc and the bundlers map it back).',
      noSuffix:
        'Import "{{spec}}" has no file suffix: name the file Node loads, "{{spec}}.js" for a .ts/.tsx file or "{{spec}}/index.js" for a folder (npx tsx scripts/fix-import-suffixes.ts <file> rewrites it).',
    },
  },
  create(context) {
    const check = (source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!isRelative(spec) || RUNTIME_SUFFIX.test(spec)) return;
      if (/\.(ts|tsx|mts|cts)$/.test(spec)) {
        const fixed = spec
          .replace(/\.tsx?$/, '.js')
          .replace(/\.mts$/, '.mjs')
          .replace(/\.cts$/, '.cjs');
        context.report({ node: source, messageId: 'typescriptSuffix', data: { spec, fixed } });
      } else {
        context.report({ node: source, messageId: 'noSuffix', data: { spec } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) =>
        check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
    };
  },
};
