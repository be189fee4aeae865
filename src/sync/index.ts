// The kiosk's sync client (DESIGN.md "Sync protocol").
export { SyncService } from './sync-service.js';
export type { SyncServiceOptions, RunReport, SyncReason, SyncStatus } from './sync-service.js';
export type { SyncStore, SyncKey, SyncState } from './store-port.js';
export { SyncHttp, SyncError } from './http.js';
export type { SyncErrorKind } from './http.js';
export { UnsentWorkError } from './re-pairing.js';
export { applyRosterPage } from './roster-apply.js';
export type { PageOutcome, SkippedChange } from './roster-apply.js';
export { backoffDelay, parseRetryAfter, DEFAULT_BACKOFF } from './backoff.js';
