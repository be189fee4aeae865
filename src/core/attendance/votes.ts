// "The same person wins on N of the last M analysed frames", made robust for a loose
// threshold and a slow recogniser:
// - the window holds, per analysed frame with faces, the people accepted in it (several may
//   stand at the door) and whether an unrecognised face was all it saw; votes older than
//   `maxAgeMs` expire, because at 1-2 analysed fps "the last 4 frames" would otherwise reach
//   into the previous person's visit;
// - a winner must also outnumber the unrecognised-only frames, in the window AND over the
//   visit (the frames of the last `visitMs`): a stranger whose images are now and then
//   misread as one student is not marked, while the student themself, accepted on most
//   frames, is. Frames won by another student do not count against anyone (that was the
//   previous person), and frames where every face failed a gate are neutral;
// - an empty doorway (a frame with no face) ends the visit: nobody keeps votes across it.

interface Frame {
  at: number;
  ids: Set<string>;
  /** A face was seen and nobody was recognised in this frame. */
  unknownOnly: boolean;
}

export class VoteWindow {
  private readonly window: Frame[] = [];
  private readonly visit: Frame[] = [];

  constructor(
    private readonly size: () => number,
    private readonly maxAgeMs = Infinity,
    private readonly visitMs = Infinity,
  ) {}

  push(winners: Iterable<string>, at = 0, unknownSeen = false): void {
    const ids = new Set(winners);
    const unknownOnly = unknownSeen && ids.size === 0;
    this.window.push({ at, ids, unknownOnly });
    this.visit.push({ at, ids: new Set(ids), unknownOnly });
    while (
      this.window.length > Math.max(1, this.size()) ||
      (this.window.length > 1 && at - (this.window[0]?.at ?? at) > this.maxAgeMs)
    ) {
      this.window.shift();
    }
    while (this.visit.length > 1 && at - (this.visit[0]?.at ?? at) > this.visitMs) this.visit.shift();
  }

  reset(): void {
    this.window.length = 0;
    this.visit.length = 0;
  }

  votesFor(id: string): number {
    return count(this.window, (f) => f.ids.has(id));
  }

  /** Everybody with at least `needed` votes who outnumbers the unrecognised frames, most votes first. */
  winners(needed: number): { id: string; votes: number }[] {
    const votes = new Map<string, number>();
    for (const f of this.window) for (const id of f.ids) votes.set(id, (votes.get(id) ?? 0) + 1);
    const unknownWindow = count(this.window, (f) => f.unknownOnly);
    const unknownVisit = count(this.visit, (f) => f.unknownOnly);
    return [...votes]
      .filter(
        ([id, v]) =>
          v >= needed && v > unknownWindow && count(this.visit, (f) => f.ids.has(id)) > unknownVisit,
      )
      .map(([id, n]) => ({ id, votes: n }))
      .sort((a, b) => b.votes - a.votes);
  }

  /** Unrecognised-only frames in the window (an unknown face that stays is greeted as such). */
  unknownFrames(): number {
    return count(this.window, (f) => f.unknownOnly);
  }

  /**
   * Forget one person's votes once a decision about them is taken. Frames that held only
   * their votes are spent too.
   */
  clear(id: string): void {
    for (const frames of [this.window, this.visit]) {
      for (let i = frames.length - 1; i >= 0; i--) {
        const f = frames[i];
        if (f?.ids.delete(id) && f.ids.size === 0) frames.splice(i, 1);
      }
    }
  }

  get length(): number {
    return this.window.length;
  }
}

const count = (frames: readonly Frame[], pred: (f: Frame) => boolean) =>
  frames.reduce((n, f) => (pred(f) ? n + 1 : n), 0);
