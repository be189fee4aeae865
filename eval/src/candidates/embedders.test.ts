// The candidates are reachable from the eval tools and only from there: every calibrated
// pipeline parses against the eval's registry, the product's registry refuses the candidates,
// and an engine given the eval registry runs one (the dlib port, which brings its own code).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parsePipeline, SHIPPED_EMBEDDERS } from '../../../src/ml/embedders.js';
import { LocalFaceEngine } from '../../../src/ml/local-engine.js';
import { EVAL_CALIBRATION } from './calibration.js';
import { CANDIDATE_EMBEDDERS, EVAL_EMBEDDERS } from './embedders.js';

/** 'faceres-aligned+mobileface+mirror' → 'faceres-aligned+mobileface'. */
const pipelineOf = (key: string) => key.replace(/\/flip/, '').replace(/\+mirror$/, '');

describe('candidate embedders', () => {
  it('every calibrated pipeline is one the eval can run', () => {
    for (const key of Object.keys(EVAL_CALIBRATION)) {
      expect(() => parsePipeline(pipelineOf(key), EVAL_EMBEDDERS), key).not.toThrow();
    }
  });

  it('the shipped registry knows none of them', () => {
    expect(Object.keys(SHIPPED_EMBEDDERS)).toEqual(['faceplugin']);
    for (const id of Object.keys(CANDIDATE_EMBEDDERS)) {
      expect(() => parsePipeline(id)).toThrow(/unknown embedder/);
      expect(() => parsePipeline(`faceplugin+${id}`)).toThrow(/unknown embedder/);
    }
  });

  it('an injected candidate runs in the engine (dlib: its own network code)', async () => {
    const log = pino({ level: 'warn' }, pino.destination(2));
    const engine = await LocalFaceEngine.create(
      { embedder: 'dlib', inProcess: true, presentation: false, warmup: false },
      log,
      EVAL_EMBEDDERS,
    );
    try {
      expect(engine.modelId).toBe('dlib/v1');
      expect(engine.embeddingSize).toBe(128);
    } finally {
      await engine.dispose();
    }
    await expect(LocalFaceEngine.create({ embedder: 'dlib', inProcess: true }, log)).rejects.toThrow(
      /unknown embedder "dlib"; one of faceplugin/,
    );
  }, 60_000);
});
