// The face engine proper, running on the calling thread. createFaceEngine() normally puts it in a
// worker (worker-engine.ts); eval and tests may run it in-process.
//
// Per frame: Human detects faces, runs the mesh (pose + landmarks + an upright 192×192 crop),
// antispoof and liveness; we then compute the quality figures and our own embedding (so each
// embedder gets the preprocessing it was trained with, and flip-averaging is possible).
// Human's frame cache and skip-frames are off: every frame is analysed from scratch, which is
// what a still-image evaluation and honest timings need. Every tensor is disposed every frame.
import type { Config, Human } from '@vladmandic/human';
import type { Logger } from 'pino';
import { resolveEngineOptions, type FaceEngineOptions, type ResolvedEngineOptions } from './config.js';
import { checkRgbImage, decodeImage } from './decode.js';
import { EngineError } from './errors.js';
import {
  alignmentTransform,
  modelIdOf,
  parsePipeline,
  SHIPPED_EMBEDDERS,
  type EmbedderRegistry,
  type EmbedderSpec,
} from './embedders.js';
import { loadOnnxEmbedder, type OnnxEmbedder } from './onnx-embedder.js';
import { createHumanRuntime, modelBaseUrl, type TfApi } from './human-runtime.js';
import { DETECTION_MODELS, defaultModelDir, verifyModelFiles } from './model-files.js';
import {
  FASNET_CROP_SCALE,
  FASNET_INPUT,
  FASNET_LIVE_CLASS,
  FASNET_MODEL_FILE,
  fasnetCropBox,
  loadFasnet,
  type Fasnet,
} from './liveness/fasnet.js';
import { eyeOpenness, keypointsOf, meshBox } from './liveness/mesh-cues.js';
import { textureCues } from './liveness/texture.js';
import { contentBox } from './liveness/content-box.js';
import { cropStats, gateFailures } from './quality.js';
import type {
  AnalyseOptions,
  Backend,
  DetectedFace,
  FaceEngine,
  FrameAnalysis,
  PresentationSignals,
  RgbImage,
} from './types.js';

type Box = [number, number, number, number];

/** `box` (frame coordinates) in the coordinates of the sub-frame at (x0, y0) of size w×h, clipped to it. */
function intersectShifted(box: Box, x0: number, y0: number, w: number, h: number): Box {
  const left = Math.max(0, box[0] - x0);
  const top = Math.max(0, box[1] - y0);
  const right = Math.min(w, box[0] + box[2] - x0);
  const bottom = Math.min(h, box[1] + box[3] - y0);
  return right - left >= 2 && bottom - top >= 2 ? [left, top, right - left, bottom - top] : [0, 0, w, h];
}

// tfjs is reached through `human.tf`; its types are not re-exported usefully, so the few calls
// we make are typed loosely here and checked by tests.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Tensor = any;
type GraphModel = { execute(input: Tensor): Tensor | Tensor[]; dispose(): void };

/** One loaded embedder of the pipeline: a tfjs model, or an ONNX model run outside tfjs. */
type LoadedEmbedder =
  | {
      spec: EmbedderSpec;
      kind: 'tf';
      /** [n, size, size, 3] preprocessed input → [n, dims]; called inside tf.tidy. */
      run(input: Tensor): Tensor;
      dispose(): void;
    }
  | { spec: EmbedderSpec; kind: 'onnx'; onnx: OnnxEmbedder; dispose(): void };

const RAD_TO_DEG = 180 / Math.PI;

function humanConfig(modelDir: string, opts: ResolvedEngineOptions): Partial<Config> {
  return {
    modelBasePath: modelBaseUrl(modelDir),
    debug: false,
    async: false,
    warmup: 'none',
    // Frame cache and skipping would return the previous frame's result for a similar frame:
    // wrong for still images and for timings.
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false } as Config['filter'],
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        rotation: true,
        maxDetected: opts.maxFaces,
        skipFrames: 0,
        skipTime: 0,
        minConfidence: 0.2,
        minSize: 0,
        iouThreshold: 0.1,
        scale: 1.4,
        mask: false,
        // Keep Human's upright face crop: we embed it and compute sharpness on it.
        return: true,
      },
      mesh: { enabled: true, modelPath: 'facemesh.json', keepInvalid: false },
      attention: { enabled: false, modelPath: 'facemesh-attention.json' },
      iris: { enabled: false, scale: 2.3, modelPath: 'iris.json' },
      emotion: { enabled: false, minConfidence: 0.1, skipFrames: 0, skipTime: 0, modelPath: 'emotion.json' },
      description: {
        enabled: false,
        modelPath: 'faceres.json',
        skipFrames: 0,
        skipTime: 0,
        minConfidence: 0.1,
      },
      antispoof: { enabled: true, skipFrames: 0, skipTime: 0, modelPath: 'antispoof.json' },
      liveness: { enabled: true, skipFrames: 0, skipTime: 0, modelPath: 'liveness.json' },
    } as Config['face'],
    body: { enabled: false } as Config['body'],
    hand: { enabled: false } as Config['hand'],
    object: { enabled: false } as Config['object'],
    gesture: { enabled: false },
    segmentation: { enabled: false } as Config['segmentation'],
  };
}

function backendOrder(pref: ResolvedEngineOptions['backend']): Backend[] {
  if (pref === 'auto') return ['tensorflow', 'wasm', 'cpu'];
  // An explicit choice still falls back rather than leaving the kiosk blind.
  return [pref, ...(['tensorflow', 'wasm', 'cpu'] as Backend[]).filter((b) => b !== pref)];
}

/** What verifyModelFiles checks for an embedder: ONNX files by full name, tfjs models by stem. */
function modelFileName(spec: EmbedderSpec): string {
  return spec.kind === 'onnx' ? `${spec.model}.onnx` : spec.model;
}

async function loadEmbedder(
  tf: Record<string, any>,
  modelDir: string,
  spec: EmbedderSpec,
): Promise<LoadedEmbedder> {
  if (spec.kind === 'onnx') {
    const onnx = await loadOnnxEmbedder(`${modelDir}/${spec.model}.onnx`, spec.dims);
    return { spec, kind: 'onnx', onnx, dispose: () => void onnx.dispose() };
  }
  if (spec.kind === 'tf-code') {
    const net = spec.load(tf, modelDir);
    return { spec, kind: 'tf', run: (x) => net.execute(x), dispose: () => net.dispose() };
  }
  const model = (await tf.loadGraphModel(`${modelBaseUrl(modelDir)}${spec.model}.json`)) as GraphModel;
  return {
    spec,
    kind: 'tf',
    run: (x) => {
      const out = model.execute(x);
      const outs: Tensor[] = Array.isArray(out) ? out : [out];
      const emb = outs.find((t) => t.shape[t.shape.length - 1] === spec.dims);
      if (!emb) throw new Error(`embedder ${spec.id} produced no ${spec.dims}-d output`);
      return tf.reshape(emb, [-1, spec.dims]);
    },
    dispose: () => model.dispose(),
  };
}

export interface LocalEngineTimings {
  loadMs: number;
  warmupMs: number;
}

export class LocalFaceEngine implements FaceEngine {
  readonly backend: Backend;
  readonly modelId: string;
  readonly embeddingSize: number;
  readonly timings: LocalEngineTimings = { loadMs: 0, warmupMs: 0 };
  private disposed = false;
  /** Time spent on presentation signals in the frame being analysed. */
  private presentationMs = 0;

  private constructor(
    private readonly human: Human,
    private readonly tf: TfApi & Record<string, any>,
    backend: Backend,
    private readonly embedders: LoadedEmbedder[],
    private readonly fasnet: Fasnet | null,
    private readonly opts: ResolvedEngineOptions,
    private readonly log: Logger,
  ) {
    this.backend = backend;
    this.modelId = modelIdOf(
      embedders.map((e) => e.spec),
      opts.flip,
    );
    this.embeddingSize = embedders.reduce((n, e) => n + e.spec.dims, 0);
  }

  /**
   * `registry` is where `options.embedder` is looked up: the shipped embedder by
   * default; the eval tools pass theirs to measure candidates.
   */
  static async create(
    options: FaceEngineOptions,
    log: Logger,
    registry: EmbedderRegistry = SHIPPED_EMBEDDERS,
  ): Promise<LocalFaceEngine> {
    const opts = resolveEngineOptions(options);
    const specs = parsePipeline(opts.embedder, registry);
    const modelDir = opts.modelDir ?? defaultModelDir();
    const started = performance.now();
    // Refuse to start on a missing or altered model before tfjs sees it: Human only logs load
    // errors and would run without that stage.
    verifyModelFiles(modelDir, [
      ...DETECTION_MODELS,
      ...specs.map(modelFileName),
      ...(opts.presentation ? [FASNET_MODEL_FILE] : []),
    ]);
    const rt = await createHumanRuntime(humanConfig(modelDir, opts), backendOrder(opts.backend), log);
    await rt.human.load();
    const models = rt.human.models.models as unknown as Record<string, unknown>;
    const missing = ['blazeface', 'facemesh', 'antispoof', 'liveness'].filter((m) => !models[m]);
    if (missing.length > 0) throw new Error(`face models failed to load: ${missing.join(', ')}`);
    const tf = rt.tf as TfApi & Record<string, any>;
    const embedders: LoadedEmbedder[] = [];
    for (const spec of specs) embedders.push(await loadEmbedder(tf, modelDir, spec));
    const fasnet = opts.presentation ? await loadFasnet(`${modelDir}/${FASNET_MODEL_FILE}`) : null;
    const engine = new LocalFaceEngine(rt.human, tf, rt.backend, embedders, fasnet, opts, log);
    engine.timings.loadMs = performance.now() - started;
    if (opts.warmup) {
      const w = performance.now();
      await engine.warmup();
      engine.timings.warmupMs = performance.now() - w;
    }
    log.info(
      {
        backend: rt.backend,
        modelId: engine.modelId,
        loadMs: Math.round(engine.timings.loadMs),
        warmupMs: Math.round(engine.timings.warmupMs),
      },
      'face engine ready',
    );
    return engine;
  }

  /** Runs detector and embedder once each so kernels are compiled before the first real frame. */
  private async warmup(): Promise<void> {
    const { tf } = this;
    const blank: RgbImage = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
    await this.analyse(blank);
    for (const e of this.embedders) {
      const size = e.spec.inputSize;
      const views = this.opts.flip ? 2 : 1;
      if (e.kind === 'tf') tf.tidy(() => e.run(tf.zeros([views, size, size, 3])));
      else await e.onnx.run(new Float32Array(views * size * size * 3), views, size);
    }
    if (this.fasnet) await this.fasnet.run(new Float32Array(3 * FASNET_INPUT * FASNET_INPUT));
  }

  tensorCount(): number {
    return this.tf.memory().numTensors;
  }

  async analyse(input: Uint8Array | RgbImage, options: AnalyseOptions = {}): Promise<FrameAnalysis> {
    if (this.disposed) throw new EngineError('disposed', 'face engine is disposed');
    const image =
      input instanceof Uint8Array
        ? await decodeImage(input, { maxSide: this.opts.maxSide })
        : checkRgbImage(input);
    return this.analyseRgb(image, options.mirror === true && !this.opts.flip);
  }

  private async analyseRgb(image: RgbImage, mirror: boolean): Promise<FrameAnalysis> {
    const { tf } = this;
    const started = performance.now();
    this.presentationMs = 0;
    const frame = tf.tensor(image.data, [1, image.height, image.width, 3], 'int32');
    // Where the picture is (a padded photo's canvas is not): FASNet's crops stay inside it.
    const content = this.fasnet ? contentBox(image) : ([0, 0, image.width, image.height] as Box);
    try {
      let faces = await this.detectAndDescribe(frame, [0, 0], mirror, content);
      if (faces.length === 0 && this.opts.zoomRetry) {
        // Blazeface sees the frame at 256 px, where a face ~100 px wide in a 640 px frame turned
        // a little sideways can vanish. Someone at the door is near the middle, so look again at
        // the central 60% (a 1.7× zoom); costs one more detection on empty frames only.
        const cw = Math.round(image.width * 0.6);
        const ch = Math.round(image.height * 0.6);
        const x0 = Math.floor((image.width - cw) / 2);
        const y0 = Math.floor((image.height - ch) / 2);
        const centre = tf.slice(frame, [0, y0, x0, 0], [1, ch, cw, 3]);
        try {
          faces = await this.detectAndDescribe(
            centre,
            [x0, y0],
            mirror,
            intersectShifted(content, x0, y0, cw, ch),
          );
        } finally {
          tf.dispose(centre);
        }
      }
      return {
        faces,
        inferenceMs: performance.now() - started,
        presentationMs: this.presentationMs,
        width: image.width,
        height: image.height,
      };
    } finally {
      tf.dispose(frame);
    }
  }

  /**
   * Detects in `frame` (whose top-left sits at `offset` in the original) and describes faces;
   * `content` is the picture's box in `frame`'s coordinates (content-box.ts).
   */
  private async detectAndDescribe(
    frame: Tensor,
    offset: [number, number],
    mirror: boolean,
    content: Box,
  ): Promise<DetectedFace[]> {
    const { tf } = this;
    const result = await this.human.detect(frame);
    const raw = [...result.face];
    const faces: DetectedFace[] = [];
    try {
      const usable = raw
        .filter(
          (f) =>
            (f.boxScore ?? f.score) >= this.opts.minDetectionScore &&
            f.tensor &&
            (f.mesh?.length ?? 0) >= 468,
        )
        .sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])
        .slice(0, this.opts.maxFaces);
      // Aligned crops are warped from a float copy of the frame: made once per frame, not per face.
      const needsFloat =
        usable.length > 0 && (this.fasnet !== null || this.embedders.some((e) => e.spec.crop === 'aligned'));
      const float = needsFloat ? tf.cast(frame, 'float32') : frame;
      try {
        for (const f of usable) {
          const d = await this.describe(f, float, mirror, content);
          d.box = [d.box[0] + offset[0], d.box[1] + offset[1], d.box[2], d.box[3]];
          faces.push(d);
        }
      } finally {
        if (float !== frame) tf.dispose(float);
      }
    } finally {
      for (const f of raw) if (f.tensor) tf.dispose(f.tensor);
    }
    return faces;
  }

  /** Quality, gates and embedding of one detected face; `frame` is float32 when an embedder uses aligned crops. */
  private async describe(
    face: Human['result']['face'][number],
    frame: Tensor,
    mirror: boolean,
    content: Box,
  ): Promise<DetectedFace> {
    const crop = face.tensor as Tensor; // [192, 192, 3], 0..1, rotated upright
    const [ch, cw] = crop.shape as [number, number];
    // The crop is Human's square face box resized to 192 px. The box's side in frame pixels (its
    // raw, unclamped size: near the frame's edge the clamped box is smaller than the crop) is
    // the face's own resolution, at which quality.ts measures sharpness.
    const [, frameH, frameW] = frame.shape as [number, number, number, number];
    const nativeSide = Math.max((face.boxRaw?.[2] ?? 0) * frameW, (face.boxRaw?.[3] ?? 0) * frameH);
    const stats = cropStats(
      (await crop.data()) as Float32Array,
      cw,
      ch,
      true,
      nativeSide > 0 ? nativeSide : Infinity,
    );
    const angle = face.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 };
    const quality = {
      size: Math.round(face.box[3]),
      yaw: angle.yaw * RAD_TO_DEG,
      pitch: angle.pitch * RAD_TO_DEG,
      roll: angle.roll * RAD_TO_DEG,
      sharpness: stats.sharpness,
      brightness: stats.brightness,
    };
    const antispoof = face.real ?? 0;
    const liveness = face.live ?? 0;

    // Each model's unit embedding(s) — [1 or 2 views × dims]: the face, and its mirror image
    // when asked for — weighted 1/√models and laid side by side, so the cosine of two fused
    // embeddings is the mean of the per-model cosines.
    const views = mirror ? 2 : 1;
    const dims = this.embeddingSize;
    const fused = new Float32Array(views * dims);
    const weight = 1 / Math.sqrt(this.embedders.length);
    let offset = 0;
    for (const e of this.embedders) {
      const unit = await this.embedViews(e, crop, frame, face.mesh as number[][], mirror);
      const d = e.spec.dims;
      for (let v = 0; v < views; v++) {
        for (let i = 0; i < d; i++) fused[v * dims + offset + i] = unit[v * d + i]! * weight;
      }
      offset += d;
    }
    const embedding = mirror ? fused.slice(0, dims) : fused;
    const mirrorEmbedding = mirror ? fused.slice(dims, 2 * dims) : undefined;

    const p0 = performance.now();
    const presentation = this.fasnet
      ? await this.presentationSignals(this.fasnet, frame, face.mesh as number[][], content)
      : null;
    this.presentationMs += performance.now() - p0;

    const [x, y, w, h] = face.box;
    return {
      box: [x, y, w, h],
      detectionScore: face.boxScore ?? face.score,
      quality,
      antispoof,
      liveness,
      ...(presentation ? { presentation } : {}),
      embedding,
      gateFailures: gateFailures(quality, antispoof, liveness, this.opts.gates),
      ...(mirrorEmbedding ? { mirrorEmbedding } : {}),
    };
  }

  /**
   * FASNet on the context crop (the face's mesh box × 2.7, as Faceplugin's code crops it),
   * texture figures of that crop, and the mesh cues. `frame` is float32 [1, H, W, 3], 0..255.
   */
  private async presentationSignals(
    fasnet: Fasnet,
    frame: Tensor,
    mesh: number[][],
    content: Box,
  ): Promise<PresentationSignals> {
    const faceBox = meshBox(mesh);
    const chw = await this.fasnetInput(frame, faceBox, content, FASNET_CROP_SCALE, false);
    const probs = await fasnet.run(chw);
    const texture = textureCues(chw, FASNET_INPUT);
    const views: number[] = [];
    for (const v of this.opts.fasnetViews) {
      const p = await fasnet.run(await this.fasnetInput(frame, faceBox, content, v.scale, v.flip));
      views.push(p[FASNET_LIVE_CLASS] ?? 0);
    }
    return {
      fasnet: probs[FASNET_LIVE_CLASS] ?? 0,
      fasnetProbs: probs,
      ...(views.length > 0 ? { fasnetViews: views } : {}),
      faceBox: faceBox.map((v) => Math.round(v * 10) / 10) as [number, number, number, number],
      eyeOpenness: eyeOpenness(mesh),
      keypoints: keypointsOf(mesh),
      ...texture,
    };
  }

  /**
   * FASNet's input: the context crop at `scale` (clamped to `content` as the package clamps it
   * to the frame), 128×128, BGR planes (see fasnet.ts), optionally mirrored.
   */
  private async fasnetInput(
    frame: Tensor,
    faceBox: Box,
    content: Box,
    scale: number,
    flip: boolean,
  ): Promise<Float32Array> {
    const { tf } = this;
    const [, fh, fw] = frame.shape as [number, number, number, number];
    const [ox, oy, ow, oh] = content;
    const inContent = fasnetCropBox(
      [faceBox[0] - ox, faceBox[1] - oy, faceBox[2], faceBox[3]],
      ow,
      oh,
      scale,
    );
    const [cx, cy, cw, ch] = [inContent[0] + ox, inContent[1] + oy, inContent[2], inContent[3]];
    const chwTensor: Tensor = tf.tidy(() => {
      const box = tf.tensor2d(
        [[cy / (fh - 1), cx / (fw - 1), (cy + ch) / (fh - 1), (cx + cw) / (fw - 1)]],
        [1, 4],
        'float32',
      );
      let crop = tf.squeeze(
        tf.image.cropAndResize(frame, box, [0], [FASNET_INPUT, FASNET_INPUT], 'bilinear'),
        [0],
      );
      if (flip) crop = tf.reverse(crop, 1);
      return tf.transpose(tf.reverse(crop, -1), [2, 0, 1]);
    });
    try {
      return (await chwTensor.data()) as Float32Array;
    } finally {
      tf.dispose(chwTensor);
    }
  }

  /**
   * One model's L2-normalised embedding of a face: [dims] — flip-averaged when the engine
   * flips — or [2 × dims] with the mirror image's embedding second.
   * `frame` is float32 when any embedder uses aligned crops.
   */
  private async embedViews(
    e: LoadedEmbedder,
    crop: Tensor,
    frame: Tensor,
    mesh: number[][],
    mirror: boolean,
  ): Promise<Float32Array> {
    const { tf } = this;
    const { spec } = e;
    const twoViews = this.opts.flip || mirror;
    const input: Tensor = tf.tidy(() => {
      let x: Tensor;
      if (spec.crop === 'human') {
        x = tf.image.resizeBilinear(tf.expandDims(crop, 0), [spec.inputSize, spec.inputSize], false);
      } else {
        const transform = tf.tensor2d(
          [alignmentTransform(mesh, spec.inputSize, spec.zoom)],
          [1, 8],
          'float32',
        );
        const warped = tf.image.transform(frame, transform, 'bilinear', 'nearest', 0, [
          spec.inputSize,
          spec.inputSize,
        ]);
        x = tf.div(warped, 255);
      }
      if (spec.scale === 'x255') x = tf.mul(x, 255);
      else if (spec.scale === 'arcface') x = tf.div(tf.sub(tf.mul(x, 255), 127.5), 128);
      return twoViews ? tf.concat([x, tf.image.flipLeftRight(x)], 0) : x;
    });
    let raw: Float32Array;
    try {
      if (e.kind === 'tf') {
        const out = tf.tidy(() => e.run(input));
        raw = (await out.data()) as Float32Array;
        tf.dispose(out);
      } else {
        raw = await e.onnx.run((await input.data()) as Float32Array, twoViews ? 2 : 1, spec.inputSize);
      }
    } finally {
      tf.dispose(input);
    }
    const views = twoViews ? 2 : 1;
    const d = spec.dims;
    for (let v = 0; v < views; v++) normaliseInPlace(raw.subarray(v * d, (v + 1) * d));
    if (!this.opts.flip) return raw;
    // Flip-averaging: each view is normalised before averaging so neither dominates.
    const mean = new Float32Array(d);
    for (let i = 0; i < d; i++) mean[i] = (raw[i]! + raw[d + i]!) / 2;
    return normaliseInPlace(mean);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.embedders) e.dispose();
    void this.fasnet?.dispose();
    // Human has no public unload; dropping the instance frees its models with the thread/worker.
    this.log.debug('face engine disposed');
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function normaliseInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}
