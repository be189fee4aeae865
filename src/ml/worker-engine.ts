// The face engine as seen from the caller's thread: inference runs in a worker_threads worker so
// a 100-200 ms frame never blocks the kiosk's event loop or UI bridge.
//
// Backpressure: at most one frame is being analysed and `maxQueue` wait behind it. A frame
// beyond that is refused at once with EngineBusyError (code 'busy') and counted in stats():
// a camera produces frames faster than we analyse them, and a stale queued frame is worth less
// than the next fresh one.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { ResolvedEngineOptions } from './config.js';
import { EngineError } from './errors.js';
import { writeWorkerLog } from './worker-logs.js';
import { deserializeError, type FromWorker, type ToWorker } from './worker-protocol.js';
import type { AnalyseOptions, Backend, EngineStats, FaceEngine, FrameAnalysis, RgbImage } from './types.js';

export { EngineError, type EngineErrorCode } from './errors.js';

/**
 * Where the worker's entry file is. Beside this module as .js when built/bundled, as .ts when
 * run from source (tsx, vitest). An Electron bundle passes its own path (workerPath option).
 */
export function defaultWorkerPath(): string {
  const js = fileURLToPath(new URL('./worker-entry.js', import.meta.url));
  if (existsSync(js)) return js;
  return fileURLToPath(new URL('./worker-entry.ts', import.meta.url));
}

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

export class WorkerFaceEngine implements FaceEngine {
  backend: Backend = 'cpu';
  modelId = '';
  embeddingSize = 0;
  timings = { loadMs: 0, warmupMs: 0 };
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: EngineError | null = null;
  private readonly counters = { analysed: 0, failed: 0, droppedBusy: 0 };

  private constructor(
    private readonly worker: Worker,
    private readonly maxInFlight: number,
    private readonly log: Logger,
  ) {}

  static async start(
    opts: ResolvedEngineOptions,
    log: Logger,
    workerPath = defaultWorkerPath(),
  ): Promise<WorkerFaceEngine> {
    // A .ts entry (running from source) needs tsx's loader inside the worker too; vitest and tsx
    // transform only the main thread. The bootstrap registers tsx, then imports the entry.
    const fromSource = workerPath.endsWith('.ts');
    const worker = fromSource
      ? new Worker(fileURLToPath(new URL('./worker-bootstrap.mjs', import.meta.url)), {
          workerData: { rollcallWorkerEntry: pathToFileURL(workerPath).href },
          stdout: true,
        })
      : new Worker(workerPath, { stdout: true });
    // Human and emscripten print to console.log; keep stdout clean for JSON-printing CLIs and
    // route their chatter to our log instead.
    createInterface({ input: worker.stdout }).on('line', (line) =>
      log.debug({ worker: line }, 'worker output'),
    );
    const engine = new WorkerFaceEngine(worker, 1 + opts.maxQueue, log);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'log') writeWorkerLog(log, m.line);
    });
    const { inProcess: _ignored, ...options } = opts;
    await engine.init(options, log.level);
    return engine;
  }

  private init(options: Omit<ResolvedEngineOptions, 'inProcess'>, logLevel: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onInit = (msg: FromWorker): void => {
        if (msg.type === 'ready') {
          this.backend = msg.backend;
          this.modelId = msg.modelId;
          this.embeddingSize = msg.embeddingSize;
          this.timings = msg.timings;
          this.worker.off('message', onInit);
          this.worker.off('error', onFail);
          this.worker.on('message', (m: FromWorker) => this.onMessage(m));
          this.worker.on('error', (err) => this.onCrash(err));
          this.worker.on('exit', (code) => this.onCrash(new Error(`face worker exited with code ${code}`)));
          resolve();
        } else if (msg.type === 'init-error') {
          void this.worker.terminate();
          reject(deserializeError(msg.error));
        }
      };
      const onFail = (err: Error): void => {
        void this.worker.terminate();
        reject(err);
      };
      this.worker.on('message', onInit);
      this.worker.once('error', onFail);
      this.post({ type: 'init', options, logLevel });
    });
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'result' || msg.type === 'error' || msg.type === 'tensors') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'result') {
        this.counters.analysed++;
        p.resolve(msg.analysis as never);
      } else if (msg.type === 'tensors') {
        p.resolve(msg.count as never);
      } else {
        this.counters.failed++;
        p.reject(deserializeError(msg.error));
      }
    }
  }

  private onCrash(err: Error): void {
    if (this.dead) return;
    this.dead =
      err instanceof EngineError ? err : new EngineError('crashed', `face worker stopped: ${err.message}`);
    if (this.dead.code === 'crashed') this.log.error({ err: err.message }, 'face worker crashed');
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  private request<T>(msg: ToWorker & { id: number }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(msg.id, { resolve: resolve as (v: never) => void, reject });
      this.post(msg);
    });
  }

  /** Frames analysed/refused so far and how many are in flight. */
  stats(): EngineStats {
    return {
      analysed: this.counters.analysed,
      failed: this.counters.failed,
      dropped: { busy: this.counters.droppedBusy },
      pending: this.pending.size,
    };
  }

  analyse(input: Uint8Array | RgbImage, options?: AnalyseOptions): Promise<FrameAnalysis> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending.size >= this.maxInFlight) {
      this.counters.droppedBusy++;
      return Promise.reject(new EngineError('busy', 'face engine busy: frame dropped'));
    }
    return this.request<FrameAnalysis>({
      type: 'analyse',
      id: this.nextId++,
      input,
      ...(options ? { options } : {}),
    });
  }

  /** Live tfjs tensors inside the worker (for leak tests). */
  tensorCount(): Promise<number> {
    if (this.dead) return Promise.reject(this.dead);
    return this.request<number>({ type: 'tensors', id: this.nextId++ });
  }

  async dispose(): Promise<void> {
    if (this.dead) return;
    this.onCrash(new EngineError('disposed', 'face engine is disposed'));
    await this.worker.terminate();
  }
}
