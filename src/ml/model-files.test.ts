import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelFileError, parseChecksums, verifyModelFiles } from './model-files.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

describe('verifyModelFiles', () => {
  let dir: string;
  const json = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['tiny.bin'], weights: [] }] });
  const bin = Buffer.from([1, 2, 3, 4]);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rollcall-models-'));
    writeFileSync(join(dir, 'tiny.json'), json);
    writeFileSync(join(dir, 'tiny.bin'), bin);
    writeFileSync(join(dir, 'SHA256SUMS'), `${sha(json)}  tiny.json\n${sha(bin)}  tiny.bin\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function errorOf(fn: () => void): ModelFileError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ModelFileError);
      return err as ModelFileError;
    }
    throw new Error('expected a ModelFileError');
  }

  it('passes when every file matches', () => {
    expect(() => verifyModelFiles(dir, ['tiny'])).not.toThrow();
  });

  it('names a missing weight file and says how to restore it', () => {
    unlinkSync(join(dir, 'tiny.bin'));
    const err = errorOf(() => verifyModelFiles(dir, ['tiny']));
    expect(err.code).toBe('missing');
    expect(err.message).toContain(join(dir, 'tiny.bin'));
    expect(err.message).toContain('npm run models');
  });

  it('names a missing model json', () => {
    const err = errorOf(() => verifyModelFiles(dir, ['other']));
    expect([err.code, err.file]).toEqual(['missing', join(dir, 'other.json')]);
  });

  it('detects a corrupt (altered) file', () => {
    writeFileSync(join(dir, 'tiny.bin'), Buffer.from([1, 2, 3, 5]));
    const err = errorOf(() => verifyModelFiles(dir, ['tiny']));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/tiny\.bin.*SHA-256.*npm run models/);
  });

  it('checks an ONNX model as its one file, and names it when missing or altered', () => {
    const onnx = Buffer.from('not really onnx');
    writeFileSync(join(dir, 'net.onnx'), onnx);
    writeFileSync(
      join(dir, 'SHA256SUMS'),
      `${sha(json)}  tiny.json\n${sha(bin)}  tiny.bin\n${sha(onnx)}  net.onnx\n`,
    );
    expect(() => verifyModelFiles(dir, ['tiny', 'net.onnx'])).not.toThrow();
    writeFileSync(join(dir, 'net.onnx'), Buffer.from('tampered'));
    const corrupt = errorOf(() => verifyModelFiles(dir, ['net.onnx']));
    expect([corrupt.code, corrupt.file]).toEqual(['corrupt', join(dir, 'net.onnx')]);
    unlinkSync(join(dir, 'net.onnx'));
    const missing = errorOf(() => verifyModelFiles(dir, ['net.onnx']));
    expect([missing.code, missing.file]).toEqual(['missing', join(dir, 'net.onnx')]);
    expect(missing.message).toContain('npm run models');
  });

  it('refuses a file that is not on the checksum list', () => {
    writeFileSync(join(dir, 'SHA256SUMS'), `${sha(json)}  tiny.json\n`);
    expect(errorOf(() => verifyModelFiles(dir, ['tiny'])).code).toBe('unlisted');
  });

  it('refuses to run without a checksum list', () => {
    unlinkSync(join(dir, 'SHA256SUMS'));
    expect(errorOf(() => verifyModelFiles(dir, ['tiny'])).code).toBe('no_checksums');
  });

  it('reports an unparseable manifest', () => {
    writeFileSync(join(dir, 'tiny.json'), '{ nope');
    expect(errorOf(() => verifyModelFiles(dir, ['tiny'])).code).toBe('bad_manifest');
  });

  it('parses sha256sum output, text and binary mode', () => {
    const sums = parseChecksums(`${'a'.repeat(64)}  x.json\n${'b'.repeat(64)} *y.bin\ngarbage\n`);
    expect([...sums.entries()]).toEqual([
      ['x.json', 'a'.repeat(64)],
      ['y.bin', 'b'.repeat(64)],
    ]);
  });
});
