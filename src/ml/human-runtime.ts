// Loads Human on the best backend that works here and teaches tfjs to read model files from disk.
//
// Backend order: `tensorflow` (tfjs-node, an optional dependency that usually cannot install
// offline) → `wasm` (@tensorflow/tfjs-backend-wasm, ships its .wasm files) → `cpu`. Human's
// node-wasm build is not in the package's `exports`, so it is resolved by file path.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Config, Human } from '@vladmandic/human';
import type { Logger } from 'pino';
import type { Backend } from './types.js';

// Not named `require`: electron-vite's ESM bundle injects its own top-level `require` shim,
// and a second declaration of that name is a SyntaxError in the built main process.
const requireCjs = createRequire(import.meta.url);

/** Minimal slice of the tfjs namespace Human exposes as `human.tf` that we use. */
export interface TfApi {
  getBackend(): string;
  memory(): { numTensors: number; numBytes: number };
  engine(): { startScope(): void; endScope(): void };
  io: {
    registerLoadRouter(router: (url: string | string[]) => unknown): void;
    getLoadHandlers(url: string): unknown[];
    getModelArtifactsForJSON(
      json: unknown,
      loadWeights: (manifest: WeightsManifest) => Promise<[unknown[], ArrayBuffer]>,
    ): Promise<unknown>;
  };
  [key: string]: unknown;
}
type WeightsManifest = { paths: string[]; weights: unknown[] }[];

type HumanModule = { Human: new (config?: Partial<Config>) => Human };

/** URL scheme our load router answers; the path after it is an absolute directory on disk. */
export const MODEL_SCHEME = 'rollcall-model://';

function concatBuffers(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/**
 * tfjs only reads `file://` through tfjs-node, which we usually do not have. This router serves
 * `rollcall-model:///abs/dir/name.json` from disk on every backend. It is stateless (the path
 * is in the URL), so registering it on a tfjs instance that already has it changes nothing.
 */
export function registerDiskModelRouter(tf: TfApi): void {
  if (tf.io.getLoadHandlers(`${MODEL_SCHEME}/probe.json`).length > 0) return;
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith(MODEL_SCHEME)) return null;
    const jsonPath = url.slice(MODEL_SCHEME.length);
    return {
      load: async () => {
        const json: unknown = JSON.parse(readFileSync(jsonPath, 'utf8'));
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs = manifest.flatMap((g) => g.weights);
          const parts = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(jsonPath), p))));
          return [specs, concatBuffers(parts)];
        });
      },
    };
  });
}

export interface HumanRuntime {
  human: Human;
  tf: TfApi;
  backend: Backend;
}

function tryLoadTfjsNode(log: Logger): boolean {
  try {
    requireCjs('@tensorflow/tfjs-node');
    return true;
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'tfjs-node not available');
    return false;
  }
}

function humanModule(file: 'human.node.js' | 'human.node-wasm.js'): HumanModule {
  // The package's `exports` only resolves its main entry (dist/human.node.js, which needs
  // tfjs-node); resolving that path loads nothing, and the other builds sit beside it.
  const distDir = dirname(requireCjs.resolve('@vladmandic/human'));
  return requireCjs(join(distDir, file)) as HumanModule;
}

function wasmDir(): string {
  const pkgDir = dirname(requireCjs.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  // tfjs-wasm treats the path as a prefix: it must end with a separator.
  return `${join(pkgDir, 'dist')}/`;
}

async function start(
  mod: HumanModule,
  config: Partial<Config>,
  backend: Backend,
): Promise<HumanRuntime | null> {
  const human = new mod.Human({ ...config, backend });
  const tf = human.tf as unknown as TfApi;
  registerDiskModelRouter(tf);
  await human.init();
  const actual = tf.getBackend();
  if (actual !== backend) return null;
  return { human, tf, backend };
}

/**
 * Creates a Human instance on the first backend in `preference` that initialises. `config` must
 * already point modelBasePath at MODEL_SCHEME + model dir.
 */
export async function createHumanRuntime(
  config: Partial<Config>,
  preference: readonly Backend[],
  log: Logger,
): Promise<HumanRuntime> {
  const failures: string[] = [];
  for (const backend of preference) {
    try {
      if (backend === 'tensorflow') {
        if (!tryLoadTfjsNode(log)) {
          failures.push('tensorflow: @tensorflow/tfjs-node is not installed');
          continue;
        }
        const rt = await start(humanModule('human.node.js'), config, 'tensorflow');
        if (rt) return rt;
      } else if (backend === 'wasm') {
        const rt = await start(humanModule('human.node-wasm.js'), { ...config, wasmPath: wasmDir() }, 'wasm');
        if (rt) return rt;
      } else {
        requireCjs('@tensorflow/tfjs-backend-cpu');
        const rt = await start(humanModule('human.node-wasm.js'), config, 'cpu');
        if (rt) return rt;
      }
      failures.push(`${backend}: did not initialise`);
    } catch (err) {
      failures.push(`${backend}: ${(err as Error).message}`);
    }
    log.warn({ backend, reason: failures[failures.length - 1] }, 'backend unavailable, trying the next one');
  }
  throw new Error(`no tfjs backend could start (${failures.join('; ')})`);
}

/** `rollcall-model:///abs/dir/` for Human's modelBasePath. */
export function modelBaseUrl(modelDir: string): string {
  // Normalise through a file URL so Windows paths become forward-slashed absolute paths.
  const abs = fileURLToPath(pathToFileURL(modelDir));
  return `${MODEL_SCHEME}${abs.endsWith('/') ? abs : `${abs}/`}`;
}
