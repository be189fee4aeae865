// Embeddings travel as base64 of little-endian float32 (the sync API's EmbeddingB64, photo
// import, SQLite export/import): the ONE codec of kiosk and server. Decoding is strict (valid,
// padded base64; whole float32 values; all finite; the expected length when given), so a
// truncated or damaged template is refused instead of matching garbage.

export function embeddingToBase64(embedding: Float32Array): string {
  const bytes = new Uint8Array(embedding.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < embedding.length; i++) view.setFloat32(i * 4, embedding[i]!, true);
  return Buffer.from(bytes).toString('base64');
}

/** Why a text is not an embedding: the codes the server answers a rejected template with. */
export type EmbeddingDecodeProblem = 'not_base64' | 'bad_length' | 'not_finite';

export type EmbeddingDecodeResult =
  { ok: true; embedding: Float32Array } | { ok: false; problem: EmbeddingDecodeProblem; message: string };

/**
 * Parses base64 float32 LE. With `dims` given, the length must match; values must be finite.
 * Answers the problem instead of throwing, for callers that report it per item.
 */
export function decodeEmbedding(text: string, dims?: number): EmbeddingDecodeResult {
  const fail = (problem: EmbeddingDecodeProblem, message: string): EmbeddingDecodeResult => ({
    ok: false,
    problem,
    message,
  });
  if (typeof text !== 'string' || text.length === 0) return fail('not_base64', 'embedding base64 is empty');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    return fail('not_base64', 'embedding is not valid base64');
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0 || bytes.length === 0) {
    return fail('bad_length', `embedding has ${bytes.length} bytes, not a whole number of float32 values`);
  }
  const out = new Float32Array(bytes.length / 4);
  if (dims !== undefined && out.length !== dims) {
    return fail('bad_length', `embedding has ${out.length} values, expected ${dims}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) {
    const v = view.getFloat32(i * 4, true);
    if (!Number.isFinite(v)) return fail('not_finite', `embedding value ${i} is not finite`);
    out[i] = v;
  }
  return { ok: true, embedding: out };
}

/**
 * Parses base64 float32 LE (decodeEmbedding's rules). Throws RangeError with a clear message
 * on anything else.
 */
export function embeddingFromBase64(text: string, dims?: number): Float32Array {
  const r = decodeEmbedding(text, dims);
  if (!r.ok) throw new RangeError(r.message);
  return r.embedding;
}

/** Raw little-endian float32 bytes, for a SQLite BLOB. */
export function embeddingToBytes(embedding: Float32Array): Uint8Array {
  return new Uint8Array(Buffer.from(embeddingToBase64(embedding), 'base64'));
}

export function embeddingFromBytes(bytes: Uint8Array, dims?: number): Float32Array {
  return embeddingFromBase64(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    dims,
  );
}
