// A USB webcam through fswebcam (Linux), run from an argument array, never a shell. A missing fswebcam binary or a
// missing camera is a status the admin screen shows (`missing`), never a crash, and the
// source keeps retrying with backoff so plugging the camera in brings the kiosk back.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { CameraListener, CameraSource } from './types.js';

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
  capture: (opts: WebcamSourceOptions, binary: string) => Promise<Uint8Array>;
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

/**
 * fswebcam's arguments for one JPEG on stdout. An argument array, run without a shell: the
 * device (already matched against a strict pattern by the spec parser) is one argv entry, so
 * even a hostile string could only be a bad device name, never a command.
 */
export function fswebcamArgs(opts: WebcamSourceOptions): string[] {
  return [
    '-q',
    '-r',
    `${Math.trunc(opts.width)}x${Math.trunc(opts.height)}`,
    '-F',
    '1',
    '--jpeg',
    '90',
    '--no-banner',
    ...(opts.device ? ['-d', opts.device] : []),
    '-', // the picture on stdout: no temporary file
  ];
}

/** One frame from fswebcam through execFile (no shell). `bin` is the resolved binary path. */
export function captureWithFswebcam(opts: WebcamSourceOptions, bin = 'fswebcam'): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      fswebcamArgs(opts),
      { encoding: 'buffer', maxBuffer: 32 * 1024 * 1024, timeout: 15_000, shell: false },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8').trim();
        if (err) reject(new Error(errText || err.message));
        else if (stdout.length === 0) reject(new Error(errText || 'no webcam image'));
        else resolve(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length));
      },
    );
  });
}

export const defaultWebcamDeps: WebcamDeps = {
  findBinary: (name) => findOnPath(name),
  // node-webcam (the declared webcam dependency) builds a shell command line from its options
  // and runs it with child_process.exec; the same fswebcam call is made here from an argument
  // array instead. Other platforms have no fswebcam: use the `push` camera (getUserMedia).
  capture: captureWithFswebcam,
  backoffMs: (failures) => Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1)),
};

export class WebcamCamera implements CameraSource {
  readonly kind = 'webcam' as const;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  /** `clock`: the kiosk's, so a frame's `capturedAt` is on the same time line as its decisions. */
  constructor(
    private readonly opts: WebcamSourceOptions,
    private readonly deps: WebcamDeps = defaultWebcamDeps,
    private readonly clock: () => number = () => Date.now(),
  ) {}

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
    while (!this.stopped) {
      const binary = await this.deps.findBinary('fswebcam');
      if (!binary) {
        failures++;
        listener.status('missing', 'fswebcam is not installed (apt-get install fswebcam); retrying');
        await this.sleep(this.deps.backoffMs(failures));
        continue;
      }
      // Pacing is real time (the wait is a real timer); only the frame's stamp is the kiosk's clock.
      const started = Date.now();
      try {
        const frame = await this.deps.capture(this.opts, binary);
        if (this.stopped) break;
        if (failures > 0 || index === 0) listener.status('running', this.opts.device ?? 'default camera');
        failures = 0;
        listener.frame(frame, { index: index++, capturedAt: this.clock() });
      } catch (err) {
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        const noCamera = /no webcam|no such file|cannot open|not found|no device/i.test(message);
        listener.status(
          noCamera ? 'missing' : 'error',
          `${noCamera ? 'no camera' : 'capture failed'} (${this.opts.device ?? 'default'}): ${message.slice(0, 200)}; retrying`,
        );
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
  }
}
