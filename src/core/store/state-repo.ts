// Small key/value stores: sync state (server, token, cursor...), settings, sync history, audit.
import type Database from 'better-sqlite3';
import { Settings } from '../../contracts/kiosk-api.js';

// The keys are the sync client's (it declares what it needs from this store in sync/store-port).
import { SYNC_KEYS, type SyncKey, type SyncState } from '../../sync/store-port.js';
import { raisedToFloor, recognitionFloorOf } from '../recognition-floor.js';
export { SYNC_KEYS, type SyncKey, type SyncState };

/** Sync history lines kept (the oldest go first); the Sync tab reads them all. */
export const SYNC_HISTORY_KEPT = 500;

export function createSyncStateRepo(db: Database.Database) {
  const get = db.prepare('SELECT value FROM sync_state WHERE key = ?');
  const set = db.prepare(
    'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const addHistory = db.prepare('INSERT INTO sync_history (at, kind, ok, detail) VALUES (?, ?, ?, ?)');
  const history = db.prepare('SELECT at, kind, ok, detail FROM sync_history ORDER BY id DESC LIMIT ?');
  const trimHistory = db.prepare(
    `DELETE FROM sync_history WHERE id <= (SELECT MAX(id) FROM sync_history) - ${SYNC_HISTORY_KEPT}`,
  );
  return {
    get: (key: SyncKey): string | null =>
      (get.get(key) as { value: string | null } | undefined)?.value ?? null,
    set: (key: SyncKey, value: string | null) => void set.run(key, value),
    setMany: db.transaction((values: Partial<SyncState>) => {
      for (const [k, v] of Object.entries(values)) set.run(k, v ?? null);
    }),
    all(): SyncState {
      return Object.fromEntries(
        SYNC_KEYS.map((k) => [k, (get.get(k) as { value: string | null } | undefined)?.value ?? null]),
      ) as SyncState;
    },
    addHistory(at: string, kind: string, ok: boolean, detail: string) {
      addHistory.run(at, kind, ok ? 1 : 0, detail.slice(0, 1000));
      trimHistory.run();
    },
    history: (limit = 100) =>
      (history.all(limit) as { at: string; kind: string; ok: number; detail: string }[]).map((r) => ({
        ...r,
        ok: r.ok === 1,
      })),
  };
}
export type SyncStateRepo = ReturnType<typeof createSyncStateRepo>;

/** Settings whose meaning depends on the face model: a threshold calibrated for one model is noise for another. */
const MODEL_SCOPED_KEYS = ['matchThreshold', 'matchMargin'] as const;
/** Settings-table key recording which model the stored MODEL_SCOPED_KEYS were set for. */
const SCOPE_KEY = 'recognitionModelId';

/**
 * Stored settings are merged over the defaults and re-validated on every read.
 * `recognitionModelId` is the model the defaults' threshold and margin were calibrated for: an
 * admin's stored threshold/margin is kept with the model it was set under, and ignored (the new
 * calibrated defaults apply) once the kiosk runs another model — after an upgrade that changes
 * the face model, a hand-tuned 0.52 would otherwise reject or admit the wrong people.
 */
export function createSettingsRepo(
  db: Database.Database,
  defaults: Settings,
  opts: { recognitionModelId?: string; onStaleRecognition?: (storedFor: string | null) => void } = {},
) {
  const all = db.prepare('SELECT key, value FROM settings');
  const set = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  let warned = false;
  /** The loosest recognition these settings may hold: the defaults' (recognition-floor.ts). */
  const floor = recognitionFloorOf(defaults);
  const read = (): Settings => {
    const stored = Object.fromEntries(
      (all.all() as { key: string; value: string }[]).map((r) => [r.key, JSON.parse(r.value) as unknown]),
    );
    const storedFor = typeof stored[SCOPE_KEY] === 'string' ? (stored[SCOPE_KEY] as string) : null;
    delete stored[SCOPE_KEY];
    const hasScoped = MODEL_SCOPED_KEYS.some((k) => k in stored);
    if (opts.recognitionModelId && hasScoped && storedFor !== opts.recognitionModelId) {
      for (const k of MODEL_SCOPED_KEYS) delete stored[k];
      if (!warned) {
        warned = true;
        opts.onStaleRecognition?.(storedFor);
      }
    }
    const merged = Settings.safeParse({ ...defaults, ...stored });
    // A stored value that no longer validates (older app, hand edit) falls back to defaults rather than bricking the kiosk.
    // A recognition value looser than the kiosk's defaults (stored before Settings refused it,
    // or written by hand) is raised to them: recognition-floor.ts says why.
    return merged.success ? raisedToFloor(merged.data, floor) : defaults;
  };
  return {
    get: read,
    floor,
    update: db.transaction((patch: Partial<Settings>): Settings => {
      const next = Settings.parse({ ...read(), ...patch });
      for (const [k, v] of Object.entries(patch))
        if (v !== undefined) set.run(k, JSON.stringify(next[k as keyof Settings]));
      if (opts.recognitionModelId && MODEL_SCOPED_KEYS.some((k) => patch[k] !== undefined)) {
        // Saving one of the pair pins both to this model, so a stale partner cannot come back.
        for (const k of MODEL_SCOPED_KEYS) set.run(k, JSON.stringify(next[k]));
        set.run(SCOPE_KEY, JSON.stringify(opts.recognitionModelId));
      }
      return next;
    }),
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;

export function createAuditRepo(db: Database.Database) {
  const insert = db.prepare('INSERT INTO audit (at, action, detail) VALUES (?, ?, ?)');
  const list = db.prepare('SELECT at, action, detail FROM audit ORDER BY id DESC LIMIT ?');
  return {
    record: (at: string, action: string, detail: Record<string, unknown> = {}) =>
      void insert.run(at, action, JSON.stringify(detail)),
    list: (limit = 100) => list.all(limit) as { at: string; action: string; detail: string }[],
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
