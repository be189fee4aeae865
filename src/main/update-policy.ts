// When auto-update may check and install. A kiosk must never restart in front of a class:
// install only when idle (no session in progress and no face seen for a while).

export const UPDATE_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** A face within this long means someone is at the door. */
export const FACE_QUIET_MS = 5 * 60 * 1000;

export interface IdleFacts {
  sessionActive: boolean;
  /** ms epoch of the last frame with a face, or null if none since start. */
  lastFaceAt: number | null;
  /** An admin is using the admin area. */
  adminOpen: boolean;
  /** Marks not yet uploaded are safe in SQLite, but we prefer to install with an empty queue. */
  queueDepth: number;
  now: number;
}

export type InstallDecision = { install: true } | { install: false; reason: string };

export function canInstallNow(f: IdleFacts): InstallDecision {
  if (f.sessionActive) return { install: false, reason: 'a class is in session' };
  if (f.adminOpen) return { install: false, reason: 'the admin area is open' };
  if (f.lastFaceAt !== null && f.now - f.lastFaceAt < FACE_QUIET_MS)
    return { install: false, reason: 'someone was at the door recently' };
  return { install: true };
}

/** Only https feeds are used (an http feed could be swapped on the way); anything else disables updates. */
export function feedUrlOrNull(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Tracks the idle facts from the kiosk state stream. */
export class IdleTracker {
  private lastFaceAt: number | null = null;
  private sessionActive = false;
  private queueDepth = 0;
  adminOpen = false;

  observe(state: { faces: unknown[]; session: unknown; sync: { queueDepth: number } }, now: number): void {
    if (state.faces.length > 0) this.lastFaceAt = now;
    this.sessionActive = state.session !== null;
    this.queueDepth = state.sync.queueDepth;
  }

  facts(now: number): IdleFacts {
    return {
      sessionActive: this.sessionActive,
      lastFaceAt: this.lastFaceAt,
      adminOpen: this.adminOpen,
      queueDepth: this.queueDepth,
      now,
    };
  }
}
