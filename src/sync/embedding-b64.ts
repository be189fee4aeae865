// Embeddings on the wire: Float32 little-endian, base64 (contracts/sync.ts EmbeddingB64).
// Decoding checks the length, so a truncated template is refused instead of matching garbage.

export function embeddingToB64(v: Float32Array): string {
  const out = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => out.writeFloatLE(x, i * 4));
  return out.toString('base64');
}

export function embeddingFromB64(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) throw new Error(`embedding is ${bytes.length} bytes, not a whole number of float32`);
  const v = new Float32Array(bytes.length / 4);
  for (let i = 0; i < v.length; i++) v[i] = bytes.readFloatLE(i * 4);
  if (!v.every(Number.isFinite)) throw new Error('embedding holds non-finite values');
  return v;
}
