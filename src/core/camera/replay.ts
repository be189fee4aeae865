// Replays a folder of frames at a fixed rate, like a camera that never waits: if the
// process falls behind (recognition hogging the thread), the frames that were due in the
// meantime are skipped and reported, and the one due now is shown.
import { readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CameraListener, CameraSource } from './types.js';

const FRAME_FILE = /\.(jpe?g|png)$/i;

/**
 * Why a replay folder cannot feed a door run (missing, unreadable, no frames), or null. The
 * headless runner asks before it starts: a camera that never starts would keep it waiting.
 */
export function replayFolderProblem(dir: string): string | null {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `replay folder ${dir} does not exist`
      : `replay folder ${dir} cannot be read (${code ?? String(err)})`;
  }
  return files.some((f) => FRAME_FILE.test(f)) ? null : `replay folder ${dir} holds no .jpg or .png frames`;
}

export interface ReplayOptions {
  dir: string;
  fps: number;
  loop: boolean;
  start: number;
}

export class ReplayCamera implements CameraSource {
  readonly kind = 'replay' as const;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly opts: ReplayOptions,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  start(listener: CameraListener): void {
    listener.status('starting', this.opts.dir);
    void this.run(listener).catch((err: unknown) => {
      listener.status('error', `replay failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private async run(listener: CameraListener): Promise<void> {
    let files: string[];
    try {
      files = (await readdir(this.opts.dir)).filter((f) => FRAME_FILE.test(f)).sort();
    } catch (err) {
      listener.status(
        'missing',
        `replay folder unreadable: ${this.opts.dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
      return;
    }
    if (files.length === 0) {
      listener.status('missing', `no .jpg/.png frames in ${this.opts.dir}`);
      return;
    }
    const interval = 1000 / this.opts.fps;
    const t0 = this.clock();
    let next = Math.min(this.opts.start, files.length - 1);
    const first = next;
    listener.status('running', `replay ${files.length} frames at ${this.opts.fps} fps from #${first}`);

    const tick = async () => {
      if (this.stopped) return;
      // The frame due now on an absolute schedule: no drift, and a slow consumer skips frames.
      let due = first + Math.floor((this.clock() - t0) / interval);
      if (!this.opts.loop && due >= files.length) {
        if (next < files.length) due = files.length - 1;
        else {
          listener.status('stopped', 'replay finished');
          return;
        }
      }
      if (due >= next) {
        if (due > next) listener.skipped?.(due - next);
        const index = this.opts.loop ? due % files.length : due;
        const capturedAt = t0 + (due - first) * interval;
        try {
          const data = await readFile(join(this.opts.dir, files[index] as string));
          if (!this.stopped)
            listener.frame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
              index,
              capturedAt,
            });
        } catch (err) {
          listener.status('error', `cannot read frame ${files[index]}: ${String(err)}`);
        }
        next = due + 1;
      }
      if (this.stopped) return;
      const wait = Math.max(0, t0 + (next - first) * interval - this.clock());
      this.timer = setTimeout(() => void tick(), wait);
    };
    await tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
