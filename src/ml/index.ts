// Public entry of the face engine. Everything outside src/ml imports from here.
//
//   const engine = await createFaceEngine();          // worker thread, shipped settings
//   const { faces } = await engine.analyse(jpegBytes); // or a decoded RgbImage from a camera
//   const matcher = createMatcher(engine.embeddingSize);
//   matcher.add(studentId, templates);
//   const m = matcher.match(faces[0].embedding);       // m.accepted: threshold AND margin
import pino, { type Logger } from 'pino';
import { resolveEngineOptions, type FaceEngineOptions } from './config.js';
import { LocalFaceEngine } from './local-engine.js';
import { Matcher, type MatcherOptions } from './matcher.js';
import { WorkerFaceEngine } from './worker-engine.js';
import { parsePipeline } from './embedders.js';
import { RECOGNITION_DEFAULTS } from './config.js';
import type { FaceEngine } from './types.js';

export * from './types.js';
export {
  RECOGNITION_DEFAULTS,
  SHIPPED_MODEL_ID,
  FaceEngineOptionsSchema,
  GateThresholdsSchema,
  resolveEngineOptions,
} from './config.js';
export type { FaceEngineOptions } from './config.js';
export { Matcher } from './matcher.js';
export type { MatcherOptions, PersonScore } from './matcher.js';
export { decodeImage, checkRgbImage, ImageInputError, DECODE_DEFAULTS } from './decode.js';
export type { ImageInputErrorCode, DecodeOptions } from './decode.js';
export {
  embeddingToBase64,
  embeddingFromBase64,
  embeddingToBytes,
  embeddingFromBytes,
} from './embedding-codec.js';
export { ModelFileError, verifyModelFiles, defaultModelDir } from './model-files.js';
export { EngineError, WorkerFaceEngine, defaultWorkerPath } from './worker-engine.js';
export type { EngineErrorCode } from './worker-engine.js';
export { LocalFaceEngine } from './local-engine.js';
export { SHIPPED_EMBEDDERS, parsePipeline } from './embedders.js';
export type { EmbedderRegistry, EmbedderSpec } from './embedders.js';
export { CALIBRATION, operatingPoint } from './calibration.js';
export type { OperatingPoint } from './calibration.js';
export { gateFailures } from './quality.js';
export type { GateThresholds } from './quality.js';

export interface FaceEngineDeps {
  logger?: Logger;
  /** Worker entry file; an Electron bundle passes its built `ml-worker.js` here. */
  workerPath?: string;
}

export type { LocalFaceEngine as InProcessFaceEngine } from './local-engine.js';

/**
 * Loads the models (verifying SHA256SUMS), picks the backend, warms up and returns a ready engine.
 * By default inference runs in a worker thread with a bounded queue; `inProcess: true` runs it
 * on this thread (eval, tests). Options are validated with zod; a bad option throws ZodError.
 */
export async function createFaceEngine(
  options: FaceEngineOptions = {},
  deps: FaceEngineDeps = {},
): Promise<FaceEngine> {
  const opts = resolveEngineOptions(options);
  // Refuse an unknown embedder here, before a worker thread is started for it.
  parsePipeline(opts.embedder);
  const log = (deps.logger ?? pino({ name: 'ml' }, pino.destination(2))).child({ component: 'face-engine' });
  if (opts.inProcess) return LocalFaceEngine.create(opts, log);
  return WorkerFaceEngine.start(opts, log, deps.workerPath);
}

/** A Matcher with the shipped threshold and margin for this embedding size. */
export function createMatcher(dims: number, overrides: Partial<Omit<MatcherOptions, 'dims'>> = {}): Matcher {
  return new Matcher({
    dims,
    threshold: RECOGNITION_DEFAULTS.threshold,
    minMargin: RECOGNITION_DEFAULTS.minMargin,
    ...overrides,
  });
}
