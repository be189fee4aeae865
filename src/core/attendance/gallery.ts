// The in-memory 1:N gallery the door matches against: every template of the students who
// may appear here, for the running model. A student's score is their BEST template; a
// match needs the threshold AND a margin over the second-best STUDENT (never the first
// template under a distance, which marks the wrong twin).
import type { MatchResult } from '../../ml/types';

export interface GalleryTemplate {
  studentId: string;
  embedding: Float32Array;
}

export class Gallery {
  private readonly students: string[] = [];
  private readonly owners: Int32Array;
  private readonly matrix: Float32Array;
  readonly dims: number;
  readonly size: number;

  constructor(templates: readonly GalleryTemplate[], dims: number) {
    this.dims = dims;
    const usable = templates.filter((t) => t.embedding.length === dims);
    this.size = usable.length;
    this.owners = new Int32Array(usable.length);
    this.matrix = new Float32Array(usable.length * dims);
    const index = new Map<string, number>();
    usable.forEach((t, i) => {
      let owner = index.get(t.studentId);
      if (owner === undefined) {
        owner = this.students.length;
        index.set(t.studentId, owner);
        this.students.push(t.studentId);
      }
      this.owners[i] = owner;
      this.matrix.set(t.embedding, i * dims);
    });
  }

  get studentCount(): number {
    return this.students.length;
  }

  /** Cosine similarity (embeddings are L2-normalised, so a dot product). */
  match(probe: Float32Array, threshold: number, minMargin: number): MatchResult {
    const best = new Float32Array(this.students.length).fill(-Infinity);
    if (probe.length === this.dims) {
      for (let t = 0; t < this.size; t++) {
        let dot = 0;
        const base = t * this.dims;
        for (let k = 0; k < this.dims; k++) dot += (this.matrix[base + k] ?? 0) * (probe[k] ?? 0);
        const owner = this.owners[t] ?? 0;
        if (dot > (best[owner] ?? -Infinity)) best[owner] = dot;
      }
    }
    let first = -1, second = -1;
    for (let i = 0; i < best.length; i++) {
      const v = best[i] ?? -Infinity;
      if (first < 0 || v > (best[first] ?? -Infinity)) {
        second = first;
        first = i;
      } else if (second < 0 || v > (best[second] ?? -Infinity)) {
        second = i;
      }
    }
    const score = first >= 0 && Number.isFinite(best[first]) ? (best[first] ?? 0) : 0;
    const secondScore = second >= 0 && Number.isFinite(best[second]) ? (best[second] ?? 0) : 0;
    const personId = first >= 0 && Number.isFinite(best[first]) ? (this.students[first] ?? null) : null;
    const margin = score - secondScore;
    return {
      personId,
      score,
      secondPersonId: second >= 0 && Number.isFinite(best[second]) ? (this.students[second] ?? null) : null,
      secondScore,
      margin,
      accepted: personId !== null && score >= threshold && margin >= minMargin,
    };
  }
}
