import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramePipeline } from './pipeline.js';
import { parseCameraSpec, CameraSpecError } from './spec.js';
import { ReplayCamera } from './replay.js';
import { WebcamCamera } from './webcam.js';
import { PushCamera } from './push.js';
import { createCamera } from './index.js';
import type { CameraStatus, FrameMeta } from './types.js';
import { silentLogger } from '../testing/fixtures.js';

const frame = (n: number) => new Uint8Array([n]);
const meta = (index: number): FrameMeta => ({ index, capturedAt: 0 });

describe('camera spec', () => {
  it('parses replay, webcam, push', () => {
    expect(parseCameraSpec('replay:/tmp/x?fps=5&loop=1')).toEqual({
      kind: 'replay',
      options: { dir: '/tmp/x', fps: 5, loop: true, start: 0 },
    });
    expect(parseCameraSpec('webcam:/dev/video1?width=320&height=240')).toMatchObject({
      kind: 'webcam',
      options: { device: '/dev/video1', width: 320, height: 240 },
    });
    expect(parseCameraSpec('webcam')).toMatchObject({
      kind: 'webcam',
      options: { device: null, width: 640 },
    });
    expect(parseCameraSpec('push')).toEqual({ kind: 'push' });
  });
  it('rejects bad specs with a clear error', () => {
    expect(() => parseCameraSpec('ftp:/x')).toThrow(CameraSpecError);
    expect(() => parseCameraSpec('replay:/x?fps=abc')).toThrow(/fps/);
    expect(() => parseCameraSpec('replay:')).toThrow(/dir/);
  });
});

describe('frame pipeline', () => {
  it('keeps at most one waiting frame while busy and counts the dropped ones', async () => {
    const seen: number[] = [];
    let release: () => void = () => {};
    const p = new FramePipeline(async (d) => {
      seen.push(d[0] ?? -1);
      if (seen.length === 1)
        await new Promise<void>((r) => {
          release = r;
        });
    }, silentLogger());
    for (let i = 0; i < 50; i++) p.offer(frame(i), meta(i));
    release();
    await p.idle();
    expect(seen).toEqual([0, 49]); // the first, then the newest; everything between dropped
    expect(p.counters).toEqual({ received: 50, analysed: 2, dropped: 48, corrupt: 0 });
  });

  it('counts and skips a corrupt frame, and keeps going', async () => {
    const seen: number[] = [];
    const p = new FramePipeline(async (d) => {
      if (d[0] === 1) throw new Error('could not decode frame');
      seen.push(d[0] ?? -1);
    }, silentLogger());
    for (const i of [0, 1, 2]) {
      p.offer(frame(i), meta(i));
      await p.idle();
    }
    expect(seen).toEqual([0, 2]);
    expect(p.counters.corrupt).toBe(1);
    expect(p.counters.analysed).toBe(2);
  });
});

describe('replay camera', () => {
  it('plays a folder in name order at the given fps, then stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    for (const n of ['002.jpg', '001.jpg', '003.png', 'notes.txt']) writeFileSync(join(dir, n), n);
    const got: string[] = [];
    const statuses: CameraStatus[] = [];
    // A clock that moves exactly one frame per frame, so a loaded machine cannot make it skip.
    let now = 0;
    const cam = new ReplayCamera({ dir, fps: 50, loop: false, start: 0 }, () => now);
    await new Promise<void>((resolve) =>
      cam.start({
        frame: (d) => {
          got.push(Buffer.from(d).toString());
          now += 20;
        },
        status: (s) => {
          statuses.push(s);
          if (s === 'stopped') resolve();
        },
      }),
    );
    expect(got).toEqual(['001.jpg', '002.jpg', '003.png']);
    expect(statuses).toEqual(['starting', 'running', 'stopped']);
  });

  it('reports a missing folder as missing', async () => {
    const cam = new ReplayCamera({ dir: '/nonexistent/frames', fps: 10, loop: false, start: 0 });
    const status = await new Promise<[CameraStatus, string | null]>((resolve) =>
      cam.start({
        frame: () => {},
        status: (s, d) => {
          if (s !== 'starting') resolve([s, d]);
        },
      }),
    );
    expect(status[0]).toBe('missing');
    expect(status[1]).toMatch(/unreadable/);
  });

  it('skips frames when behind schedule instead of queueing them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `${String(i).padStart(3, '0')}.jpg`), String(i));
    let now = 0;
    const got: number[] = [];
    let skipped = 0;
    const cam = new ReplayCamera({ dir, fps: 10, loop: false, start: 0 }, () => now);
    await new Promise<void>((resolve) =>
      cam.start({
        frame: (_d, m) => {
          got.push(m.index);
          now += 350;
        }, // each frame "costs" 3.5 frame intervals
        status: (s) => {
          if (s === 'stopped') resolve();
        },
        skipped: (n) => {
          skipped += n;
        },
      }),
    );
    expect(got).toEqual([0, 3, 7, 9]);
    expect(skipped).toBe(6);
  });
});

describe('webcam camera', () => {
  it('reports a missing fswebcam as missing and retries with backoff', async () => {
    let lookups = 0;
    const cam = new WebcamCamera(
      { device: null, width: 640, height: 480, interval: 0 },
      {
        findBinary: async () => {
          lookups++;
          return null;
        },
        capture: async () => new Uint8Array([1]),
        backoffMs: () => 5,
      },
    );
    const statuses: [CameraStatus, string | null][] = [];
    cam.start({ frame: () => {}, status: (s, d) => statuses.push([s, d]) });
    await vi.waitFor(() => expect(lookups).toBeGreaterThan(2), { timeout: 5_000, interval: 5 });
    await cam.stop();
    expect(statuses[1]).toEqual(['missing', expect.stringMatching(/fswebcam is not installed/)]);
  });

  it('recovers when the camera appears', async () => {
    let attempts = 0;
    const frames: number[] = [];
    const cam = new WebcamCamera(
      { device: '/dev/video9', width: 640, height: 480, interval: 0 },
      {
        findBinary: async () => '/usr/bin/fswebcam',
        capture: async () => {
          attempts++;
          if (attempts < 3) throw new Error('No such file or directory /dev/video9');
          return new Uint8Array([attempts]);
        },
        backoffMs: () => 5,
      },
    );
    const statuses: CameraStatus[] = [];
    cam.start({ frame: (d) => frames.push(d[0] ?? 0), status: (s) => statuses.push(s) });
    // Wait for the first frame rather than a fixed time: on a loaded machine two 5 ms back-offs
    // and three captures can take longer than any fixed sleep short enough for a unit test.
    await vi.waitFor(() => expect(frames.length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
    await cam.stop();
    expect(statuses.slice(0, 4)).toEqual(['starting', 'missing', 'missing', 'running']);
    expect(frames[0]).toBe(3);
  });
});

describe("a camera's clock", () => {
  const fixedClock = () => 1_700_000_000_123;

  it('stamps pushed frames with the injected clock', () => {
    const cam = new PushCamera(fixedClock);
    const got: FrameMeta[] = [];
    cam.start({ frame: (_d, m) => got.push(m), status: () => {} });
    cam.push(frame(1));
    cam.push(frame(2));
    expect(got).toEqual([
      { index: 0, capturedAt: 1_700_000_000_123 },
      { index: 1, capturedAt: 1_700_000_000_123 },
    ]);
  });

  it('stamps webcam frames with the injected clock', async () => {
    const cam = new WebcamCamera(
      { device: null, width: 640, height: 480, interval: 0 },
      { findBinary: async () => '/usr/bin/fswebcam', capture: async () => frame(7), backoffMs: () => 5 },
      fixedClock,
    );
    const got: FrameMeta[] = [];
    cam.start({ frame: (_d, m) => got.push(m), status: () => {} });
    await vi.waitFor(() => expect(got.length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
    await cam.stop();
    expect(got[0]).toEqual({ index: 0, capturedAt: 1_700_000_000_123 });
  });

  it('is handed to the source a spec builds', () => {
    const cam = createCamera('push', fixedClock);
    const got: FrameMeta[] = [];
    cam.start({ frame: (_d, m) => got.push(m), status: () => {} });
    (cam as PushCamera).push(frame(1));
    expect(got[0]?.capturedAt).toBe(1_700_000_000_123);
  });
});
