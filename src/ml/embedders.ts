// The face-embedding models an engine can run, and how each wants its input.
// The kiosk and the server run only the shipped embedder (SHIPPED_EMBEDDERS); the evaluation
// tools inject their candidates (eval/src/candidates) into an in-process engine, so candidate
// code and weights never enter the product's import graph.

/**
 * How to turn a face into model input:
 * - `human`: Human's 192×192 face crop (rotated upright by the mesh), resized to the input;
 * - `aligned`: a similarity warp of the frame that puts eyes, nose tip and mouth corners on
 *   ArcFace's 5-point template (what InsightFace-family models were trained on).
 */
export type CropMode = 'human' | 'aligned';

/** Pixel scaling of a 0..1 crop: ×255 (faceres), (x·255 − 127.5)/128 (ArcFace), or as is. */
export type PixelScale = 'x255' | 'arcface' | 'unit';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A network run on Human's tfjs by our own code: [n, size, size, 3] → [n, dims], inside tf.tidy. */
export interface TfEmbeddingNet {
  execute(input: any): any;
  dispose(): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

interface EmbedderSpecCommon {
  id: string;
  /** Model file stem in the model folder (`.json` manifest, or `.onnx`). */
  model: string;
  inputSize: number;
  dims: number;
  crop: CropMode;
  /**
   * For aligned crops: how much of the ArcFace template's face fills the crop (1 = ArcFace's
   * tight 112 crop; < 1 adds context around the face).
   */
  zoom: number;
  scale: PixelScale;
}

/**
 * - `graph`: a tfjs graph model (`<model>.json`);
 * - `onnx`: an ONNX model run by onnxruntime-web's WebAssembly backend (onnx-embedder.ts), fed NCHW;
 * - `tf-code`: weights run by code the registry brings along (`load`), on Human's tfjs.
 */
export type EmbedderSpec =
  | (EmbedderSpecCommon & { kind: 'graph' | 'onnx' })
  | (EmbedderSpecCommon & {
      kind: 'tf-code';
      /** Builds the network from the model folder, given Human's tfjs. */
      load(tf: Record<string, unknown>, modelDir: string): TfEmbeddingNet;
    });

/** The embedders an engine may be asked for, by id. */
export type EmbedderRegistry = Readonly<Record<string, EmbedderSpec>>;

/**
 * What the product runs. Faceplugin's 512-d ArcFace-style face feature network (ONNX, from the
 * npm package faceplugin-face-recognition-js): trained on ArcFace's 112-px 5-point crop, pixels
 * (x − 127)/128. docs/recognition.md says why it beat the candidates.
 */
export const SHIPPED_EMBEDDERS = {
  faceplugin: {
    id: 'faceplugin',
    kind: 'onnx',
    model: 'fr_feature',
    inputSize: 112,
    dims: 512,
    crop: 'aligned',
    zoom: 1,
    scale: 'arcface',
  },
} as const satisfies EmbedderRegistry;

/**
 * 'faceplugin' or a fusion such as 'faceres+mobileface' → its component specs, looked up in
 * `registry`; throws on a name the registry does not hold.
 */
export function parsePipeline(name: string, registry: EmbedderRegistry = SHIPPED_EMBEDDERS): EmbedderSpec[] {
  const parts = name.split('+');
  if (parts.length === 0 || parts.length > 3)
    throw new RangeError(`embedder "${name}": use 1 to 3 models joined by +`);
  const ids = Object.keys(registry);
  return parts.map((p) => {
    const spec = Object.hasOwn(registry, p) ? registry[p] : undefined;
    if (!spec) throw new RangeError(`unknown embedder "${p}"; one of ${ids.join(', ')} (fuse with +)`);
    return spec;
  });
}

/**
 * How many values an embedding of a model id has ("faceplugin/v1" → 512; a fusion → the sum of its
 * parts), or null for any id this build's `modelIdOf` would not give a pipeline of `registry`
 * (another build's model, "faceplugin/v2" included). The server checks offered templates against
 * it, so a malformed first template cannot fix a student's size.
 */
export function embeddingSizeOf(
  modelId: string,
  registry: EmbedderRegistry = SHIPPED_EMBEDDERS,
): number | null {
  const flip = /\/flip\/v\d+$/.test(modelId);
  const name = modelId.replace(/\/v\d+$/, '').replace(/\/flip$/, '');
  try {
    const specs = parsePipeline(name, registry);
    return modelIdOf(specs, flip) === modelId ? specs.reduce((n, spec) => n + spec.dims, 0) : null;
  } catch {
    return null;
  }
}

/** Identifies the embedding space: templates from another pipeline never match. */
export function modelIdOf(specs: readonly EmbedderSpec[], flip: boolean): string {
  return `${specs.map((s) => s.id).join('+')}${flip ? '/flip' : ''}/v1`;
}

/** ArcFace's canonical landmark positions in a 112×112 crop (left eye, right eye, nose, mouth L/R). */
export const ARCFACE_TEMPLATE_112: readonly (readonly [number, number])[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** MediaPipe face-mesh indices for those five points, in image left→right order. */
export const MESH_FIVE_POINTS: readonly (readonly number[])[] = [
  [33, 133], // eye on the image's left (the subject's right eye): outer + inner corner
  [362, 263], // eye on the image's right
  [1], // nose tip
  [61], // mouth corner, image left
  [291], // mouth corner, image right
];

export function fivePointsFromMesh(mesh: readonly (readonly number[])[]): [number, number][] {
  return MESH_FIVE_POINTS.map((ids) => {
    let x = 0;
    let y = 0;
    for (const i of ids) {
      const p = mesh[i];
      if (!p || p.length < 2) throw new Error(`mesh point ${i} missing`);
      x += p[0] ?? 0;
      y += p[1] ?? 0;
    }
    return [x / ids.length, y / ids.length];
  });
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) mapping `from`
 * points onto `to` points; returns [a, b, tx, ty] for x' = a·x − b·y + tx, y' = b·x + a·y + ty.
 */
export function fitSimilarity(
  from: readonly (readonly [number, number])[],
  to: readonly (readonly [number, number])[],
): [number, number, number, number] {
  const n = from.length;
  let mfx = 0,
    mfy = 0,
    mtx = 0,
    mty = 0;
  for (let i = 0; i < n; i++) {
    mfx += from[i]![0];
    mfy += from[i]![1];
    mtx += to[i]![0];
    mty += to[i]![1];
  }
  mfx /= n;
  mfy /= n;
  mtx /= n;
  mty /= n;
  let sxx = 0,
    sab = 0,
    sba = 0;
  for (let i = 0; i < n; i++) {
    const fx = from[i]![0] - mfx,
      fy = from[i]![1] - mfy;
    const tx = to[i]![0] - mtx,
      ty = to[i]![1] - mty;
    sxx += fx * fx + fy * fy;
    sab += fx * tx + fy * ty;
    sba += fx * ty - fy * tx;
  }
  if (sxx === 0) throw new Error('degenerate landmarks');
  const a = sab / sxx;
  const b = sba / sxx;
  return [a, b, mtx - (a * mfx - b * mfy), mty - (b * mfx + a * mfy)];
}

/**
 * The 8-parameter projective transform tf.image.transform expects (it maps OUTPUT pixel
 * coordinates to INPUT coordinates), warping the frame so the five mesh points land on the
 * ArcFace template scaled to `size`.
 */
export function alignmentTransform(mesh: readonly (readonly number[])[], size: number, zoom = 1): number[] {
  const scale = (size / 112) * zoom;
  const template = ARCFACE_TEMPLATE_112.map(
    ([x, y]) => [(x - 56) * scale + size / 2, (y - 56) * scale + size / 2] as [number, number],
  );
  // Fit template → image directly: that is the inverse map the sampler needs.
  const [a, b, tx, ty] = fitSimilarity(template, fivePointsFromMesh(mesh));
  return [a, -b, tx, b, a, ty, 0, 0];
}
