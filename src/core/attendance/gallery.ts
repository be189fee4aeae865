// The in-memory 1:N gallery the door matches against: every template of the students who
// may appear here, for the running model. It is the same Matcher (int8 rows + WebAssembly
// SIMD, src/ml/matcher.ts) that `npm run bench` and `npm run eval` measure, so the figures
// they print are the door's. A student's score is their BEST template; the decision (threshold,
// margin over the second-best STUDENT, class in session) is the decision rule's
// (src/ml/decision-rule.ts), never "the first template under a distance".
import { galleryModel, type GalleryModel } from '../../ml/decision-rule.js';
import { Matcher } from '../../ml/matcher.js';
import type { MatchResult } from '../../ml/types.js';

export interface GalleryTemplate {
  studentId: string;
  embedding: Float32Array;
}

export type Ranking = Omit<MatchResult, 'accepted'>;

export class Gallery {
  private readonly matcher: Matcher | null;
  readonly dims: number;
  /** Templates in the gallery (wrong-size or zero embeddings are left out). */
  readonly size: number;
  /** Templates refused because they were not finite, non-zero vectors of `dims` values. */
  readonly refused: number;
  /** The gallery's impostor tail, for the decision rule's school tier (null: too small to fit). */
  readonly model: GalleryModel;

  constructor(templates: readonly GalleryTemplate[], dims: number) {
    this.dims = dims;
    let refused = 0;
    if (dims > 0 && templates.length > 0) {
      this.matcher = new Matcher({ dims, threshold: 1, minMargin: 0, capacity: templates.length });
      for (const t of templates) {
        if (t.embedding.length !== dims) {
          refused++;
          continue;
        }
        try {
          this.matcher.add(t.studentId, t.embedding);
        } catch {
          refused++; // zero or non-finite vector: one bad template must not empty the door
        }
      }
    } else {
      this.matcher = null;
      refused = templates.length;
    }
    this.refused = refused;
    this.size = this.matcher?.templateCount ?? 0;
    this.model = this.matcher
      ? galleryModel(
          this.matcher,
          templates
            .map((t) => ({ personId: t.studentId, embedding: t.embedding }))
            .filter((t) => t.embedding.length === dims),
        )
      : null;
  }

  get studentCount(): number {
    return this.matcher?.personCount ?? 0;
  }

  has(studentId: string): boolean {
    return this.matcher?.has(studentId) ?? false;
  }

  /** Best and second-best student for a probe (no decision); an empty ranking for a wrong-size probe. */
  rank(probe: Float32Array): Ranking {
    if (!this.matcher || this.matcher.personCount === 0 || probe.length !== this.dims) {
      return { personId: null, score: 0, secondPersonId: null, secondScore: 0, margin: 0 };
    }
    try {
      return this.matcher.rank(probe);
    } catch {
      return { personId: null, score: 0, secondPersonId: null, secondScore: 0, margin: 0 };
    }
  }

  /** The k best students for a probe, highest first ([] for a wrong-size probe or an empty gallery). */
  top(probe: Float32Array, k: number): { personId: string; score: number }[] {
    if (!this.matcher || this.matcher.personCount === 0 || probe.length !== this.dims) return [];
    try {
      return this.matcher.top(probe, k);
    } catch {
      return [];
    }
  }

  /** rank() accepted at a fixed threshold and margin. */
  match(probe: Float32Array, threshold: number, minMargin: number): MatchResult {
    const r = this.rank(probe);
    return { ...r, accepted: r.personId !== null && r.score >= threshold && r.margin >= minMargin };
  }

  /** The kernel the door runs ('wasm-simd' or 'js'). */
  get kernel(): string {
    return this.matcher?.kernel ?? 'none';
  }
}
