// The kiosk's sync client (DESIGN.md "Sync protocol").
export { SyncService } from './sync-service';
export type { SyncServiceOptions, RunReport, SyncReason, SyncStatus } from './sync-service';
export type { SyncStore, SyncKey, SyncState } from './store-port';
export { SyncHttp, SyncError } from './http';
export type { SyncErrorKind } from './http';
export { applyRosterPage } from './roster-apply';
export type { PageOutcome, SkippedChange } from './roster-apply';
export { backoffDelay, parseRetryAfter, DEFAULT_BACKOFF } from './backoff';
