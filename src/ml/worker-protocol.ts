// Messages between WorkerFaceEngine (caller's thread) and worker-entry (inference thread), and
// how errors cross the boundary with their class and code intact.
import { ImageInputError, type ImageInputErrorCode } from './decode.js';
import { EngineError, type EngineErrorCode } from './errors.js';
import { ModelFileError, type ModelFileErrorCode } from './model-files.js';
import type { FaceEngineOptions } from './config.js';
import type { AnalyseOptions, Backend, FrameAnalysis, RgbImage } from './types.js';

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  file?: string;
}

export type ToWorker =
  | { type: 'init'; options: Omit<FaceEngineOptions, 'inProcess'>; logLevel: string }
  | { type: 'analyse'; id: number; input: Uint8Array | RgbImage; options?: AnalyseOptions }
  | { type: 'tensors'; id: number }
  | { type: 'dispose' };

export type FromWorker =
  | {
      type: 'ready';
      backend: Backend;
      modelId: string;
      embeddingSize: number;
      timings: { loadMs: number; warmupMs: number };
    }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: number; analysis: FrameAnalysis }
  | { type: 'tensors'; id: number; count: number }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'disposed' }
  /** One pino log line of the worker's engine, for the caller's logger to write (worker-logs.ts). */
  | { type: 'log'; line: string };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof ImageInputError || err instanceof EngineError)
    return { name: err.name, message: err.message, code: err.code };
  if (err instanceof ModelFileError)
    return { name: err.name, message: err.message, code: err.code, file: err.file };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.name === 'ImageInputError') return new ImageInputError(e.code as ImageInputErrorCode, e.message);
  if (e.name === 'EngineError') return new EngineError(e.code as EngineErrorCode, e.message);
  if (e.name === 'ModelFileError')
    return new ModelFileError(e.code as ModelFileErrorCode, e.file ?? '', e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
