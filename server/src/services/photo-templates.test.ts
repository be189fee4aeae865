// Whose fault a failed photo is: a photo that cannot be decoded is the photo's (`unreadable_image`),
// anything else the engine throws, or an engine that never answers, is ours (`engineFailed`).
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

  it('an engine that crashed, failed in a model, or never answers is the engine at fault', async () => {
    const crashed = engineThat(async () => {
      throw new EngineError('crashed', 'face worker stopped: face worker exited with code 1');
    });
    expect(await embedPhoto(crashed, new Uint8Array([1]))).toEqual({
      ok: false,
      engineFailed: true,
      reason: 'face_engine_failed: face worker stopped: face worker exited with code 1',
    });
    const broken = engineThat(async () => {
      throw new Error('embedder faceplugin produced no 512-d output');
    });
    expect(await embedPhoto(broken, new Uint8Array([1]))).toMatchObject({ ok: false, engineFailed: true });
    const stuck = engineThat(() => new Promise<never>(() => undefined));
    expect(await embedPhoto(stuck, new Uint8Array([1]), 1)).toMatchObject({
      ok: false,
      engineFailed: true,
      reason: expect.stringMatching(/^face_engine_failed: no answer in /),
    });
  });
});
