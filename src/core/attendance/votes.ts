// "The same person wins on N of the last M analysed frames": a sliding window holding, per
// frame, the set of people accepted in it (several may stand at the door). A frame with
// nobody accepted pushes an empty set, so an empty doorway drains the votes.

export class VoteWindow {
  private readonly frames: Set<string>[] = [];
  private readonly times: number[] = [];
  /** Since the doorway was last empty: frames with faces, and wins per person. */
  private visitFrames = 0;
  private readonly visitWins = new Map<string, number>();

  /**
   * @param maxAgeMs votes older than this expire even if the window is not full: when
   * recognition runs at 2 fps, "the last 4 frames" would otherwise reach 2 s into the past,
   * into the previous person's visit.
   */
  constructor(private readonly size: () => number, private readonly maxAgeMs = Infinity) {}

  push(winners: Iterable<string>, at = 0): void {
    const set = new Set(winners);
    this.frames.push(set);
    this.times.push(at);
    this.visitFrames++;
    for (const id of set) this.visitWins.set(id, (this.visitWins.get(id) ?? 0) + 1);
    while (this.frames.length > Math.max(1, this.size()) || (this.times.length > 1 && at - (this.times[0] ?? at) > this.maxAgeMs)) {
      this.frames.shift();
      this.times.shift();
    }
  }

  /** An empty doorway ends every visit: nobody keeps votes across it. */
  reset(): void {
    this.frames.length = 0;
    this.times.length = 0;
    this.visitFrames = 0;
    this.visitWins.clear();
  }

  votesFor(id: string): number {
    return this.frames.reduce((n, f) => (f.has(id) ? n + 1 : n), 0);
  }

  /**
   * Everybody with at least `needed` votes who also won a strict majority of the frames in
   * the window AND of the frames of the current visit (since the doorway was last empty),
   * most votes first. The majorities matter with a loose threshold: a stranger whose images
   * are now and then misread as one student is not marked, while the student themself,
   * accepted on most frames, is.
   */
  winners(needed: number): { id: string; votes: number }[] {
    const counts = new Map<string, number>();
    for (const f of this.frames) for (const id of f) counts.set(id, (counts.get(id) ?? 0) + 1);
    const majority = Math.floor(this.frames.length / 2) + 1;
    const visitMajority = Math.floor(this.visitFrames / 2) + 1;
    return [...counts]
      .filter(([id, v]) => v >= needed && v >= majority && (this.visitWins.get(id) ?? 0) >= visitMajority)
      .map(([id, votes]) => ({ id, votes }))
      .sort((a, b) => b.votes - a.votes);
  }

  /** Forget one person's votes once a decision about them is taken. */
  clear(id: string): void {
    // Frames that only held this person's votes are spent too; left in place they would count against the next decision.
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i];
      if (f?.delete(id) && f.size === 0) {
        this.frames.splice(i, 1);
        this.times.splice(i, 1);
      }
    }
    this.visitFrames = Math.max(0, this.visitFrames - (this.visitWins.get(id) ?? 0));
    this.visitWins.delete(id);
  }

  get length(): number {
    return this.frames.length;
  }
}
