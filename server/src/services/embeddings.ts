// Checks on embeddings that arrive as base64 Float32 (kiosk pushes, photo imports): decoded by
// the one codec of kiosk and server (src/ml/embedding-codec.ts), then required to be unit length
// and, for a face model this build knows, of that model's size.
import { decodeEmbedding, type EmbeddingDecodeProblem } from '../../../src/ml/embedding-codec.js';
import { embeddingSizeOf } from '../../../src/ml/embedders.js';

export type EmbeddingProblem = EmbeddingDecodeProblem | 'not_normalised' | 'wrong_size';

/**
 * Returns null when the embedding is a finite, L2-normalised Float32 vector of `modelId`'s size.
 * The size is checked here, not only against the student's other templates: otherwise the first
 * template of a student (a buggy kiosk's, or a stolen token's two numbers) would set the size every
 * later enrolment of that student is refused for. A model this build does not know is not
 * size-checked (a kiosk may run a newer model than the server).
 */
export function checkEmbedding(b64: string, modelId: string): EmbeddingProblem | null {
  const decoded = decodeEmbedding(b64);
  if (!decoded.ok) return decoded.problem;
  const size = embeddingSizeOf(modelId);
  if (size !== null && decoded.embedding.length !== size) return 'wrong_size';
  let sum = 0;
  for (const v of decoded.embedding) sum += v * v;
  return Math.abs(Math.sqrt(sum) - 1) <= 1e-3 ? null : 'not_normalised';
}
