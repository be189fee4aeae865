// The Sync tab's "Recent sync" list. While the server is away the kiosk retries every few
// seconds to minutes and each attempt stores its own history line (kept as they are: each has its
// time and raw message for IT). Shown one per line they would push everything else off the
// screen, so failures the admin would read as the same line (same step, same words) that follow
// each other are shown as one line with how many times and from when to when.
import { clockTime, historyKindText, localTime, syncErrorText } from './view-model.js';

export interface SyncHistoryEntry {
  at: string;
  kind: string;
  ok: boolean;
  detail: string;
}

export interface SyncHistoryLine {
  /** The newest attempt of the line. */
  at: string;
  /** The oldest attempt of the line (= `at` for a single one). */
  firstAt: string;
  /** How many stored history lines it stands for. */
  count: number;
  kind: string;
  ok: boolean;
  /** What the admin reads: the step in words and the detail in plain words. */
  what: string;
  text: string;
  /** The newest attempt's own message, for IT (the cell's tooltip). */
  raw: string;
}

/** The detail as the Sync tab words it: a failure's network error in plain words. */
function shownDetail(e: SyncHistoryEntry): string {
  return e.ok ? e.detail : (syncErrorText(e.detail) ?? e.detail);
}

/**
 * Newest first in, newest first out. Only failures are merged: two successes in a row are two
 * deliveries, each worth its line.
 */
export function collapseSyncHistory(entries: readonly SyncHistoryEntry[]): SyncHistoryLine[] {
  const lines: SyncHistoryLine[] = [];
  for (const e of entries) {
    const what = historyKindText(e.kind);
    const text = shownDetail(e);
    const last = lines[lines.length - 1];
    if (last && !last.ok && !e.ok && last.what === what && last.text === text) {
      last.count++;
      last.firstAt = e.at;
      continue;
    }
    lines.push({ at: e.at, firstAt: e.at, count: 1, kind: e.kind, ok: e.ok, what, text, raw: e.detail });
  }
  return lines;
}

/** "today 09:02", or for a merged line "today 09:02–09:14" (both days named when they differ). */
export function historyWhen(
  line: Pick<SyncHistoryLine, 'at' | 'firstAt' | 'count'>,
  nowMs = Date.now(),
): string {
  const last = localTime(line.at, nowMs);
  if (line.count === 1) return last;
  const from = new Date(line.firstAt);
  const to = new Date(line.at);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return last;
  if (from.toDateString() !== to.toDateString()) return `${localTime(line.firstAt, nowMs)} – ${last}`;
  const start = localTime(line.firstAt, nowMs);
  const end = clockTime(to);
  return start.endsWith(end) ? start : `${start}–${end}`;
}
