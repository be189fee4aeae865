// "Quit Rollcall" from the admin area: the kiosk does not close itself (only the host knows
// what else runs), it tells the host's listeners, after a grace period so the answer reaches
// the screen before the host closes the IPC channel or the bridge under it.
import type { Logger } from 'pino';

export const QUIT_REPLY_GRACE_MS = 100;

export class QuitRequests {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly logger: Logger,
    private readonly closed: () => boolean,
  ) {}

  on(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** False when no host listens (or the kiosk is closed): the admin is told it cannot quit from the screen. */
  request(): boolean {
    if (this.listeners.size === 0 || this.closed()) return false;
    this.logger.info({ event: 'quit_requested' }, 'quit requested from the admin area');
    setTimeout(() => {
      for (const l of this.listeners) {
        try {
          l();
        } catch (err) {
          this.logger.error({ err }, 'quit listener threw');
        }
      }
    }, QUIT_REPLY_GRACE_MS);
    return true;
  }
}
