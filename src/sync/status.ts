// The sync status the screen shows: what the store knows (pairing, queues, last push/pull,
// last error) plus what only the running client knows (online, syncing, progress).
import type { z } from 'zod';
import type { SyncStatus as SyncStatusSchema } from '../contracts/kiosk-api.js';
import type { SyncStore } from './store-port.js';

export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export class SyncStatusBoard {
  online = false;
  syncing = false;
  progress = 0;
  private readonly listeners = new Set<(s: SyncStatus) => void>();

  constructor(private readonly store: SyncStore) {}

  /**
   * `known`: a room's roster record the caller has just read (the kiosk's state reads its door's
   * room for every frame it shows): when it is the paired room, it is not read a second time.
   */
  status(known?: { roomId: string; room: { name: string } | null }): SyncStatus {
    const s = this.store.sync.all();
    return {
      paired: Boolean(s.serverUrl && s.deviceToken),
      serverUrl: s.serverUrl,
      online: this.online,
      queueDepth: this.store.attendance.pendingCount(),
      templateQueueDepth: this.store.templates.countUnpushed(),
      lastPushAt: s.lastPushAt,
      lastPullAt: s.lastPullAt,
      lastError: s.lastError,
      syncing: this.syncing,
      progress: this.progress,
      rejectedCount: this.store.attendance.rejectedCount(),
      rejectedTemplateCount: this.store.templates.countRejected(),
      clockOffsetMs: s.clockOffsetMs === null ? null : Number(s.clockOffsetMs),
      kiosk:
        s.deviceId && s.roomId
          ? {
              deviceId: s.deviceId,
              roomId: s.roomId,
              timezone: s.timezone,
              name: s.deviceName,
              // The roster's room, as the door shows it; before the first pull brings it, the
              // pairing answer's name (null from a server too old to send one: the id stands in).
              roomName:
                (known?.roomId === s.roomId ? known.room : this.store.roster.getRoom(s.roomId))?.name ??
                s.pairedRoomName,
            }
          : null,
    };
  }

  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(): void {
    if (this.listeners.size === 0) return;
    const s = this.status();
    for (const l of this.listeners) l(s);
  }
}
