// Wakes the console's live session streams when attendance for a session changes on THIS
// instance (a kiosk push, a correction). It is only a hint for speed: the streams also poll
// the database (routes/sessions.ts), so a push received by another instance still reaches
// them within the poll interval. Nothing here is the truth; the events table is.
import { EventEmitter } from 'node:events';

export class AttendanceFeed {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open stream; a school's worth of teachers watching is normal.
    this.emitter.setMaxListeners(0);
  }

  /** Sessions whose events changed (null ids, e.g. exceptions outside sessions, are skipped). */
  notify(sessionIds: Iterable<string | null>): void {
    for (const id of new Set(sessionIds)) if (id !== null) this.emitter.emit(id);
  }

  /** Calls `listener` on every change of this session; returns the unsubscribe function. */
  subscribe(sessionId: string, listener: () => void): () => void {
    this.emitter.on(sessionId, listener);
    return () => this.emitter.off(sessionId, listener);
  }

  listenerCount(sessionId: string): number {
    return this.emitter.listenerCount(sessionId);
  }
}
