// Checks on embeddings that arrive as base64 Float32 (kiosk pushes, photo imports).
export type EmbeddingProblem = 'not_base64' | 'bad_length' | 'not_finite' | 'not_normalised';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Returns null when the embedding is a finite, L2-normalised Float32 vector. */
export function checkEmbedding(b64: string): EmbeddingProblem | null {
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return 'not_base64';
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) return 'bad_length';
  const view = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  let sum = 0;
  for (const v of view) {
    if (!Number.isFinite(v)) return 'not_finite';
    sum += v * v;
  }
  return Math.abs(Math.sqrt(sum) - 1) <= 1e-3 ? null : 'not_normalised';
}
