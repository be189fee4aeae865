// On-disk cache of eval analyses, so a large gallery (faces-gallery + distractors: ~2,800 images
// at ~60 ms each on a shared 2-core box) is analysed once, not on every run of the eval.
//
// One JSON-lines file per pipeline under `.cache/eval/` (gitignored): each line is one image's
// analysis keyed by the SHA-256 of its bytes, the engine's model id, the flip setting and whether
// the mirror embedding was computed. Lines are appended as images are analysed, so an interrupted
// run keeps what it did. A line that does not parse is skipped (and recomputed). Only the
// evaluation scripts use it; the kiosk never does (it must not keep face data it was not asked to).
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DetectedFace, GateFailure } from '../../src/ml/types.js';

const CachedFace = z.object({
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  detectionScore: z.number(),
  quality: z.object({
    size: z.number(),
    yaw: z.number(),
    pitch: z.number(),
    roll: z.number(),
    sharpness: z.number(),
    brightness: z.number(),
  }),
  antispoof: z.number(),
  liveness: z.number(),
  gateFailures: z.array(z.string()),
  embedding: z.array(z.number()),
  mirrorEmbedding: z.array(z.number()).optional(),
});

const CacheLine = z.object({
  key: z.string(),
  faces: z.number().int().min(0),
  ms: z.number(),
  face: CachedFace.nullable(),
});

export interface CachedAnalysis {
  /** Largest face (null: none found). */
  face: DetectedFace | null;
  faces: number;
  /** Inference time when it was computed (not a timing of this run). */
  ms: number;
}

export class EmbeddingCache {
  private readonly entries = new Map<string, CachedAnalysis>();
  private readonly file: string;

  constructor(dir: string, pipeline: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `${pipeline.replace(/[^a-z0-9+._-]/gi, '_')}.jsonl`);
    if (!existsSync(this.file)) return;
    chmodSync(this.file, 0o600);
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      let parsed: z.infer<typeof CacheLine>;
      try {
        parsed = CacheLine.parse(JSON.parse(line));
      } catch {
        continue; // a torn last line after a crash: that image is analysed again
      }
      const f = parsed.face;
      let face: DetectedFace | null = null;
      if (f) {
        const { mirrorEmbedding, embedding, gateFailures, ...rest } = f;
        face = {
          ...rest,
          gateFailures: gateFailures as GateFailure[],
          embedding: Float32Array.from(embedding),
          ...(mirrorEmbedding ? { mirrorEmbedding: Float32Array.from(mirrorEmbedding) } : {}),
        };
      }
      this.entries.set(parsed.key, { faces: parsed.faces, ms: parsed.ms, face });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  static key(bytes: Uint8Array, modelId: string, flip: boolean, mirror: boolean): string {
    const h = createHash('sha256').update(bytes).digest('hex');
    return `${modelId}|${flip ? 'flip' : 'noflip'}|${mirror ? 'mirror' : 'plain'}|${h}`;
  }

  get(key: string): CachedAnalysis | undefined {
    return this.entries.get(key);
  }

  put(key: string, value: CachedAnalysis): void {
    this.entries.set(key, value);
    const f = value.face;
    const line = {
      key,
      faces: value.faces,
      ms: value.ms,
      face: f && {
        box: f.box,
        detectionScore: f.detectionScore,
        quality: f.quality,
        antispoof: f.antispoof,
        liveness: f.liveness,
        gateFailures: f.gateFailures,
        embedding: Array.from(f.embedding),
        ...(f.mirrorEmbedding ? { mirrorEmbedding: Array.from(f.mirrorEmbedding) } : {}),
      },
    };
    // Embeddings are biometric data: owner-only, like the kiosk's own store.
    appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
