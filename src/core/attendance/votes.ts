// "The same person wins on N of the last M analysed frames": a sliding window holding, per
// frame, the set of people accepted in it (several may stand at the door). A frame with
// nobody accepted pushes an empty set, so an empty doorway drains the votes.

export class VoteWindow {
  private readonly frames: Set<string>[] = [];

  constructor(private readonly size: () => number) {}

  push(winners: Iterable<string>): void {
    this.frames.push(new Set(winners));
    while (this.frames.length > Math.max(1, this.size())) this.frames.shift();
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
