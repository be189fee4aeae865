import { describe, expect, it } from 'vitest';
import { apcerByType, clipAccepted, tallyClips } from './liveness-study-rules.js';

describe('the liveness studies judge alike', () => {
  it('a clip needs the mean of at least two scored frames to reach the threshold', () => {
    expect(clipAccepted([5], 0)).toBe(false); // one lucky frame is not a visit
    expect(clipAccepted([null, 1, null, -0.5], 0)).toBe(true); // faceless frames add nothing
    expect(clipAccepted([-3, 1, 1], 0)).toBe(false); // mean -1/3
    expect(clipAccepted([-3, 1, 1, 2], 0)).toBe(true); // mean 1/4
  });

  it('stops scoring at the accepting frame', () => {
    const seen: number[] = [];
    function* frames() {
      for (const s of [1, 1, 1, 1]) {
        seen.push(s);
        yield s;
      }
    }
    expect(clipAccepted(frames(), 0)).toBe(true);
    expect(seen).toHaveLength(2);
  });

  it('tallies clips and names the ones the door got wrong, in order', () => {
    const clips = [
      { label: 'live', file: 'a', s: [1, 1] },
      { label: 'screen', file: 'b', s: [1, 1] },
      { label: 'live', file: 'c', s: [-1, -1] },
      { label: 'print', file: 'd', s: [-1, -1] },
    ];
    expect(tallyClips(clips, (c) => c.s, 0)).toEqual({
      liveClips: 2,
      liveRejected: 1,
      attackClips: 2,
      attackAccepted: 1,
      wrong: [
        { file: 'b', live: false },
        { file: 'c', live: true },
      ],
    });
  });

  it('APCER by attack type at a threshold', () => {
    const spoof = [
      { type: 'print', file: 'p1' },
      { type: 'print', file: 'p2' },
      { type: 'screen', file: 's1' },
      { type: 'mask', file: 'm1' },
    ];
    const score: Record<string, number> = { p1: 0.9, p2: 0.1, s1: 0.6, m1: 0.2 };
    expect(apcerByType(spoof, (f) => score[f]!, 0.5)).toEqual({ print: 0.5, screen: 1, mask: 0 });
  });
});
