// Runs an ONNX face-embedding model with onnxruntime-web's WebAssembly backend (pure wasm: no
// native download at install, same code in Node, a worker thread and Electron).
// tfjs prepares the aligned crop (NHWC, already scaled); this transposes it to the NCHW layout
// ONNX vision models expect and returns the raw embeddings, one row per view.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { RESTORE_HINT } from './model-files.js';

export interface OnnxEmbedder {
  readonly inputName: string;
  /** `nhwc` is [n, size, size, 3] float32; returns [n × dims] raw (not normalised) embeddings. */
  run(nhwc: Float32Array, n: number, size: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

let configured = false;
/** onnxruntime-web settings shared by every ONNX model the engine runs (set once). */
export function configureRuntime(): void {
  if (configured) return;
  configured = true;
  // One thread: the engine already runs in its own worker, and on a 2-core kiosk extra wasm
  // threads only steal time from the camera and UI (measured for tfjs-wasm; docs/recognition.md).
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
}

/** NHWC → NCHW for a batch of square RGB images. */
export function nhwcToNchw(nhwc: Float32Array, n: number, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(n * 3 * plane);
  for (let b = 0; b < n; b++) {
    const src = b * plane * 3;
    const dst = b * plane * 3;
    for (let i = 0; i < plane; i++) {
      out[dst + i] = nhwc[src + i * 3]!;
      out[dst + plane + i] = nhwc[src + i * 3 + 1]!;
      out[dst + 2 * plane + i] = nhwc[src + i * 3 + 2]!;
    }
  }
  return out;
}

export async function loadOnnxEmbedder(file: string, dims: number): Promise<OnnxEmbedder> {
  configureRuntime();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(readFileSync(file), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    // onnxruntime's own message does not say which file; a kiosk admin needs that.
    throw new Error(`cannot load the ONNX model ${file}: ${(err as Error).message}; ${RESTORE_HINT}`, {
      cause: err,
    });
  }
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName) throw new Error(`${file}: the model has no input or output`);
  return {
    inputName,
    async run(nhwc, n, size) {
      // One view per call: exported face models often fix the batch dimension at 1.
      const chw = nhwcToNchw(nhwc, n, size);
      const per = 3 * size * size;
      const embeddings = new Float32Array(n * dims);
      for (let b = 0; b < n; b++) {
        const input = new ort.Tensor('float32', chw.subarray(b * per, (b + 1) * per), [1, 3, size, size]);
        const result = await session.run({ [inputName]: input });
        const out = result[outputName];
        if (!out || out.data.length !== dims) {
          throw new Error(`${file}: expected ${dims} outputs, got ${out?.dims.join('×') ?? 'none'}`);
        }
        embeddings.set(out.data as Float32Array, b * dims);
        input.dispose();
        out.dispose();
      }
      return embeddings;
    },
    async dispose() {
      await session.release();
    },
  };
}
