// The camera status the core itself holds (its log, KioskState.camera, the CLI, the server's
// Kiosks page): a camera of its own that never gives a picture, and the page's camera, whose
// problems only the page can see.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { CameraController, NO_PICTURE_MS } from './camera-controller.js';
import { FramePipeline, PushCamera, type CameraListener, type CameraSource } from './camera/index.js';
import { silentLogger } from './testing/fixtures.js';

/** A webcam that says it is starting and then never delivers (a hung driver), unless told to. */
class SilentCamera implements CameraSource {
  readonly kind = 'webcam' as const;
  listener: CameraListener | null = null;
  stopped = false;
  start(listener: CameraListener): void {
    this.listener = listener;
    listener.status('starting', 'default camera');
  }
  deliver(): void {
    this.listener?.status('running', 'default camera');
    this.listener?.frame(new Uint8Array([0xff, 0xd8]), { index: 0, capturedAt: 0 });
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

function controller(
  createSource?: (spec: string) => CameraSource,
  isFlatPicture?: (data: Uint8Array) => Promise<boolean>,
) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString())), done()) }),
  );
  const analysed: Uint8Array[] = [];
  const pipeline = new FramePipeline(async (d) => void analysed.push(d), silentLogger());
  const onChange = vi.fn();
  const camera = new CameraController({
    pipeline,
    logger,
    onChange,
    ...(createSource ? { createSource } : {}),
    ...(isFlatPicture ? { isFlatPicture } : {}),
  });
  /** The camera lines of the log at warn and above (pino's 40+). */
  const warnings = () => lines.filter((l) => l.event === 'camera' && Number(l.level) >= 40);
  return { camera, onChange, analysed, warnings, lines };
}

describe('a camera of the core that gives no picture', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it(`is an error after ${NO_PICTURE_MS / 1000} s, is started again, and the first picture clears it`, async () => {
    const made: SilentCamera[] = [];
    const { camera, analysed, warnings } = controller(() => {
      const c = new SilentCamera();
      made.push(c);
      return c;
    });
    camera.start('webcam:default');
    expect(camera.status).toEqual({ status: 'starting', detail: 'default camera' });

    vi.advanceTimersByTime(NO_PICTURE_MS - 1);
    expect(camera.status.status).toBe('starting');
    vi.advanceTimersByTime(1);
    expect(camera.status.status).toBe('error');
    expect(camera.status.detail).toMatch(/no picture for 15 s.*keeps trying/);
    // The kiosk's own sentence, marked so (the admin notice shows it as it is).
    expect(camera.status.reason).toBe('no-picture');
    // Tried again: the hung source stopped, a new one started (its "starting" does not hide the error).
    expect(made).toHaveLength(2);
    expect(made[0]?.stopped).toBe(true);
    expect(camera.status.status).toBe('error');

    // Still nothing: tried again later (backing off), logged once, not at every try.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(made.length).toBeGreaterThan(3);
    expect(made.length).toBeLessThan(10);
    expect(warnings()).toHaveLength(1);

    made.at(-1)?.deliver();
    expect(camera.status).toEqual({ status: 'running', detail: 'default camera' });
    await vi.advanceTimersByTimeAsync(0);
    expect(analysed).toHaveLength(1);
    // A working camera is not started again.
    const count = made.length;
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(made).toHaveLength(count);
    await camera.stop();
  });

  it('keeps a source that explains itself (missing, retrying on its own) in its own words', () => {
    const made: CameraSource[] = [];
    const { camera } = controller(() => {
      const c: CameraSource = {
        kind: 'webcam',
        start: (l) => l.status('missing', 'no camera (default): no such file; retrying'),
        stop: async () => {},
      };
      made.push(c);
      return c;
    });
    camera.start('webcam:default');
    vi.advanceTimersByTime(NO_PICTURE_MS * 4);
    expect(camera.status).toEqual({
      status: 'missing',
      detail: 'no camera (default): no such file; retrying',
    });
    expect(made).toHaveLength(1);
  });

  it('waits on a source given as an object (it cannot be rebuilt), showing the error', () => {
    const source = new SilentCamera();
    const { camera } = controller();
    camera.start(source);
    vi.advanceTimersByTime(NO_PICTURE_MS);
    expect(camera.status.status).toBe('error');
    expect(source.stopped).toBe(false);
    source.deliver();
    expect(camera.status.status).toBe('running');
  });

  it("does not time the page's camera: the page reports its own problems", () => {
    const { camera } = controller();
    camera.start('push');
    vi.advanceTimersByTime(NO_PICTURE_MS * 2);
    expect(camera.status).toEqual({ status: 'starting', detail: 'waiting for frames from the UI' });
  });

  it('a camera setting changed meanwhile starts clean', () => {
    const { camera } = controller(() => new SilentCamera());
    camera.start('webcam:default');
    vi.advanceTimersByTime(NO_PICTURE_MS);
    expect(camera.status.status).toBe('error');
    camera.restart('webcam:/dev/video1');
    expect(camera.status.status).toBe('starting');
  });
});

describe("the page's report on its own camera", () => {
  const notFound = {
    status: 'missing',
    reason: 'not-found',
    detail: 'NotFoundError: Requested device not found',
  } as const;

  it("is the core's camera status while the camera is the page's, logged once per change", () => {
    const { camera, warnings, onChange } = controller();
    camera.start('push');
    onChange.mockClear();
    expect(camera.reportFromPage(notFound)).toBe(true);
    expect(camera.status).toEqual({
      status: 'missing',
      detail: 'No camera was found (NotFoundError: Requested device not found).',
      reason: 'not-found',
    });
    // The page tries again every few seconds and fails the same way: no new line, no new state.
    camera.reportFromPage(notFound);
    camera.reportFromPage(notFound);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ status: 'missing', reason: 'not-found', from: 'page' });
    expect(onChange).toHaveBeenCalledTimes(1);

    camera.reportFromPage({ status: 'error', reason: 'permission', detail: 'NotAllowedError: denied' });
    expect(camera.status.status).toBe('error');
    expect(warnings()).toHaveLength(2);
  });

  it('"running" takes the problem back but only pushed frames make the camera run', () => {
    const { camera } = controller();
    camera.start('push');
    camera.reportFromPage(notFound);
    camera.reportFromPage({ status: 'running' });
    expect(camera.status).toStrictEqual({ status: 'starting', detail: 'waiting for frames from the UI' });
    camera.push(new Uint8Array([0xff, 0xd8]));
    expect(camera.status).toEqual({ status: 'running', detail: 'frames from the UI' });
    // A problem after frames flowed (unplugged) shows too, and goes with the page's next "running".
    camera.reportFromPage({ status: 'missing', reason: 'unplugged', detail: 'video track ended' });
    expect(camera.status.status).toBe('missing');
    camera.reportFromPage({ status: 'running' });
    expect(camera.status.status).toBe('running');
  });

  it.each(['webcam:default', 'replay:/nonexistent', 'none'])(
    'is refused while the camera is %s: the page cannot speak for it',
    (spec) => {
      const { camera } = controller(spec === 'webcam:default' ? () => new SilentCamera() : undefined);
      camera.start(spec);
      const before = { ...camera.status };
      expect(camera.reportFromPage(notFound)).toBe(false);
      expect(camera.reportFromPage({ status: 'running' })).toBe(false);
      expect(camera.status).toEqual(before);
      void camera.stop();
    },
  );

  it('is forgotten when the camera setting changes', () => {
    const { camera } = controller(() => new PushCamera());
    camera.start('push');
    camera.reportFromPage(notFound);
    camera.restart('push');
    expect(camera.status.status).toBe('starting');
  });
});

/** A camera of the core's own whose frames (bytes, capture time) the test hands over. */
class HandCamera implements CameraSource {
  listener: CameraListener | null = null;
  private index = 0;
  constructor(readonly kind: 'webcam' | 'replay') {}
  start(listener: CameraListener): void {
    this.listener = listener;
    listener.status('running', 'default camera');
  }
  send(bytes: number[], at: number): void {
    this.listener?.frame(new Uint8Array([0xff, 0xd8, ...bytes]), { index: this.index++, capturedAt: at });
  }
  async stop(): Promise<void> {}
}

/** A picture that shows nothing, for the fake check: every byte after the JPEG marker is 0. */
const blank = async (data: Uint8Array) => data.subarray(2).every((b) => b === 0);
/** Lets the controller's look at a stuck picture (a promise) answer. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('a camera of the core that keeps sending the very same picture', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** One frame a second from `from` to `to` (ms), each `bytes(t)`. */
  const sendEverySecond = (c: HandCamera, from: number, to: number, bytes: (t: number) => number[]) => {
    for (let t = from; t <= to; t += 1000) c.send(bytes(t), t);
  };

  it(`a webcam is frozen after ${NO_PICTURE_MS / 1000} s of byte-identical frames, and its stale frames are not analysed`, async () => {
    const webcam = new HandCamera('webcam');
    const { camera, warnings } = controller(undefined, blank);
    const offered = vi.spyOn(FramePipeline.prototype, 'offer');
    camera.start(webcam);
    sendEverySecond(webcam, 0, NO_PICTURE_MS - 1000, () => [1, 2, 3]);
    expect(camera.status).toEqual({ status: 'running', detail: 'default camera' });
    expect(offered).toHaveBeenCalledTimes(NO_PICTURE_MS / 1000);

    webcam.send([1, 2, 3], NO_PICTURE_MS);
    await settle();
    expect(camera.status).toEqual({
      status: 'error',
      detail:
        'The camera keeps sending the same picture (no change for 15 s or more). Unplug it and plug it back in, or restart the kiosk.',
      reason: 'frozen',
    });
    // Still the same a minute on: nothing analysed, said (and logged) once.
    sendEverySecond(webcam, NO_PICTURE_MS + 1000, NO_PICTURE_MS + 60_000, () => [1, 2, 3]);
    expect(offered).toHaveBeenCalledTimes(NO_PICTURE_MS / 1000);
    expect(warnings()).toHaveLength(1);

    // A new picture: working again, analysed again.
    webcam.send([1, 2, 4], NO_PICTURE_MS + 61_000);
    expect(camera.status).toEqual({ status: 'running', detail: 'default camera' });
    expect(offered).toHaveBeenCalledTimes(NO_PICTURE_MS / 1000 + 1);
    offered.mockRestore();
  });

  it('a webcam sending the same picture of nothing (a covered lens, a dark room) is covered, not frozen', async () => {
    const webcam = new HandCamera('webcam');
    const { camera, warnings } = controller(undefined, blank);
    const offered = vi.spyOn(FramePipeline.prototype, 'offer');
    camera.start(webcam);
    sendEverySecond(webcam, 0, NO_PICTURE_MS, () => [0, 0, 0]);
    await settle();
    expect(camera.status).toEqual({
      status: 'error',
      detail:
        'The camera sees only darkness or one flat colour (for 15 s or more). Is the lens covered, or the room dark? ' +
        'Uncover it or turn on the light: this clears by itself as soon as the camera sees something.',
      reason: 'covered',
    });
    sendEverySecond(webcam, NO_PICTURE_MS + 1000, NO_PICTURE_MS + 60_000, () => [0, 0, 0]);
    await settle();
    expect(warnings()).toHaveLength(1);
    expect(offered).toHaveBeenCalledTimes(NO_PICTURE_MS / 1000);
    // The lens uncovered: a picture again, analysed again.
    webcam.send([0, 9, 0], NO_PICTURE_MS + 61_000);
    expect(camera.status).toEqual({ status: 'running', detail: 'default camera' });
    expect(offered).toHaveBeenCalledTimes(NO_PICTURE_MS / 1000 + 1);
    offered.mockRestore();
  });

  it('a picture that changes while it is being looked at is neither frozen nor covered', async () => {
    const webcam = new HandCamera('webcam');
    let answer!: (flat: boolean) => void;
    const { camera } = controller(undefined, () => new Promise<boolean>((r) => (answer = r)));
    camera.start(webcam);
    sendEverySecond(webcam, 0, NO_PICTURE_MS, () => [0, 0, 0]);
    webcam.send([0, 9, 0], NO_PICTURE_MS + 1000);
    answer(true);
    await settle();
    expect(camera.status).toEqual({ status: 'running', detail: 'default camera' });
  });

  it('a live webcam on a still scene is not frozen: its sensor noise changes the bytes', () => {
    const webcam = new HandCamera('webcam');
    const { camera } = controller();
    camera.start(webcam);
    sendEverySecond(webcam, 0, 5 * 60_000, (t) => [1, 2, (t / 1000) % 3]);
    expect(camera.status.status).toBe('running');
  });

  it('a replay that repeats a still (or loops) is not frozen: it repeats by design', () => {
    const replay = new HandCamera('replay');
    const { camera } = controller();
    camera.start(replay);
    sendEverySecond(replay, 0, 5 * 60_000, () => [7, 7, 7]);
    expect(camera.status).toEqual({ status: 'running', detail: 'default camera' });
  });
});
