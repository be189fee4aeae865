// The face engine's two kinds of failure, in a module with no imports so that a caller can tell
// them apart without loading the engine (the server loads tfjs and sharp only on first use):
//
// - ImageInputError: the input's fault. The bytes are not a JPEG or PNG, are truncated or
//   corrupt, or too large or small (decode.ts). Another input may well work.
// - EngineError: ours. The worker is busy, crashed or exited, or was disposed (worker-engine.ts);
//   no input will work until the engine is started again.
//
// Both cross the worker boundary with their class and code intact (worker-protocol.ts).

export type ImageInputErrorCode =
  | 'empty'
  | 'not_image'
  | 'unsupported_format'
  | 'corrupt'
  | 'truncated'
  | 'too_large'
  | 'too_small'
  | 'bad_frame';

export class ImageInputError extends Error {
  readonly code: ImageInputErrorCode;
  constructor(code: ImageInputErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageInputError';
    this.code = code;
  }
}

export type EngineErrorCode = 'busy' | 'crashed' | 'disposed';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}
