// What every transfer leg of one sync run works with.
import type { Logger } from 'pino';
import type { SyncHttp } from '../http.js';
import type { SkippedChange } from '../roster-apply.js';
import type { SyncStatusBoard } from '../status.js';
import type { SyncStore } from '../store-port.js';

export interface RunReport {
  ok: boolean;
  pushed: { accepted: number; duplicate: number; rejected: number };
  templates: { accepted: number; duplicate: number; rejected: number };
  pulled: { applied: number; skipped: SkippedChange[] };
  error: string | null;
}

export function emptyReport(error: string | null): RunReport {
  return {
    ok: error === null,
    error,
    pushed: { accepted: 0, duplicate: 0, rejected: 0 },
    templates: { accepted: 0, duplicate: 0, rejected: 0 },
    pulled: { applied: 0, skipped: [] },
  };
}

export interface LegContext {
  http: SyncHttp;
  store: SyncStore;
  now: () => Date;
  logger: Logger;
  board: SyncStatusBoard;
  report: RunReport;
  /** The kiosk was paired again since the run started: nothing more may be sent or applied. */
  superseded: () => boolean;
}

/** Stops a run of an old pairing (see `stopIfSuperseded`). */
export class RunSuperseded extends Error {
  override name = 'RunSuperseded';
  constructor() {
    super('the kiosk was paired again during this sync run; the run stopped');
  }
}

/**
 * Called right before a leg reads what to send or writes anything (what it received, a history
 * line, a timestamp, a failure), with no await in between: a run of the old pairing must neither
 * push the new site's records to the old server, nor apply the old server's roster over the
 * wiped store, nor leave its last upload or a history line on the new pairing.
 */
export function stopIfSuperseded(ctx: LegContext): void {
  if (ctx.superseded()) throw new RunSuperseded();
}
