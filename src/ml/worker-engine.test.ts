// createFaceEngine's default: inference in a worker thread with a bounded queue.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineError } from './index.js';
import {
  createFaceEngine,
  defaultModelDir,
  ImageInputError,
  ModelFileError,
  type FaceEngine,
} from './index.js';
import type { WorkerFaceEngine } from './worker-engine.js';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'faces');
const read = (name: string): Buffer => readFileSync(join(fixtures, name));
const logger = pino({ level: 'warn' }, pino.destination(2));

let engine: WorkerFaceEngine;
beforeAll(async () => {
  engine = (await createFaceEngine({ maxQueue: 1 }, { logger })) as WorkerFaceEngine;
});
afterAll(async () => {
  await engine?.dispose();
});

describe('face engine in a worker thread', () => {
  it('analyses frames off-thread and returns Float32Array embeddings', async () => {
    const r = await engine.analyse(read('person-a-1.jpg'));
    expect(r.faces.length).toBe(1);
    expect(r.faces[0]!.embedding).toBeInstanceOf(Float32Array);
    expect(r.faces[0]!.embedding.length).toBe(engine.embeddingSize);
    expect(engine.backend).toMatch(/^(tensorflow|wasm|cpu)$/);
  });

  it('drops frames beyond the queue bound with a counted "busy" error', async () => {
    const before = engine.stats();
    const frame = read('person-b-1.jpg');
    // One runs, one waits (maxQueue 1); the other two are refused at once.
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => engine.analyse(frame)));
    const busy = results.filter((r) => r.status === 'rejected' && (r.reason as EngineError).code === 'busy');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(2);
    expect(busy.length).toBe(2);
    const after = engine.stats();
    expect(after.dropped.busy - before.dropped.busy).toBe(2);
    expect(after.analysed - before.analysed).toBe(2);
    expect(after.pending).toBe(0);
  });

  it('sends bad input back as ImageInputError with its code, and keeps working', async () => {
    await expect(engine.analyse(Buffer.from('definitely not a jpeg'))).rejects.toSatisfy(
      (e) => e instanceof ImageInputError && e.code === 'not_image',
    );
    expect((await engine.analyse(read('person-a-2.jpg'))).faces.length).toBe(1);
    expect(engine.stats().failed).toBeGreaterThan(0);
  });

  it('does not leak tensors in the worker over many frames', async () => {
    await engine.analyse(read('three-faces.jpg'));
    const before = await engine.tensorCount();
    for (let i = 0; i < 6; i++) await engine.analyse(read(i % 2 ? 'three-faces.jpg' : 'noface.jpg'));
    expect(await engine.tensorCount()).toBe(before);
  });
});

describe('engine start-up and shutdown', () => {
  it('refuses to start on a corrupt model file and names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-bad-models-'));
    try {
      cpSync(defaultModelDir(), dir, { recursive: true });
      writeFileSync(join(dir, 'blazeface.bin'), Buffer.from('not the real weights'));
      const err = await createFaceEngine({ modelDir: dir, warmup: false }, { logger }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ModelFileError);
      expect((err as ModelFileError).code).toBe('corrupt');
      expect((err as Error).message).toContain('blazeface.bin');
      expect((err as Error).message).toContain('npm run models');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects invalid options with a zod error', async () => {
    await expect(createFaceEngine({ embedder: 'no-such-model' })).rejects.toThrow(/unknown embedder/);
    await expect(createFaceEngine({ maxQueue: -1 } as never)).rejects.toThrow();
  });

  it('after dispose, analyse fails with code "disposed"', async () => {
    const e: FaceEngine = await createFaceEngine({ warmup: false }, { logger });
    await e.dispose();
    await expect(e.analyse(read('person-a-1.jpg'))).rejects.toMatchObject({ code: 'disposed' });
  });
});
