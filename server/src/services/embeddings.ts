// Checks on embeddings that arrive as base64 Float32 (kiosk pushes, photo imports): decoded by
// the one codec of kiosk and server (src/ml/embedding-codec.ts), then required to be unit length.
import { decodeEmbedding, type EmbeddingDecodeProblem } from '../../../src/ml/embedding-codec.js';

export type EmbeddingProblem = EmbeddingDecodeProblem | 'not_normalised';

/** Returns null when the embedding is a finite, L2-normalised Float32 vector. */
export function checkEmbedding(b64: string): EmbeddingProblem | null {
  const decoded = decodeEmbedding(b64);
  if (!decoded.ok) return decoded.problem;
  let sum = 0;
  for (const v of decoded.embedding) sum += v * v;
  return Math.abs(Math.sqrt(sum) - 1) <= 1e-3 ? null : 'not_normalised';
}
