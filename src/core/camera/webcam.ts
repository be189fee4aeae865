// A USB webcam through node-webcam (fswebcam on Linux). A missing fswebcam binary or a
// missing camera is a status the admin screen shows (`missing`), never a crash, and the
// source keeps retrying with backoff so plugging the camera in brings the kiosk back.
import NodeWebcam from 'node-webcam';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { CameraListener, CameraSource } from './types';

export interface WebcamSourceOptions {
  device: string | null;
  width: number;
  height: number;
  interval: number;
}

export interface WebcamDeps {
  /** Resolves the capture binary's path, or null when it is not installed. */
  findBinary: (name: string) => Promise<string | null>;
  /** Captures one JPEG frame. */
  capture: (opts: WebcamSourceOptions, file: string) => Promise<Uint8Array>;
  /** Backoff after failures: 1 s doubling to 30 s. */
  backoffMs: (failures: number) => number;
}

export async function findOnPath(name: string, pathEnv = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

const captureWithNodeWebcam = (opts: WebcamSourceOptions, file: string): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const cam = NodeWebcam.create({
      width: opts.width, height: opts.height, quality: 90, frames: 1, delay: 0, saveShots: false,
      output: 'jpeg', device: opts.device ?? false, callbackReturn: 'buffer', verbose: false,
    });
    cam.capture(file, (err, data) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else if (data instanceof Uint8Array) resolve(data);
      else reject(new Error('webcam returned no image'));
    });
  });

export const defaultWebcamDeps: WebcamDeps = {
  findBinary: (name) => findOnPath(name),
  capture: captureWithNodeWebcam,
  backoffMs: (failures) => Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1)),
};

export class WebcamCamera implements CameraSource {
  readonly kind = 'webcam' as const;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private dir: string | null = null;

  constructor(private readonly opts: WebcamSourceOptions, private readonly deps: WebcamDeps = defaultWebcamDeps) {}

  start(listener: CameraListener): void {
    listener.status('starting', this.opts.device ?? 'default camera');
    void this.loop(listener);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private async loop(listener: CameraListener): Promise<void> {
    let failures = 0;
    let index = 0;
    this.dir = await mkdtemp(join(tmpdir(), 'rollcall-cam-'));
    const file = join(this.dir, 'frame');
    while (!this.stopped) {
      const binary = process.platform === 'linux' ? await this.deps.findBinary('fswebcam') : 'builtin';
      if (!binary) {
        failures++;
        listener.status('missing', 'fswebcam is not installed (apt-get install fswebcam); retrying');
        await this.sleep(this.deps.backoffMs(failures));
        continue;
      }
      const started = Date.now();
      try {
        const frame = await this.deps.capture(this.opts, file);
        if (this.stopped) break;
        if (failures > 0 || index === 0) listener.status('running', this.opts.device ?? 'default camera');
        failures = 0;
        listener.frame(frame, { index: index++, capturedAt: Date.now() });
      } catch (err) {
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        const noCamera = /no webcam|no such file|cannot open|not found|no device/i.test(message);
        listener.status(noCamera ? 'missing' : 'error', `${noCamera ? 'no camera' : 'capture failed'} (${this.opts.device ?? 'default'}): ${message.slice(0, 200)}; retrying`);
        await this.sleep(this.deps.backoffMs(failures));
        continue;
      }
      // Always yield to the timer queue, even with interval 0, so the loop cannot starve the process.
      await this.sleep(Math.max(0, this.opts.interval - (Date.now() - started)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
