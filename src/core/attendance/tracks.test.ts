import { describe, expect, it } from 'vitest';
import { FaceTracker, iou, similarity, type Box } from './tracks.js';

const unit = (i: number, dims = 8): Float32Array => {
  const v = new Float32Array(dims);
  v[i] = 1;
  return v;
};
const tracker = () => new FaceTracker({ voteWindow: () => 4, voteMaxAgeMs: 2_500, visitMs: 4_000 });
const left: Box = [0.1, 0.2, 0.2, 0.3];
const right: Box = [0.6, 0.2, 0.2, 0.3];

describe('face tracks', () => {
  it('two faces in view keep their own tracks frame after frame, whatever order they come in', () => {
    const t = tracker();
    const a = t.update(
      [
        { box: left, embedding: unit(0) },
        { box: right, embedding: unit(1) },
      ],
      0,
    ).assigned;
    const b = t.update(
      [
        { box: right, embedding: unit(1) },
        { box: left, embedding: unit(0) },
      ],
      100,
    ).assigned;
    expect(a[0]).not.toBe(a[1]);
    expect(b[0]).toBe(a[1]);
    expect(b[1]).toBe(a[0]);
    expect(t.tracks).toHaveLength(2);
  });

  it('follows a face that moves a little, and one that moves far if it is clearly the same face', () => {
    const t = tracker();
    const [first] = t.update([{ box: left, embedding: unit(0) }], 0).assigned;
    const [moved] = t.update([{ box: [0.13, 0.22, 0.2, 0.3], embedding: unit(0) }], 100).assigned;
    const [jumped] = t.update([{ box: right, embedding: unit(0) }], 200).assigned;
    expect(moved).toBe(first);
    expect(jumped).toBe(first);
  });

  it('a different person stepping into the same place starts a new track', () => {
    const t = tracker();
    const [first] = t.update([{ box: left, embedding: unit(0) }], 0).assigned;
    const [other] = t.update([{ box: left, embedding: unit(1) }], 100).assigned;
    expect(other).not.toBe(first);
  });

  it('a track that is not seen for a while ends (its visit is over)', () => {
    const t = tracker();
    const [first] = t.update([{ box: left, embedding: unit(0) }], 0).assigned;
    first!.votes.push(['ada'], 0);
    const { assigned, ended } = t.update([{ box: left, embedding: unit(0) }], 5_000);
    expect(ended).toEqual([first]);
    expect(assigned[0]).not.toBe(first);
    expect(assigned[0]!.votes.votesFor('ada')).toBe(0);
  });

  it('an empty frame ends no track within the gap; after it only a face clearly the same continues one', () => {
    // A face whose embedding scores `sim` against unit(i): someone else, somewhat alike.
    const alike = (i: number, sim: number) => {
      const v = unit((i + 1) % 8);
      v[i] = sim;
      v[(i + 1) % 8] = Math.sqrt(1 - sim ** 2);
      return v;
    };
    const t = tracker();
    const [ada] = t.update([{ box: left, embedding: unit(0) }], 0).assigned;
    expect(t.emptyDoorway(300)).toEqual({ ended: [], waiting: [ada] });
    // Right after an empty frame, someone in her place who is only somewhat like her is not her...
    expect(t.update([{ box: left, embedding: alike(0, 0.4) }], 600).assigned[0]).not.toBe(ada);
    // ...while her own face, a little moved, is.
    const t2 = tracker();
    const [bob] = t2.update([{ box: left, embedding: unit(1) }], 0).assigned;
    t2.emptyDoorway(300);
    expect(t2.update([{ box: [0.12, 0.2, 0.2, 0.3], embedding: unit(1) }], 600).assigned[0]).toBe(bob);
    // Seen again, the track is back to the usual rule (overlap and a looser similarity).
    expect(t2.update([{ box: left, embedding: alike(1, 0.4) }], 700).assigned[0]).toBe(bob);
    expect(t2.emptyDoorway(2_000).ended).toEqual([bob]);
  });

  it('endAll empties the door', () => {
    const t = tracker();
    t.update(
      [
        { box: left, embedding: unit(0) },
        { box: right, embedding: unit(1) },
      ],
      0,
    );
    expect(t.endAll()).toHaveLength(2);
    expect(t.tracks).toHaveLength(0);
  });

  it('iou and similarity', () => {
    expect(iou(left, left)).toBeCloseTo(1);
    expect(iou(left, right)).toBe(0);
    expect(iou([0, 0, 2, 1], [1, 0, 2, 1])).toBeCloseTo(1 / 3);
    expect(similarity(unit(0), unit(0))).toBeCloseTo(1);
    expect(similarity(unit(0), unit(1))).toBe(0);
    expect(similarity(unit(0), null)).toBe(0);
    expect(similarity(unit(0, 4), unit(0, 8))).toBe(0);
  });
});
