// The liveness decision end to end on real frames: the shipped engine (FASNet and the mesh run
// in-process) and the door's per-visit rule, on 4 frames of a live clip and of a phone-replay
// attack clip from the development set (test/fixtures/liveness/README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFaceEngine } from '../local-engine.js';
import type { FrameAnalysis } from '../types.js';
import { decideClip, type ClipFrame } from './clip.js';
import { frameLivenessScore, livenessThreshold } from './decision.js';
import { logit } from './features.js';

const root = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures');
const clip = (name: string) =>
  ['001', '002', '003', '004'].map((f) => join(root, 'liveness', name, `${f}.jpg`));

let engine: LocalFaceEngine;
beforeAll(async () => {
  engine = await LocalFaceEngine.create({ inProcess: true }, pino({ level: 'warn' }, pino.destination(2)));
}, 120_000);
afterAll(async () => {
  await engine?.dispose();
});

/** Reads and analyses each file; a file that is missing or not an image gives a null frame. */
async function frames(files: (string | Buffer)[]): Promise<ClipFrame[]> {
  const out: ClipFrame[] = [];
  for (const [i, f] of files.entries()) {
    let analysis: FrameAnalysis | null = null;
    try {
      analysis = await engine.analyse(new Uint8Array(typeof f === 'string' ? readFileSync(f) : f));
    } catch {
      analysis = null;
    }
    out.push({ analysis, at: i * 200 });
  }
  return out;
}

describe('liveness on real frames', () => {
  it('every face carries its presentation signals, and their cost is reported', async () => {
    const a = await engine.analyse(new Uint8Array(readFileSync(clip('live-spp77')[0]!)));
    const p = a.faces[0]?.presentation;
    expect(p).toBeDefined();
    expect(p!.fasnetProbs.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
    expect(p!.eyeOpenness).toBeGreaterThan(0.1);
    expect(p!.keypoints).toHaveLength(36);
    expect(a.presentationMs).toBeGreaterThan(0);
    expect(a.presentationMs).toBeLessThan(a.inferenceMs);
  }, 60_000);

  it('a phone replaying a student is rejected at both levels; the live student is accepted at both', async () => {
    const attack = await frames(clip('screen-codersworld-23'));
    const live = await frames(clip('live-spp77'));
    for (const level of ['standard', 'strict'] as const) {
      expect(decideClip(attack, level, 2).accepted, level).toBe(false);
      const d = decideClip(live, level, 2);
      expect(d.accepted, level).toBe(true);
      expect(d.acceptedAtFrame).toBe(1); // as soon as two frames agree: no delay for live people
    }
    for (const f of attack)
      expect(frameLivenessScore(f.analysis!.faces[0]!)!).toBeLessThan(livenessThreshold('standard'));
  }, 120_000);

  it('unreadable and missing frames are skipped; an empty frame starts the visit again', async () => {
    const [l1, l2, l3] = clip('live-spp77');
    const corrupt = readFileSync(l1!).subarray(0, 2000); // a truncated JPEG
    const live = await frames([l1!, corrupt, join(root, 'liveness', 'missing.jpg'), l2!]);
    expect(live.map((f) => f.analysis === null)).toEqual([false, true, true, false]);
    expect(decideClip(live, 'standard', 2)).toMatchObject({ accepted: true, acceptedAtFrame: 3 });
    // One live frame, then nobody, then one more: no two frames of one visit, so not yet.
    const split = await frames([l1!, join(root, 'faces', 'noface.jpg'), l3!]);
    expect(decideClip(split, 'standard', 2)).toMatchObject({ accepted: false, anyFace: true });
    // Nothing readable at all.
    expect(decideClip(await frames([corrupt]), 'standard', 2)).toMatchObject({
      accepted: false,
      anyFace: false,
      score: null,
    });
  }, 120_000);

  it('a camera photo pasted on a grey canvas is judged as the photo, not as a framed picture', async () => {
    // As the live face sets and the door scenario build their frames: the photo, never scaled up,
    // centred on a 640×480 mid-grey canvas. FASNet's context crop must stay inside the photo
    // (content-box.ts), so the photo scores as it does on its own.
    // A head-and-shoulders photo (the face box × 1.8, as tight as an LFW picture), so the 2.7×
    // context crop reaches past the photo's edge onto the canvas unless it is kept inside.
    const file = clip('live-spp77')[0]!;
    const [x, y, w, h] = (await engine.analyse(new Uint8Array(readFileSync(file)))).faces[0]!.box;
    const side = Math.round(1.8 * Math.max(w, h));
    const meta = await sharp(file).metadata();
    const left = Math.max(0, Math.min(meta.width! - side, Math.round(x + w / 2 - side / 2)));
    const top = Math.max(0, Math.min(meta.height! - side, Math.round(y + h / 2 - side / 2)));
    const photo = await sharp(file).extract({ left, top, width: side, height: side }).png().toBuffer();
    const padded = await sharp({
      create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } },
    })
      .composite([{ input: photo, left: Math.round((640 - side) / 2), top: Math.round((480 - side) / 2) }])
      .png()
      .toBuffer();
    const [alone, onCanvas] = await frames([photo, padded]);
    const a = alone!.analysis!.faces[0]!;
    const b = onCanvas!.analysis!.faces[0]!;
    // Measured: 0.6 logits apart with the crop kept inside, 2.1 when the crop takes in the canvas.
    expect(Math.abs(logit(b.presentation!.fasnet) - logit(a.presentation!.fasnet))).toBeLessThan(1.2);
    expect(frameLivenessScore(b)!).toBeGreaterThan(livenessThreshold('standard'));
  }, 60_000);

  it('extra FASNet views (a development option) are run on the same crop machinery', async () => {
    const withViews = await LocalFaceEngine.create(
      {
        inProcess: true,
        warmup: false,
        fasnetViews: [
          { scale: 2.7, flip: false },
          { scale: 2.7, flip: true },
        ],
      },
      pino({ level: 'warn' }, pino.destination(2)),
    );
    try {
      const p = (await withViews.analyse(new Uint8Array(readFileSync(clip('live-spp77')[0]!)))).faces[0]!
        .presentation!;
      expect(p.fasnetViews).toHaveLength(2);
      expect(p.fasnetViews![0]).toBeCloseTo(p.fasnet, 5); // the shipped view, run again
      expect(p.fasnetViews![1]).toBeGreaterThanOrEqual(0);
      expect(p.fasnetViews![1]).toBeLessThanOrEqual(1);
      // The kiosk's engine runs no extra view.
      const plain = await engine.analyse(new Uint8Array(readFileSync(clip('live-spp77')[0]!)));
      expect(plain.faces[0]!.presentation!.fasnetViews).toBeUndefined();
    } finally {
      await withViews.dispose();
    }
  }, 120_000);
});
