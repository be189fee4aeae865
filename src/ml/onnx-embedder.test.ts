import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED_EMBEDDERS } from './embedders.js';
import { defaultModelDir } from './model-files.js';
import { loadOnnxEmbedder, nhwcToNchw } from './onnx-embedder.js';

describe('nhwcToNchw', () => {
  it('moves each channel into its own plane, image by image', () => {
    // Two 2×2 images; pixel value = image*100 + pixel*10 + channel.
    const n = 2;
    const size = 2;
    const nhwc = new Float32Array(n * size * size * 3);
    for (let b = 0; b < n; b++)
      for (let p = 0; p < size * size; p++)
        for (let c = 0; c < 3; c++) nhwc[(b * 4 + p) * 3 + c] = b * 100 + p * 10 + c;
    const nchw = Array.from(nhwcToNchw(nhwc, n, size));
    expect(nchw.slice(0, 12)).toEqual([0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32]);
    expect(nchw.slice(12)).toEqual([100, 110, 120, 130, 101, 111, 121, 131, 102, 112, 122, 132]);
  });
});

describe('loadOnnxEmbedder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-onnx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const spec = SHIPPED_EMBEDDERS.faceplugin;

  it('runs the shipped model: one row per view, different faces give different rows', async () => {
    const e = await loadOnnxEmbedder(join(defaultModelDir(), `${spec.model}.onnx`), spec.dims);
    try {
      const per = spec.inputSize * spec.inputSize * 3;
      const input = new Float32Array(2 * per);
      for (let i = 0; i < per; i++) input[i] = Math.sin(i) * 0.5; // two unlike "faces"
      for (let i = per; i < 2 * per; i++) input[i] = Math.cos(i / 7) * 0.5;
      const out = await e.run(input, 2, spec.inputSize);
      expect(out.length).toBe(2 * spec.dims);
      expect(out.every(Number.isFinite)).toBe(true);
      const a = out.subarray(0, spec.dims);
      const b = out.subarray(spec.dims);
      expect(Array.from(a)).not.toEqual(Array.from(b));
      // The same input gives the same embedding (no state carried between runs).
      const again = await e.run(input.subarray(0, per), 1, spec.inputSize);
      expect(Array.from(again)).toEqual(Array.from(a));
    } finally {
      await e.dispose();
    }
  });

  it('refuses a file that is not an ONNX model with an error naming the file', async () => {
    const bad = join(dir, 'broken.onnx');
    writeFileSync(bad, Buffer.from('this is not a protobuf model'));
    await expect(loadOnnxEmbedder(bad, 512)).rejects.toThrow(/broken\.onnx/);
  });

  it('refuses a model whose output is not the expected size', async () => {
    const e = await loadOnnxEmbedder(join(defaultModelDir(), `${spec.model}.onnx`), 128);
    try {
      const per = spec.inputSize * spec.inputSize * 3;
      await expect(e.run(new Float32Array(per), 1, spec.inputSize)).rejects.toThrow(/expected 128 outputs/);
    } finally {
      await e.dispose();
    }
  });
});
