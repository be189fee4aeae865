// The camera as the kiosk runs it: one source at a time (from a spec or given), its frames
// into the pipeline, its status onto the screen; a restart with a new spec drops the old
// source's late frames and statuses. Every start is a new preview epoch: a camera's frame
// index restarts at 0, so (index) alone would name an older picture again, and the page's
// image cache would show it (a previous student's face under a new greeting).
//
// The status shown is what the source last said, except in two cases the source cannot say:
// - a camera of the core's own (webcam, replay) that has given no picture NO_PICTURE_MS after
//   its start is an `error`, however patiently it says "starting"; the controller starts a
//   hung source again from its spec (backing off) until the first picture clears it;
// - a webcam whose frames have been byte-identical for NO_PICTURE_MS is as good as no picture
//   (`frozen`, camera/same-picture.ts): its stale frames are not analysed, and the first
//   picture that differs clears it. When that picture shows nothing (one even colour: a covered
//   lens, a dark room; camera/flat-picture.ts) it is `covered` instead: the camera works, and
//   "unplug it" would be the wrong advice (the page's camera says the same, picture-watch.ts);
// - the page's camera (spec `push`) is opened by the page, which reports its problems
//   (reportFromPage); the core cannot see getUserMedia fail.
// A status is logged when it changes, not at every retry that says the same again.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  COVERED_CHECK,
  PAGE_CAMERA_REASON_WORDS,
  type KioskState,
  type PageCameraReport,
} from '../contracts/kiosk-api.js';
import {
  createCamera,
  PushCamera,
  type CameraSource,
  type CameraStatus,
  type FramePipeline,
} from './camera/index.js';
import { isFlatPicture } from './camera/flat-picture.js';
import { SamePicture } from './camera/same-picture.js';

/** A core-owned camera without a picture this long after its start is not working. */
export const NO_PICTURE_MS = 15_000;
/** Starting a hung camera again backs off to this. */
export const NO_PICTURE_RETRY_MAX_MS = 60_000;

type Shown = Omit<KioskState['camera'], 'fps'>;

export class CameraController {
  /** What the screens show (mutated in place: the view and the stats read this object). */
  readonly status: Shown = { status: 'starting', detail: null };
  private source: CameraSource | null = null;
  /** The spec the current source was built from; null for a source given as an object. */
  private spec: string | null = null;
  private readonly launchId = randomUUID().slice(0, 8);
  private starts = 0;
  /** Which camera start the current frames come from: new for every launch and every (re)start. */
  epoch = `${this.launchId}-0`;
  /** What the current source last said. */
  private said: Shown = { status: 'starting', detail: null };
  /** The current start has delivered a frame. */
  private pictured = false;
  /** Set while a core-owned camera gives no picture (or only the same one): its words. */
  private noPicture: { detail: string; reason: 'no-picture' | 'frozen' | 'covered' } | null = null;
  /** How long the webcam's frames have been byte-identical. */
  private readonly samePicture = new SamePicture();
  /**
   * Set while the webcam sends one picture over and over: which spell of it (the flat check is
   * asynchronous, and its answer counts only if the same spell is still on).
   */
  private stuckSpell: number | null = null;
  private spells = 0;
  private noPictureTries = 0;
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  /** The page camera's problem as the page last reported it (spec `push` only). */
  private pageProblem: Extract<PageCameraReport, { reason: unknown }> | null = null;

  /**
   * `onNewCamera`: a (re)start; the view forgets the old camera's picture and faces. `clock` (ms):
   * the kiosk's, which the sources built from a spec stamp their frames with. `createSource`:
   * builds a source from a spec (tests give fakes).
   */
  constructor(
    private readonly o: {
      pipeline: FramePipeline;
      logger: Logger;
      onChange: () => void;
      onNewCamera?: (epoch: string) => void;
      clock?: () => number;
      createSource?: (spec: string, clock?: () => number) => CameraSource;
      /** Whether a picture shows nothing (camera/flat-picture.ts; tests give fakes). */
      isFlatPicture?: (data: Uint8Array) => Promise<boolean>;
    },
  ) {}

  /** The page opens getUserMedia and pushes frames (camera spec `push`). */
  get takesPushedFrames(): boolean {
    return this.source instanceof PushCamera;
  }

  start(spec: string | CameraSource): void {
    this.epoch = `${this.launchId}-${++this.starts}`;
    this.o.onNewCamera?.(this.epoch);
    this.spec = typeof spec === 'string' ? spec : null;
    this.pictured = false;
    this.noPicture = null;
    this.noPictureTries = 0;
    this.pageProblem = null;
    this.samePicture.reset();
    this.stuckSpell = null;
    this.clearWatchdog();
    this.run(spec);
  }

  /** Builds (from a spec) and starts a source under the current epoch. */
  private run(spec: string | CameraSource): void {
    const { pipeline } = this.o;
    const epoch = this.epoch;
    try {
      this.source =
        typeof spec === 'string' ? (this.o.createSource ?? createCamera)(spec, this.o.clock) : spec;
    } catch (err) {
      this.source = null;
      this.said = { status: 'error', detail: err instanceof Error ? err.message : String(err) };
      this.show();
      return;
    }
    const source = this.source;
    if (source.kind === 'webcam' || source.kind === 'replay') this.armWatchdog();
    // Only a live device is checked for a frozen picture. A replay repeats by design (a looped
    // folder, or one still held as a scene where nobody moves) and is a file, not a driver that
    // can hang. The page's camera is checked by the page, on raw pixels, and it stops pushing
    // a frozen picture (renderer camera/picture-watch.ts).
    const checkFrozen = source.kind === 'webcam';
    source.start({
      frame: (data, meta) => {
        if (this.source !== source) return;
        if (checkFrozen && this.frozen(data, meta.capturedAt)) return;
        if (!this.pictured) {
          this.pictured = true;
          this.clearWatchdog();
          if (this.noPicture !== null) {
            this.noPicture = null;
            this.noPictureTries = 0;
            this.show();
          }
        }
        pipeline.offer(data, { ...meta, epoch });
      },
      status: (status: CameraStatus, detail) => {
        if (this.source !== source) return;
        this.said = { status, detail };
        this.show();
      },
      skipped: (n) => pipeline.addDropped(n),
    });
  }

  /** Runs no camera and shows why (a spec this run may not play). */
  refuse(detail: string): void {
    const old = this.source;
    this.source = null;
    this.spec = null;
    this.clearWatchdog();
    this.noPicture = null;
    this.pageProblem = null;
    void old?.stop();
    this.said = { status: 'error', detail };
    this.show();
  }

  restart(spec: string): void {
    const old = this.source;
    this.source = null;
    void old?.stop();
    this.start(spec);
  }

  push(data: Uint8Array): void {
    if (this.source instanceof PushCamera) this.source.push(data);
  }

  /**
   * The page's own report on its camera. Refused (false) unless the configured camera is the
   * page's: the page may not speak for a camera of the core's. A problem shows until the page
   * takes it back (`running`); the status then is what the frames say (none yet: `starting`).
   */
  reportFromPage(report: PageCameraReport): boolean {
    if (!this.takesPushedFrames) return false;
    this.pageProblem = report.status === 'running' ? null : report;
    this.show();
    return true;
  }

  async stop(): Promise<void> {
    this.clearWatchdog();
    await this.source?.stop();
  }

  /** Works out what to show; logs and tells the screens only when it changed. */
  private show(): void {
    let next: Shown = this.said;
    if (this.pageProblem) {
      const p = this.pageProblem;
      next = {
        status: p.status,
        // A sentence, as the page's own notice is: the admin notice shows it as it is (`reason`).
        detail: `${PAGE_CAMERA_REASON_WORDS[p.reason]}${p.detail ? ` (${p.detail})` : ''}.`,
        reason: p.reason,
      };
    } else if (this.noPicture !== null && (next.status === 'starting' || next.status === 'running')) {
      next = { status: 'error', ...this.noPicture };
    }
    if (
      next.status === this.status.status &&
      next.detail === this.status.detail &&
      next.reason === this.status.reason
    )
      return;
    this.status.status = next.status;
    this.status.detail = next.detail;
    // Only the kiosk's own sentences carry a reason; a source's words never do.
    if (next.reason) this.status.reason = next.reason;
    else delete this.status.reason;
    const problem = next.status === 'missing' || next.status === 'error';
    this.o.logger[problem ? 'warn' : 'info'](
      {
        event: 'camera',
        status: next.status,
        detail: next.detail,
        ...(this.pageProblem ? { reason: this.pageProblem.reason, from: 'page' } : {}),
      },
      `camera ${next.status}`,
    );
    this.o.onChange();
  }

  /**
   * Whether a webcam frame is the same picture it has been sending for NO_PICTURE_MS or more:
   * as good as no picture, and not analysed (a stale picture says nothing of who is at the door
   * now). Not started again, unlike a hung source: fswebcam opens the device afresh for every
   * picture, so a restart would reopen nothing; a device that keeps sending one picture needs
   * unplugging (or the computer restarting), and its first new picture clears the error. Unless
   * that picture shows nothing: then the camera is covered (or the room dark), and says so.
   */
  private frozen(data: Uint8Array, capturedAt: number): boolean {
    const sameFor = this.samePicture.see(data, capturedAt);
    if (sameFor >= NO_PICTURE_MS) {
      if (this.stuckSpell === null) this.judgeStuckPicture(data);
      return true;
    }
    if (this.stuckSpell !== null) {
      this.stuckSpell = null;
      if (this.noPicture?.reason === 'frozen' || this.noPicture?.reason === 'covered') {
        this.noPicture = null;
        this.show();
      }
    }
    return false;
  }

  /** Frozen or covered: looks at the picture once per spell (decoding it takes a moment). */
  private judgeStuckPicture(data: Uint8Array): void {
    const spell = ++this.spells;
    this.stuckSpell = spell;
    const seconds = Math.round(NO_PICTURE_MS / 1000);
    void (this.o.isFlatPicture ?? isFlatPicture)(data)
      .catch(() => false)
      .then((flat) => {
        // The picture changed, or the camera was started again, while it was looked at.
        if (this.stuckSpell !== spell) return;
        this.noPicture = flat
          ? {
              detail: `${PAGE_CAMERA_REASON_WORDS.covered} (for ${seconds} s or more). ${COVERED_CHECK}`,
              reason: 'covered',
            }
          : {
              detail: `${PAGE_CAMERA_REASON_WORDS.frozen} (no change for ${seconds} s or more). Unplug it and plug it back in, or restart the kiosk.`,
              reason: 'frozen',
            };
        this.show();
      });
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    const wait = this.noPictureTries === 0 ? NO_PICTURE_MS : this.retryDelay();
    this.watchdog = setTimeout(() => this.noPictureYet(), wait);
    // A camera waiting for its first picture must not keep a finished process alive.
    this.watchdog.unref?.();
  }

  private retryDelay(): number {
    return Math.min(NO_PICTURE_RETRY_MAX_MS, NO_PICTURE_MS * 2 ** Math.min(this.noPictureTries, 10));
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  /**
   * No picture yet. A source that explains itself (`missing`, `error`: it retries on its own) keeps
   * its words; one that only says it is starting (or running) is hung: the screen says so, and a
   * source built from a spec is started afresh (one given as an object cannot be rebuilt: it is
   * waited for). Either way it is looked at again later, until the first picture.
   */
  private noPictureYet(): void {
    this.watchdog = null;
    if (this.pictured || !this.source) return;
    const hung = this.said.status === 'starting' || this.said.status === 'running';
    if (hung) {
      this.noPicture = {
        detail: `The camera has given no picture for ${Math.round(NO_PICTURE_MS / 1000)} s or more; the kiosk keeps trying it.`,
        reason: 'no-picture',
      };
      this.show();
      if (this.spec !== null) {
        const old = this.source;
        this.source = null;
        void old.stop();
        this.o.logger.debug(
          { event: 'camera_retry', tries: this.noPictureTries + 1 },
          'starting the camera again',
        );
        this.noPictureTries++;
        this.run(this.spec);
        return; // run() armed the next look
      }
    }
    this.noPictureTries++;
    this.armWatchdog();
  }
}
