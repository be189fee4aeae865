// Teacher corrections at the kiosk: a manual mark and the undo of any earlier event. Both
// are new events in the log and the outbox; nothing is ever edited.
import type { AttendanceStatus } from '../../contracts/sync.js';
import type { KioskStore } from '../store/index.js';
import type { RunningSession } from './sessions.js';

export class CorrectionError extends Error {
  constructor(
    readonly code: 'no_session' | 'unknown_student' | 'unknown_event' | 'already_undone' | 'not_undoable',
    message: string,
  ) {
    super(message);
    this.name = 'CorrectionError';
  }
}

export interface CorrectionDeps {
  store: KioskStore;
  now: () => Date;
  newId: () => string;
  session: () => RunningSession | null;
}

export function manualMark(
  deps: CorrectionDeps,
  args: { studentId: string; status: AttendanceStatus; reason?: string | undefined; actor: string },
): string {
  const session = deps.session();
  if (!session) throw new CorrectionError('no_session', 'No class is running in this room: nothing to mark.');
  if (!deps.store.roster.getStudent(args.studentId))
    throw new CorrectionError('unknown_student', `No student ${args.studentId} on this kiosk.`);
  const id = deps.newId();
  deps.store.attendance.append({
    id,
    kind: 'manual',
    studentId: args.studentId,
    sessionId: session.sessionId,
    status: args.status,
    occurredAt: deps.now().toISOString(),
    actor: args.actor,
    ...(args.reason ? { reason: args.reason } : {}),
  });
  deps.store.audit.record(deps.now().toISOString(), 'manual_mark', {
    eventId: id,
    studentId: args.studentId,
    status: args.status,
  });
  return id;
}

export function undoEvent(
  deps: CorrectionDeps,
  args: { eventId: string; reason?: string | undefined; actor: string },
): string {
  // Checked and written in one transaction so two quick taps cannot undo twice.
  return deps.store.transaction(() => {
    const target = deps.store.attendance.get(args.eventId);
    if (!target) throw new CorrectionError('unknown_event', `No event ${args.eventId} in this kiosk's log.`);
    if (target.kind === 'undo')
      throw new CorrectionError('not_undoable', 'An undo cannot be undone; mark again instead.');
    if (target.undone) throw new CorrectionError('already_undone', 'That event is already undone.');
    const id = deps.newId();
    deps.store.attendance.append({
      id,
      kind: 'undo',
      studentId: target.studentId,
      sessionId: target.sessionId,
      status: null,
      refId: target.id,
      occurredAt: deps.now().toISOString(),
      actor: args.actor,
      ...(args.reason ? { reason: args.reason } : {}),
    });
    deps.store.audit.record(deps.now().toISOString(), 'undo', { eventId: id, refId: target.id });
    return id;
  });
}
