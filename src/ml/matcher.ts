// 1:N matching of one embedding against the templates of the people who may appear at this door.
//
// Templates live in ONE Float32Array (row-major, `dims` floats per template) so a match is a
// single cache-friendly pass. Several templates per person are allowed; a person's score is their
// BEST template's cosine similarity; the result is the best PERSON, accepted only when the score
// reaches the threshold AND beats the second-best person by the margin (taking the first template
// under a threshold, as the classic face_recognition webcam demo does, marks the wrong student).
import { createTemplateStore, type TemplateStore } from './simd-dot.js';
import type { MatchResult } from './types.js';

export interface MatcherOptions {
  dims: number;
  threshold: number;
  minMargin: number;
  /**
   * Score normalisation: subtract this vector (the mean embedding of a reference population) from
   * templates and probes, then re-normalise. Removes the direction every face shares, which
   * spreads strangers away from everybody. Null = plain cosine.
   */
  mean?: Float32Array | null;
  /** Initial template capacity; the store doubles when full. */
  capacity?: number;
  /** 'js' forces the plain-JS dot product (tests compare it with the SIMD one). */
  kernel?: 'auto' | 'js';
}

export interface PersonScore {
  personId: string;
  score: number;
}

export class Matcher {
  readonly dims: number;
  readonly threshold: number;
  readonly minMargin: number;
  private readonly mean: Float32Array | null;
  private readonly store: TemplateStore;
  /** Person index of each template row. */
  private owners: Int32Array;
  private count = 0;
  private readonly personIds: string[] = [];
  private readonly personIndex = new Map<string, number>();
  /** Scratch for per-person best scores, reused across matches. */
  private best = new Float32Array(0);

  constructor(options: MatcherOptions) {
    if (!Number.isInteger(options.dims) || options.dims <= 0)
      throw new RangeError('dims must be a positive integer');
    if (!(options.minMargin >= 0)) throw new RangeError('minMargin must be ≥ 0');
    if (!Number.isFinite(options.threshold)) throw new RangeError('threshold must be a number');
    if (options.mean && options.mean.length !== options.dims) {
      throw new RangeError(`mean has ${options.mean.length} values, expected ${options.dims}`);
    }
    this.dims = options.dims;
    this.threshold = options.threshold;
    this.minMargin = options.minMargin;
    this.mean = options.mean ?? null;
    const capacity = Math.max(16, options.capacity ?? 256);
    this.store = createTemplateStore(this.dims, capacity, options.kernel ?? 'auto');
    this.owners = new Int32Array(this.store.capacity);
  }

  /** Which dot-product kernel runs ('wasm-simd' or 'js'). */
  get kernel(): TemplateStore['kind'] {
    return this.store.kind;
  }

  get templateCount(): number {
    return this.count;
  }

  get personCount(): number {
    return this.personIndex.size;
  }

  has(personId: string): boolean {
    return this.personIndex.has(personId);
  }

  /** Unit vector of (embedding − mean); throws on a wrong size, NaN or a zero vector. */
  private prepare(embedding: Float32Array, out: Float32Array, offset: number): void {
    const { dims, mean } = this;
    if (!(embedding instanceof Float32Array) || embedding.length !== dims) {
      throw new RangeError(
        `embedding must be a Float32Array of ${dims} values, got ${embedding?.length ?? 'none'}`,
      );
    }
    let norm = 0;
    for (let i = 0; i < dims; i++) {
      const v = embedding[i]! - (mean ? mean[i]! : 0);
      out[offset + i] = v;
      norm += v * v;
    }
    if (!Number.isFinite(norm) || norm === 0) throw new RangeError('embedding is zero or not finite');
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dims; i++) out[offset + i]! *= inv;
  }

  private ensureCapacity(rows: number): void {
    this.store.ensureCapacity(rows);
    if (this.owners.length < this.store.capacity) {
      const o = new Int32Array(this.store.capacity);
      o.set(this.owners.subarray(0, this.count));
      this.owners = o;
    }
  }

  /** Adds one or more templates for a person (creating the person if new). */
  add(personId: string, embeddings: Float32Array | readonly Float32Array[]): void {
    if (typeof personId !== 'string' || personId.length === 0)
      throw new TypeError('personId must be a non-empty string');
    const list = embeddings instanceof Float32Array ? [embeddings] : embeddings;
    // Validate everything before changing anything: a bad template must not half-enrol a person.
    const scratch = new Float32Array(this.dims * list.length);
    list.forEach((e, i) => this.prepare(e, scratch, i * this.dims));
    let index = this.personIndex.get(personId);
    if (index === undefined) {
      index = this.personIds.length;
      this.personIds.push(personId);
      this.personIndex.set(personId, index);
    }
    this.ensureCapacity(this.count + list.length);
    for (let i = 0; i < list.length; i++) {
      this.store.setRow(this.count, scratch.subarray(i * this.dims, (i + 1) * this.dims));
      this.owners[this.count] = index;
      this.count++;
    }
  }

  /** Removes a person and all their templates; returns how many templates went. */
  remove(personId: string): number {
    const index = this.personIndex.get(personId);
    if (index === undefined) return 0;
    const lastPerson = this.personIds.length - 1;
    let removed = 0;
    let write = 0;
    for (let read = 0; read < this.count; read++) {
      let owner = this.owners[read]!;
      if (owner === index) {
        removed++;
        continue;
      }
      // The last person takes the freed index so person indices stay dense.
      if (owner === lastPerson) owner = index;
      if (write !== read) this.store.copyRow(read, write);
      this.owners[write] = owner;
      write++;
    }
    this.count = write;
    const moved = this.personIds[lastPerson]!;
    this.personIds[index] = moved;
    this.personIds.pop();
    this.personIndex.delete(personId);
    if (moved !== personId) this.personIndex.set(moved, index);
    return removed;
  }

  clear(): void {
    this.count = 0;
    this.personIds.length = 0;
    this.personIndex.clear();
  }

  /** Best score per person for this probe (every enrolled person, unordered). */
  private scoreAll(embedding: Float32Array): Float32Array {
    const probe = new Float32Array(this.dims);
    this.prepare(embedding, probe, 0);
    const persons = this.personIds.length;
    if (this.best.length < persons) this.best = new Float32Array(Math.max(persons, this.best.length * 2));
    const best = this.best;
    best.fill(-Infinity, 0, persons);
    const scores = this.store.dots(probe, this.count);
    const owners = this.owners;
    for (let r = 0; r < this.count; r++) {
      const p = owners[r]!;
      const s = scores[r]!;
      if (s > best[p]!) best[p] = s;
    }
    return best;
  }

  /**
   * Best-template score of every person but `exclude` for the embedding, unordered (a copy):
   * the impostor scores the decision rule fits its gallery model on.
   */
  impostorScores(embedding: Float32Array, exclude: string): Float32Array {
    const best = this.scoreAll(embedding);
    const skip = this.personIndex.get(exclude) ?? -1;
    const out = new Float32Array(Math.max(0, this.personIds.length - (skip >= 0 ? 1 : 0)));
    let o = 0;
    for (let p = 0; p < this.personIds.length; p++) if (p !== skip) out[o++] = best[p]!;
    return out;
  }

  /**
   * The `k` best persons for this probe, highest first (a partial selection: no sort of the
   * whole gallery). The decision rule looks past the first two for the class in session.
   */
  top(embedding: Float32Array, k: number): PersonScore[] {
    const best = this.scoreAll(embedding);
    const n = this.personIds.length;
    const size = Math.max(0, Math.min(k, n));
    const idx: number[] = [];
    for (let p = 0; p < n; p++) {
      const s = best[p]!;
      if (idx.length === size && (size === 0 || s <= best[idx[size - 1]!]!)) continue;
      let i = idx.length === size ? size - 1 : idx.length;
      while (i > 0 && best[idx[i - 1]!]! < s) {
        if (i < size) idx[i] = idx[i - 1]!;
        i--;
      }
      idx[i] = p;
    }
    return idx.map((p) => ({ personId: this.personIds[p]!, score: best[p]! }));
  }

  /** Every person's best-template score, highest first (for evaluation and diagnostics). */
  scores(embedding: Float32Array): PersonScore[] {
    const best = this.scoreAll(embedding);
    return this.personIds
      .map((personId, i) => ({ personId, score: best[i]! }))
      .sort((a, b) => b.score - a.score);
  }

  /**
   * Best and second-best PERSON for this probe, without an accept decision: the door's decision
   * rule (decision-rule.ts) decides with the gallery's size and the class in session.
   */
  rank(embedding: Float32Array): Omit<MatchResult, 'accepted'> {
    const best = this.scoreAll(embedding);
    let first = -1;
    let second = -1;
    for (let p = 0; p < this.personIds.length; p++) {
      const s = best[p]!;
      if (first < 0 || s > best[first]!) {
        second = first;
        first = p;
      } else if (second < 0 || s > best[second]!) {
        second = p;
      }
    }
    if (first < 0) {
      return { personId: null, score: 0, secondPersonId: null, secondScore: 0, margin: 0 };
    }
    const score = best[first]!;
    // With a single enrolled person there is no rival: the margin is measured against 0 (an
    // unrelated face), so the threshold alone decides.
    const secondScore = second >= 0 ? best[second]! : 0;
    return {
      personId: this.personIds[first]!,
      score,
      secondPersonId: second >= 0 ? this.personIds[second]! : null,
      secondScore,
      margin: score - Math.max(secondScore, 0),
    };
  }

  /** rank() accepted at this matcher's threshold and margin (or the given ones). */
  match(embedding: Float32Array, point?: { threshold: number; minMargin: number }): MatchResult {
    const r = this.rank(embedding);
    const threshold = point?.threshold ?? this.threshold;
    const minMargin = point?.minMargin ?? this.minMargin;
    return { ...r, accepted: r.personId !== null && r.score >= threshold && r.margin >= minMargin };
  }
}
