// One attendance status per student per session, however many events arrive, derived from
// the events (never stored as an editable field):
// - an `undo` cancels the event it refers to (an undone undo restores it);
// - if any manual event stands, the latest manual one decides (corrections override);
// - otherwise the FIRST standing automatic mark decides (a later re-recognition at the door,
//   e.g. after the grace period, must not turn "present" into "late");
// - otherwise the student has no status (the report shows "absent" for enrolled students).
import type { AttendanceStatus } from '../../../src/contracts/sync.js';

export interface StatusEvent {
  id: string;
  kind: 'mark' | 'manual' | 'undo' | 'exception';
  status: AttendanceStatus | null;
  occurredAt: string;
  refId: string | null;
}

export interface DerivedStatus {
  status: AttendanceStatus | null;
  decidedBy: StatusEvent | null;
}

const byTime = (a: StatusEvent, b: StatusEvent) =>
  a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function deriveStatus(events: readonly StatusEvent[]): DerivedStatus {
  const undosOf = new Map<string, StatusEvent[]>();
  for (const e of events) {
    if (e.kind === 'undo' && e.refId !== null) {
      const list = undosOf.get(e.refId) ?? [];
      list.push(e);
      undosOf.set(e.refId, list);
    }
  }
  const memo = new Map<string, boolean>();
  // An event stands unless a standing undo refers to it. `visiting` guards against cycles
  // (an undo that refers to itself or to an undo of itself): such undos do not stand.
  const stands = (e: StatusEvent, visiting: Set<string>): boolean => {
    const known = memo.get(e.id);
    if (known !== undefined) return known;
    if (visiting.has(e.id)) return false;
    visiting.add(e.id);
    const result = !(undosOf.get(e.id) ?? []).some((u) => stands(u, visiting));
    visiting.delete(e.id);
    memo.set(e.id, result);
    return result;
  };
  const standing = events.filter(
    (e) => (e.kind === 'manual' || e.kind === 'mark') && e.status !== null && stands(e, new Set()),
  );
  const manual = standing.filter((e) => e.kind === 'manual').sort(byTime);
  const lastManual = manual[manual.length - 1];
  if (lastManual) return { status: lastManual.status, decidedBy: lastManual };
  const firstMark = standing.filter((e) => e.kind === 'mark').sort(byTime)[0];
  if (firstMark) return { status: firstMark.status, decidedBy: firstMark };
  return { status: null, decidedBy: null };
}
