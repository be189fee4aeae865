// Whose fault a failed photo is: a photo that cannot be decoded is the photo's (`unreadable_image`);
// an engine that crashed, was disposed or never answers is ours (`stop`: the import stops, as `face_engine_failed` or `face_engine_busy`);
// any other error the engine throws on a photo refuses that photo only (`analysis_failed`), the
// engine working on for the next one.
import { describe, expect, it } from 'vitest';
import { EngineError, ImageInputError } from '../../../src/ml/errors.js';
import type { FaceEngine, FrameAnalysis } from '../../../src/ml/types.js';
import { embedPhoto } from './photo-templates.js';

const engineThat = (analyse: () => Promise<FrameAnalysis>): FaceEngine => ({
  backend: 'cpu',
  modelId: 'fake',
  embeddingSize: 4,
  analyse,
  dispose: async () => undefined,
});

describe('embedPhoto', () => {
  it('a photo that cannot be decoded is unreadable: the photo is at fault', async () => {
    const engine = engineThat(async () => {
      throw new ImageInputError('truncated', 'the image is truncated (incomplete file)');
    });
    expect(await embedPhoto(engine, new Uint8Array([1]))).toEqual({
      ok: false,
      reason: 'unreadable_image: the image is truncated (incomplete file)',
    });
  });

  it('an engine that crashed, was disposed, or never answers is the engine at fault', async () => {
    const crashed = engineThat(async () => {
      throw new EngineError('crashed', 'face worker stopped: face worker exited with code 1');
    });
    expect(await embedPhoto(crashed, new Uint8Array([1]))).toEqual({
      ok: false,
      stop: 'face_engine_failed',
      reason: 'face_engine_failed: face worker stopped: face worker exited with code 1',
    });
    const disposed = engineThat(async () => {
      throw new EngineError('disposed', 'face engine is disposed');
    });
    expect(await embedPhoto(disposed, new Uint8Array([1]))).toEqual({
      ok: false,
      stop: 'face_engine_failed',
      reason: 'face_engine_failed: face engine is disposed',
    });
    const stuck = engineThat(() => new Promise<never>(() => undefined));
    expect(await embedPhoto(stuck, new Uint8Array([1]), 1)).toMatchObject({
      ok: false,
      stop: 'face_engine_failed',
      reason: expect.stringMatching(/^face_engine_failed: no answer in /),
    });
  });

  it('a busy engine is busy: the upload stops, and the engine is kept', async () => {
    const busy = engineThat(async () => {
      throw new EngineError('busy', 'face engine busy: frame dropped');
    });
    expect(await embedPhoto(busy, new Uint8Array([1]))).toEqual({
      ok: false,
      stop: 'face_engine_busy',
      reason: 'face_engine_busy: face engine busy: frame dropped',
    });
  });

  it("any other error on a photo (a model's, as it arrives from the worker) refuses that photo only", async () => {
    const odd = engineThat(async () => {
      throw new Error('embedder faceplugin produced no 512-d output');
    });
    expect(await embedPhoto(odd, new Uint8Array([1]))).toEqual({
      ok: false,
      reason: 'analysis_failed: embedder faceplugin produced no 512-d output',
    });
  });
});
