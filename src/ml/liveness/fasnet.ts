// Faceplugin's MiniFASNet-style presentation-attack classifier (`fr_liveness.onnx`, vendored in
// vendor/faceplugin/): a 128×128 RGB crop around the face with context (2.7× the face box, so
// the paper's edge, the phone's bezel or the screen's texture is in view), pixels 0..255, NCHW,
// three logits. Which class means "live" and the pixel order were measured on the development
// set (docs/liveness.md): class 0 is live (the package's code reports softmax[0] too), and BGR
// order separates better than the RGB the package's browser code feeds (AUC 0.93 vs 0.88 on the
// development images), as MiniFASNet's OpenCV training pipeline reads BGR.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { RESTORE_HINT } from '../model-files.js';
import { configureRuntime } from '../onnx-embedder.js';

export const FASNET_MODEL_FILE = 'fr_liveness.onnx';
export const FASNET_INPUT = 128;
/** The package's crop: the face box scaled by this, clamped to the frame. */
export const FASNET_CROP_SCALE = 2.7;
/** Index of the "live" class among the three outputs. */
export const FASNET_LIVE_CLASS = 0;

/**
 * The crop the package takes (lib/fr_liveness.js alignLivenessImage): the face box scaled by
 * `scale` (less if the frame is too small), centred on the face and shifted inside the frame.
 * Returns [x, y, w, h] in integer pixels.
 */
export function fasnetCropBox(
  box: [number, number, number, number],
  frameWidth: number,
  frameHeight: number,
  scale = FASNET_CROP_SCALE,
): [number, number, number, number] {
  const [bx, by, bw, bh] = box;
  if (!(bw > 0 && bh > 0) || frameWidth < 2 || frameHeight < 2)
    return [0, 0, Math.max(1, frameWidth), Math.max(1, frameHeight)];
  const s = Math.min((frameHeight - 1) / bh, (frameWidth - 1) / bw, scale);
  const w = bw * s;
  const h = bh * s;
  const cx = bx + bw / 2;
  const cy = by + bh / 2;
  let x0 = cx - w / 2;
  let y0 = cy - h / 2;
  let x1 = cx + w / 2;
  let y1 = cy + h / 2;
  if (x0 < 0) {
    x1 -= x0;
    x0 = 0;
  }
  if (y0 < 0) {
    y1 -= y0;
    y0 = 0;
  }
  if (x1 > frameWidth - 1) {
    x0 -= x1 - frameWidth + 1;
    x1 = frameWidth - 1;
  }
  if (y1 > frameHeight - 1) {
    y0 -= y1 - frameHeight + 1;
    y1 = frameHeight - 1;
  }
  const x = Math.max(Math.trunc(x0), 0);
  const y = Math.max(Math.trunc(y0), 0);
  return [
    x,
    y,
    Math.max(1, Math.min(Math.trunc(x1 - x0), frameWidth - 1 - x)),
    Math.max(1, Math.min(Math.trunc(y1 - y0), frameHeight - 1 - y)),
  ];
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export interface Fasnet {
  /** `chw` is [3, 128, 128] float32, 0..255, BGR planes; returns the three class probabilities. */
  run(chw: Float32Array): Promise<number[]>;
  dispose(): Promise<void>;
}

export async function loadFasnet(file: string): Promise<Fasnet> {
  configureRuntime();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(readFileSync(file), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new Error(`cannot load the ONNX model ${file}: ${(err as Error).message}; ${RESTORE_HINT}`, {
      cause: err,
    });
  }
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName) throw new Error(`${file}: the model has no input or output`);
  return {
    async run(chw) {
      if (chw.length !== 3 * FASNET_INPUT * FASNET_INPUT)
        throw new RangeError(`fasnet input must be 3×${FASNET_INPUT}×${FASNET_INPUT}`);
      const input = new ort.Tensor('float32', chw, [1, 3, FASNET_INPUT, FASNET_INPUT]);
      try {
        const out = (await session.run({ [inputName]: input }))[outputName];
        if (!out || out.data.length !== 3)
          throw new Error(`${file}: expected 3 outputs, got ${out?.dims.join('×') ?? 'none'}`);
        const probs = softmax(out.data as Float32Array);
        out.dispose();
        return probs;
      } finally {
        input.dispose();
      }
    },
    async dispose() {
      await session.release();
    },
  };
}
