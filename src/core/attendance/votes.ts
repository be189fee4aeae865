// "The same person wins on N of the last M analysed frames": a sliding window holding, per
// frame, the set of people accepted in it (several may stand at the door). A frame with
// nobody accepted pushes an empty set, so an empty doorway drains the votes.

export class VoteWindow {
  private readonly frames: Set<string>[] = [];
  private readonly times: number[] = [];

  /**
   * @param maxAgeMs votes older than this expire even if the window is not full: when
   * recognition runs at 2 fps, "the last 4 frames" would otherwise reach 2 s into the past,
   * into the previous person's visit.
   */
  constructor(private readonly size: () => number, private readonly maxAgeMs = Infinity) {}

  push(winners: Iterable<string>, at = 0): void {
    this.frames.push(new Set(winners));
    this.times.push(at);
    while (this.frames.length > Math.max(1, this.size()) || (this.times.length > 1 && at - (this.times[0] ?? at) > this.maxAgeMs)) {
      this.frames.shift();
      this.times.shift();
    }
  }

  /** An empty doorway ends every visit: nobody keeps votes across it. */
  reset(): void {
    this.frames.length = 0;
    this.times.length = 0;
  }

  votesFor(id: string): number {
    return this.frames.reduce((n, f) => (f.has(id) ? n + 1 : n), 0);
  }

  /** Everybody with at least `needed` votes in the window, most votes first. */
  winners(needed: number): { id: string; votes: number }[] {
    const counts = new Map<string, number>();
    for (const f of this.frames) for (const id of f) counts.set(id, (counts.get(id) ?? 0) + 1);
    return [...counts].filter(([, v]) => v >= needed).map(([id, votes]) => ({ id, votes })).sort((a, b) => b.votes - a.votes);
  }

  /** Forget one person's votes once a decision about them is taken. */
  clear(id: string): void {
    for (const f of this.frames) f.delete(id);
  }

  get length(): number {
    return this.frames.length;
  }
}
