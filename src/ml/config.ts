// The face engine's one validated configuration, and the shipped calibrated defaults.
import { z } from 'zod';
import { CALIBRATION } from './calibration.js';
import { modelIdOf, parsePipeline } from './embedders.js';
import { DETECTION_MODELS, modelFilesOf } from './model-files.js';
import { FASNET_MODEL_FILE } from './liveness/fasnet.js';
import type { GateThresholds } from './quality.js';

/**
 * Shipped recognition settings (docs/recognition.md has the measurements):
 * - embedder: Faceplugin's 512-d ArcFace-style network on the 5-point aligned 112-px crop
 *   (ONNX, onnxruntime-web) — the best calibration tpir of every candidate the eval measured
 *   (eval/src/candidates: Human's faceres, faceres-deep, mobilefacenet, mobileface, the dlib
 *   ResNet port, and their fusions; fusing it with faceres or mobileface made it worse) and the
 *   fastest;
 * - threshold / minMargin: from CALIBRATION, chosen by the documented rule on faces-lfw-640
 *   (no misidentification, fpir ≤ 0.005, max tpir), never tuned by hand to pass a test;
 * - gates: below every real photo of the development set `faces` (what the kiosk scenario replays),
 *   above darkened / blurred / shrunk copies.
 */
export const RECOGNITION_DEFAULTS = {
  /** One embedder, or several fused with '+' (their cosine scores are averaged). */
  embedder: 'faceplugin' as string,
  /** Average the embedding of the face and its mirror image (measured: not worth its cost). */
  flip: false,
  /**
   * Enrol each photo twice, its embedding and its mirror image's (analyse(…, { mirror: true })).
   * Measured for faceres+mobileface (+0.005 calibration tpir) and faceplugin (+0, dev unchanged):
   * not worth a second template per photo, so off; the option stays for eval
   * (`--mirror-templates`) and a later larger calibration set.
   */
  mirrorTemplates: false,
  threshold: CALIBRATION['faceplugin']!.threshold,
  minMargin: CALIBRATION['faceplugin']!.minMargin,
  // Measured on the 98 real photos of the development set `faces` (what the kiosk scenario replays) and
  // faces-640, against darkened / blurred / shrunk copies (docs/recognition.md, "Gates"):
  // every real face passes; dark, heavily blurred and small faces do not.
  gates: {
    minFaceSize: 80, // real faces ≥ 120 px; a 640×480 frame shrunk 4× gives 43-94 px
    maxYaw: 40, // real max 34°
    maxPitch: 30, // real max 14°
    maxRoll: 35, // real max 24° (alignment removes roll before embedding anyway)
    // Sharpness at the face's own resolution (quality.ts). The lowest value that refuses ≥ 95 % of
    // faces-lfw-640's Gaussian-σ5 copies while refusing ≤ 1 % of its real photos (eval/src/blur-study.ts).
    minSharpness: 0.098, // faces-lfw-640 real min 0.121; its σ5 copies: 95 % below
    minBrightness: 40, // real min 77; exposure ×0.15 max 27
    // Human's two PAD scores separate nothing on the spoof-dev development set (docs/liveness.md): the
    // fused liveness decision (src/ml/liveness) is the defence. The antispoof floor rejects no
    // measured face, live or attack; the liveness gate (0.1) stopped 0 of 276 attack faces and
    // turned away 2 of 56 live development images and 1 of 98 faces-640 photos: off.
    minAntispoof: 0.2, // real min 0.30
    minLiveness: 0,
  } satisfies GateThresholds,
} as const;

/**
 * The `modelId` the shipped engine reports, i.e. the model RECOGNITION_DEFAULTS' threshold and
 * margin were calibrated for. A threshold means nothing for another model: a kiosk drops an
 * admin's stored threshold once the model it was set for is no longer the shipped one.
 */
export const SHIPPED_MODEL_ID = modelIdOf(
  parsePipeline(RECOGNITION_DEFAULTS.embedder),
  RECOGNITION_DEFAULTS.flip,
);

/**
 * Every model file the shipped engine loads (Human's detection models, the shipped embedder
 * and the liveness classifier): exactly what the kiosk installer carries in resources/models,
 * besides SHA256SUMS.
 * The evaluation-only embedders' files stay out (`npm run check:packaging` enforces it).
 */
export function shippedModelFiles(modelDir: string): string[] {
  const embedders = parsePipeline(RECOGNITION_DEFAULTS.embedder).map((s) =>
    s.kind === 'onnx' ? `${s.model}.onnx` : s.model,
  );
  return [...DETECTION_MODELS, ...embedders, FASNET_MODEL_FILE].flatMap((m) => modelFilesOf(modelDir, m));
}

export const BackendPreferenceSchema = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']);

export const GateThresholdsSchema = z.object({
  minFaceSize: z.number().min(0),
  maxYaw: z.number().min(0).max(180),
  maxPitch: z.number().min(0).max(180),
  maxRoll: z.number().min(0).max(180),
  minSharpness: z.number().min(0).max(1),
  minBrightness: z.number().min(0).max(255),
  minAntispoof: z.number().min(0).max(1),
  minLiveness: z.number().min(0).max(1),
});

export const FaceEngineOptionsSchema = z
  .object({
    /** Folder with the model files and SHA256SUMS; default resources/models of this checkout. */
    modelDir: z.string().min(1).optional(),
    backend: BackendPreferenceSchema.default('auto'),
    /**
     * An embedder id, or several joined by '+', of the engine's registry (the shipped one unless
     * the caller injects another); the engine refuses an id its registry does not hold.
     */
    embedder: z.string().min(1).default(RECOGNITION_DEFAULTS.embedder),
    flip: z.boolean().default(RECOGNITION_DEFAULTS.flip),
    /** Faces analysed per frame (largest first); a door sees one or two people at a time. */
    maxFaces: z.number().int().min(1).max(20).default(5),
    /** Detector confidence below which a box is ignored. */
    minDetectionScore: z.number().min(0).max(1).default(0.5),
    gates: GateThresholdsSchema.partial().default({}),
    /**
     * Compute each face's presentation-attack signals (FASNet, eye openness, keypoints, texture:
     * `DetectedFace.presentation`), which the kiosk's liveness decision needs (~15 ms a face).
     */
    presentation: z.boolean().default(true),
    /**
     * Extra FASNet views of each face besides the shipped crop (context scale 2.7, unflipped),
     * carried in `presentation.fasnetViews` in this order. Development tools use them to measure
     * test-time augmentation (docs/liveness.md); the kiosk adds none.
     */
    fasnetViews: z
      .array(z.object({ scale: z.number().min(1).max(6), flip: z.boolean() }).strict())
      .max(8)
      .default([]),
    /** Run inference on this thread (eval, tests) instead of a worker thread. */
    inProcess: z.boolean().default(false),
    /**
     * Frames allowed to wait while one is being analysed; beyond that analyse() rejects with
     * EngineBusyError (code 'busy') and the drop is counted. A camera should drop, not queue.
     */
    maxQueue: z.number().int().min(0).max(64).default(1),
    /** When a frame has no face, look again at its centre, zoomed (finds smaller faces). */
    zoomRetry: z.boolean().default(true),
    /** Run a few inferences at start so the first real frame is not slow. */
    warmup: z.boolean().default(true),
    /** Largest decoded side (px) for encoded inputs; bigger photos are downscaled. */
    maxSide: z.number().int().min(64).max(8192).default(1280),
  })
  .strict();

export type FaceEngineOptions = z.input<typeof FaceEngineOptionsSchema>;
export type ResolvedEngineOptions = z.output<typeof FaceEngineOptionsSchema> & { gates: GateThresholds };

export function resolveEngineOptions(options: FaceEngineOptions = {}): ResolvedEngineOptions {
  const parsed = FaceEngineOptionsSchema.parse(options);
  return { ...parsed, gates: { ...RECOGNITION_DEFAULTS.gates, ...parsed.gates } };
}
