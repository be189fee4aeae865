// Face tracks: evidence belongs to a face followed across frames, not to a frame.
//
// With several people in view, pooling every face of a frame into one vote window lets a
// stranger's unrecognised frames hide behind whoever else is recognised in the same frames
// (and lets one person's votes complete another's). Each face of a frame is instead assigned to
// a track — the same face seen before, by box overlap (IoU) AND embedding similarity, or by a
// strong embedding similarity alone (a quick step across the frame) — and each track keeps its
// own votes (VoteWindow), its own evidence and its own decision. A track that is not seen for
// `maxGapMs` has left: its visit ends with it.
//
// A frame with no face at all (an empty doorway, or a face the detector missed for one frame)
// ends every visit (the engine resets the votes) but not the tracks: for `maxGapMs` they wait
// (`Track.afterEmptyDoorway`). A face that comes back in the same place and is clearly the same
// face (similarity at `minSimilarityAlone`, not the looser `minSimilarityWithOverlap`: someone
// else may step into the empty place) continues its track, so the greeting on screen, which
// follows the track, stays for the face it names (docs/ui.md "How long a greeting stays").
//
// Assignment is greedy on (IoU + similarity), best pair first: at a door there are at most a
// handful of faces, so an optimal assignment buys nothing over greedy.
import { VoteWindow } from './votes.js';

export interface TrackOptions {
  /** Minimum box overlap to continue a track by position. */
  minIou: number;
  /** Minimum embedding similarity to continue a track by position (a different person in the same place scores below). */
  minSimilarityWithOverlap: number;
  /** Similarity that continues a track even without overlap (the same person, moved). */
  minSimilarityAlone: number;
  /** A track not seen for this long has left the door. */
  maxGapMs: number;
  /** VoteWindow parameters per track. */
  voteWindow: () => number;
  voteMaxAgeMs: number;
  visitMs: number;
}

export const TRACK_DEFAULTS: Omit<TrackOptions, 'voteWindow' | 'voteMaxAgeMs' | 'visitMs'> = {
  minIou: 0.3,
  // faceplugin: different people score ~0.0-0.3 (their 1:1 FAR 1e-3 point is 0.35), the same
  // person in consecutive frames well above 0.5 (docs/recognition.md).
  minSimilarityWithOverlap: 0.2,
  minSimilarityAlone: 0.55,
  maxGapMs: 1_200,
};

/** [x, y, w, h] in any consistent unit. */
export type Box = readonly [number, number, number, number];

export class Track {
  readonly votes: VoteWindow;
  /** Per-person best match evidence seen on this track (for the decision's scores). */
  readonly evidence = new Map<string, unknown>();
  /**
   * The doorway was empty since this face was last seen (a missed frame, or they left): it only
   * continues with a face that is clearly the same (FaceTracker.update).
   */
  afterEmptyDoorway = false;
  /** Last time this track's unknown face was greeted as such. */
  lastUnknownGreetAt = -Infinity;
  /** Free slot for per-visit state hosted on the track (e.g. liveness accumulation). */
  readonly extras = new Map<string, unknown>();
  box: Box;
  embedding: Float32Array | null;
  lastSeenAt: number;
  readonly firstSeenAt: number;
  frames = 0;

  constructor(
    readonly id: number,
    box: Box,
    embedding: Float32Array | null,
    at: number,
    options: TrackOptions,
  ) {
    this.box = box;
    this.embedding = embedding;
    this.firstSeenAt = at;
    this.lastSeenAt = at;
    this.votes = new VoteWindow(options.voteWindow, options.voteMaxAgeMs, options.visitMs);
  }
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Cosine of two embeddings (any length; 0 when either is missing, zero or of another size). */
export function similarity(a: Float32Array | null, b: Float32Array | null): number {
  if (!a || !b || a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface TrackedFace {
  box: Box;
  embedding: Float32Array | null;
}

export class FaceTracker {
  private readonly live: Track[] = [];
  private nextId = 1;
  readonly options: TrackOptions;

  constructor(
    options: Partial<TrackOptions> & Pick<TrackOptions, 'voteWindow' | 'voteMaxAgeMs' | 'visitMs'>,
  ) {
    this.options = { ...TRACK_DEFAULTS, ...options };
  }

  get tracks(): readonly Track[] {
    return this.live;
  }

  /**
   * Assigns each face of a frame to a track (same order as `faces`); faces that continue no
   * track start one. Tracks unseen for longer than maxGapMs are ended first and returned.
   */
  update(faces: readonly TrackedFace[], at: number): { assigned: Track[]; ended: Track[] } {
    const ended = this.expire(at);
    const o = this.options;
    const pairs: { f: number; t: number; score: number }[] = [];
    faces.forEach((face, f) => {
      this.live.forEach((track, t) => {
        const overlap = iou(face.box, track.box);
        const sim = similarity(face.embedding, track.embedding);
        // Without both embeddings the overlap alone has to do.
        const bothEmbeddings = face.embedding !== null && track.embedding !== null;
        const minSimilarity = track.afterEmptyDoorway ? o.minSimilarityAlone : o.minSimilarityWithOverlap;
        const byPlace = overlap >= o.minIou && (!bothEmbeddings || sim >= minSimilarity);
        const byFace = bothEmbeddings && sim >= o.minSimilarityAlone;
        if (byPlace || byFace) pairs.push({ f, t, score: overlap + sim });
      });
    });
    pairs.sort((a, b) => b.score - a.score);
    const assigned: (Track | undefined)[] = new Array(faces.length);
    const takenTracks = new Set<number>();
    for (const p of pairs) {
      if (assigned[p.f] || takenTracks.has(p.t)) continue;
      assigned[p.f] = this.live[p.t];
      takenTracks.add(p.t);
    }
    const result = faces.map((face, f) => {
      let track = assigned[f];
      if (!track) {
        track = new Track(this.nextId++, face.box, face.embedding, at, o);
        this.live.push(track);
      }
      track.box = face.box;
      track.afterEmptyDoorway = false;
      if (face.embedding) track.embedding = face.embedding;
      track.lastSeenAt = at;
      track.frames++;
      return track;
    });
    return { assigned: result, ended };
  }

  /** Ends the tracks not seen since `at − maxGapMs`. */
  expire(at: number): Track[] {
    const ended: Track[] = [];
    for (let i = this.live.length - 1; i >= 0; i--) {
      const t = this.live[i]!;
      if (at - t.lastSeenAt > this.options.maxGapMs) {
        ended.push(t);
        this.live.splice(i, 1);
      }
    }
    return ended;
  }

  /**
   * A frame without faces: tracks unseen for longer than maxGapMs end (returned as `ended`); the
   * others wait for a face that is clearly theirs (`waiting`). The caller ends the visits of both.
   */
  emptyDoorway(at: number): { ended: Track[]; waiting: Track[] } {
    const ended = this.expire(at);
    for (const t of this.live) t.afterEmptyDoorway = true;
    return { ended, waiting: [...this.live] };
  }

  /** Everyone is forgotten (the people were wiped): every track ends. */
  endAll(): Track[] {
    return this.live.splice(0, this.live.length);
  }
}
