import { describe, expect, it } from 'vitest';
import { chooseLivenessThreshold, highestThresholdWithin, LEVEL_BUDGETS } from './choose.js';
import type { LivenessCalibration } from './calibration.js';
import { frameLivenessScore, imageIsLive, LivenessVisit } from './decision.js';
import { fasnetCropBox, softmax } from './fasnet.js';
import { allFeatures, logit } from './features.js';
import { fitLogistic, predictLogit } from './logistic.js';
import { eyeOpenness, keypointsOf, meshBox } from './mesh-cues.js';
import { errorRates, parseManifest, ratesAtFixedError, type PresentationOutcome } from './spoof-protocol.js';
import { textureCues } from './texture.js';
import type { PresentationSignals } from '../types.js';

const signals = (fasnet: number): PresentationSignals => ({
  fasnet,
  fasnetProbs: [fasnet, 1 - fasnet, 0],
  eyeOpenness: 0.3,
  keypoints: [],
  fineDetail: 0.7,
  saturation: 0.2,
  glare: 0,
});
const face = (fasnet: number) => ({ antispoof: 0.8, liveness: 0.9, presentation: signals(fasnet) });
// A calibration whose score is logit(fasnet): threshold 0 = fasnet 0.5.
const cal: LivenessCalibration = {
  id: 'test',
  features: ['fasnet'],
  model: { mean: [0], std: [1], weights: [1], bias: 0 },
  thresholds: { standard: -1, strict: 1 },
  minFrames: 2,
};

describe('liveness decision', () => {
  it('scores a face from its signals, and refuses to score a face without them', () => {
    expect(frameLivenessScore(face(0.5), cal)).toBeCloseTo(0, 6);
    expect(frameLivenessScore(face(0.9), cal)).toBeCloseTo(Math.log(9), 6);
    expect(frameLivenessScore({ antispoof: 1, liveness: 1 }, cal)).toBeNull();
    expect(imageIsLive({ antispoof: 1, liveness: 1 }, 'standard', cal)).toBe(false);
    // Saturated or broken model outputs stay finite.
    expect(Number.isFinite(frameLivenessScore(face(1), cal)!)).toBe(true);
    expect(Number.isFinite(frameLivenessScore(face(Number.NaN), cal)!)).toBe(true);
  });

  it('a strict level rejects what standard accepts', () => {
    expect(imageIsLive(face(0.5), 'standard', cal)).toBe(true);
    expect(imageIsLive(face(0.5), 'strict', cal)).toBe(false);
  });

  it('a visit is pending until enough frames, then decided on the mean; bad frames add nothing', () => {
    const v = new LivenessVisit(cal);
    v.add(face(0.9), 0);
    expect(v.decide('standard').verdict).toBe('pending');
    v.add(null, 100);
    v.add({ antispoof: 0.9, liveness: 0.9 }, 150); // no signals: ignored
    expect(v.decide('standard')).toMatchObject({ verdict: 'pending', frames: 1 });
    v.add(face(0.9), 200);
    const d = v.decide('standard');
    expect(d).toMatchObject({ verdict: 'live', frames: 2, level: 'standard', threshold: -1 });
    expect(d.signals?.fasnet).toBeCloseTo(0.9);
  });

  it('one lucky frame does not carry a visit of attack frames, and old frames expire', () => {
    const v = new LivenessVisit(cal, 1000);
    v.add(face(0.999), 0);
    for (let t = 100; t <= 500; t += 100) v.add(face(0.01), t);
    expect(v.decide('standard').verdict).toBe('rejected');
    v.reset();
    expect(v.decide('standard')).toMatchObject({ verdict: 'pending', frames: 0 });
    v.add(face(0.01), 0);
    v.add(face(0.9), 2000);
    v.add(face(0.9), 2100); // the 0.01 frame is older than 1 s: dropped
    expect(v.decide('standard')).toMatchObject({ verdict: 'live', frames: 2 });
  });
});

describe('operating-point rule', () => {
  it('takes the highest threshold that keeps the live share below it within budget', () => {
    const live = [-3, -1, 0, 1, 2, 3, 4, 5, 6, 7];
    expect(highestThresholdWithin(live, 0)).toBe(-3);
    expect(highestThresholdWithin(live, 0.1)).toBe(-2); // rejects exactly one of ten
    expect(highestThresholdWithin(live, 0.25)).toBe(-0.5);
    expect(highestThresholdWithin([], 0.1)).toBe(Infinity);
  });

  it('the face sets can only lower it', () => {
    const dev = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(chooseLivenessThreshold(dev, [], LEVEL_BUDGETS.standard)).toBe(0);
    expect(chooseLivenessThreshold(dev, [[-5, 10, 10]], LEVEL_BUDGETS.strict)).toBe(-5);
    expect(LEVEL_BUDGETS.strict.maxFaceSetBpcer).toBeGreaterThan(LEVEL_BUDGETS.standard.maxFaceSetBpcer);
  });
});

describe('spoof protocol', () => {
  const o = (
    label: 'live' | 'spoof',
    accepted: boolean,
    score: number | null,
    attackType: PresentationOutcome['attackType'] = label === 'live' ? 'none' : 'print',
  ): PresentationOutcome => ({
    label,
    attackType,
    accepted,
    noFace: score === null,
    score,
  });

  it('counts APCER, BPCER, by type and no-face presentations; empty groups are null', () => {
    const r = errorRates([
      o('live', true, 1),
      o('live', false, null),
      o('spoof', true, 2),
      o('spoof', false, -1, 'screen'),
    ]);
    expect(r).toEqual({
      live: 2,
      spoof: 2,
      apcer: 0.5,
      bpcer: 0.5,
      apcer_by_type: { print: 1, screen: 0, mask: null },
      no_face: 1,
    });
    expect(errorRates([]).apcer).toBeNull();
  });

  it('reads the rates at a fixed error from the scores', () => {
    const outs = [
      ...[1, 2, 3, 4].map((s) => o('live', true, s)),
      ...[-2, -1, 0, 2.5].map((s) => o('spoof', false, s)),
    ];
    // To keep APCER at 0 the threshold must exceed 2.5: live 1 and 2 fall below.
    expect(ratesAtFixedError(outs, 0, 0)).toEqual({ bpcerAtApcer: 0.5, apcerAtBpcer: 0.25 });
    expect(ratesAtFixedError([o('live', true, 1)])).toEqual({ bpcerAtApcer: null, apcerAtBpcer: null });
  });

  it('parses the manifest and names a bad line', () => {
    const rows = parseManifest(
      'file\tlabel\tattack_type\tsource_repo\nlive/01.jpg\tlive\tnone\ta/b\nseq/x\tspoof\tscreen\tc/d\n',
    );
    expect(rows).toEqual([
      { file: 'live/01.jpg', label: 'live', attack_type: 'none', source_repo: 'a/b' },
      { file: 'seq/x', label: 'spoof', attack_type: 'screen', source_repo: 'c/d' },
    ]);
    expect(() => parseManifest('file\tlabel\tattack_type\nx.jpg\tfake\tnone\n')).toThrow(/line 2/);
    expect(() => parseManifest('file\tlabel\tattack_type\n../x.jpg\tlive\tnone\n')).toThrow(/line 2/);
    expect(() => parseManifest('file\tlabel\nx.jpg\tlive\n')).toThrow(/attack_type/);
    expect(() => parseManifest('')).toThrow(/empty/);
  });
});

describe('signals', () => {
  it('crops like the package: box × 2.7 around the centre, shifted inside the frame', () => {
    expect(fasnetCropBox([300, 200, 40, 40], 640, 480)).toEqual([266, 166, 108, 108]);
    const [x, y, w, h] = fasnetCropBox([0, 0, 100, 100], 640, 480);
    expect([x, y]).toEqual([0, 0]);
    expect(w).toBe(270);
    expect(h).toBe(270);
    // A face filling the frame: scale limited by the frame, never outside it.
    const big = fasnetCropBox([10, 10, 400, 400], 640, 480);
    expect(big[0] + big[2]).toBeLessThanOrEqual(639);
    expect(big[1] + big[3]).toBeLessThanOrEqual(479);
    expect(fasnetCropBox([0, 0, 0, 0], 640, 480)).toEqual([0, 0, 640, 480]);
  });

  it('softmax and logit', () => {
    const p = softmax([0, Math.log(3)]);
    expect(p[1]).toBeCloseTo(0.75);
    expect(logit(0.5)).toBe(0);
    expect(logit(2)).toBeCloseTo(Math.log(9999), 3);
  });

  it('eye openness, keypoints and the mesh box', () => {
    const mesh = Array.from({ length: 468 }, () => [0, 0, 0]);
    // Right eye: corners 10 px apart, lids 3 px apart → 0.3.
    mesh[33] = [0, 0, 0];
    mesh[133] = [10, 0, 0];
    mesh[160] = [3, -1.5, 0];
    mesh[144] = [3, 1.5, 0];
    mesh[158] = [7, -1.5, 0];
    mesh[153] = [7, 1.5, 0];
    mesh[263] = [30, 0, 0];
    mesh[362] = [20, 0, 0];
    mesh[387] = [27, -1, 0];
    mesh[373] = [27, 1, 0];
    mesh[385] = [23, -1, 0];
    mesh[380] = [23, 1, 0];
    expect(eyeOpenness(mesh)).toBeCloseTo((0.3 + 0.2) / 2);
    expect(eyeOpenness(mesh.slice(0, 10))).toBe(0);
    expect(keypointsOf(mesh)).toHaveLength(36);
    expect(keypointsOf([])).toEqual([]);
    expect(meshBox(mesh)).toEqual([0, -1.5, 30, 3]);
  });

  it('texture cues: a flat grey crop has no detail and no glare; a white one is all glare', () => {
    const n = 16;
    const grey = new Float32Array(3 * n * n).fill(128);
    expect(textureCues(grey, n)).toEqual({ fineDetail: 0, saturation: 0, glare: 0 });
    expect(textureCues(new Float32Array(3 * n * n).fill(255), n).glare).toBe(1);
    const features = allFeatures(face(0.9));
    expect(features).toHaveLength(6);
  });

  it('logistic regression separates a separable set and is stable', () => {
    const x = [[-2], [-1.5], [-1], [1], [1.5], [2]];
    const y = [0, 0, 0, 1, 1, 1];
    const m = fitLogistic(x, y, [], 0.1);
    expect(predictLogit(m, [2])).toBeGreaterThan(0);
    expect(predictLogit(m, [-2])).toBeLessThan(0);
    expect(m.weights[0]).toBeGreaterThan(0);
  });
});
