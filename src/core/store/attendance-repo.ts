// The local attendance log and its outbox. Every event is written together with its outbox
// row in one synchronous transaction, so a crash leaves both or neither.
import type Database from 'better-sqlite3';
import { AttendanceEvent, DecisionScores } from '../../contracts/sync.js';

export interface LoggedEvent extends AttendanceEvent {
  synced: boolean;
  undone: boolean;
}
export interface RejectedEvent {
  eventId: string;
  reason: string;
  rejectedAt: string;
}

interface EventRecord {
  id: string;
  kind: AttendanceEvent['kind'];
  student_id: string;
  session_id: string | null;
  status: AttendanceEvent['status'];
  occurred_at: string;
  ref_id: string | null;
  scores: string | null;
  model_id: string | null;
  actor: string | null;
  reason: string | null;
  synced: number;
  undone: number;
}

function toEvent(r: EventRecord): LoggedEvent {
  const scores = r.scores ? DecisionScores.safeParse(JSON.parse(r.scores)) : null;
  return {
    id: r.id,
    kind: r.kind,
    studentId: r.student_id,
    sessionId: r.session_id,
    status: r.status,
    occurredAt: r.occurred_at,
    ...(r.ref_id ? { refId: r.ref_id } : {}),
    ...(scores?.success ? { scores: scores.data } : {}),
    ...(r.model_id ? { modelId: r.model_id } : {}),
    ...(r.actor ? { actor: r.actor } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    synced: r.synced === 1,
    undone: r.undone === 1,
  };
}

const SELECT_EVENTS = `SELECT e.*, EXISTS (SELECT 1 FROM attendance_events u WHERE u.kind = 'undo' AND u.ref_id = e.id) AS undone
  FROM attendance_events e`;

export function createAttendanceRepo(db: Database.Database) {
  const s = {
    insert: db.prepare(
      `INSERT INTO attendance_events (id, kind, student_id, session_id, status, occurred_at, ref_id, scores, model_id, actor, reason)
       VALUES (@id, @kind, @studentId, @sessionId, @status, @occurredAt, @refId, @scores, @modelId, @actor, @reason)`,
    ),
    enqueue: db.prepare('INSERT INTO outbox (event_id, payload, created_at) VALUES (?, ?, ?)'),
    // A student counts as marked while a mark/manual with a status of present/late exists that no undo cancelled.
    markedInSession: db.prepare(
      `${SELECT_EVENTS} WHERE e.session_id = ? AND e.student_id = ? AND e.kind IN ('mark', 'manual')
         AND e.status IN ('present', 'late') AND NOT EXISTS (SELECT 1 FROM attendance_events u WHERE u.kind = 'undo' AND u.ref_id = e.id)
       ORDER BY e.occurred_at LIMIT 1`,
    ),
    exceptionInSession: db.prepare(
      `${SELECT_EVENTS} WHERE e.session_id = ? AND e.student_id = ? AND e.kind = 'exception' LIMIT 1`,
    ),
    get: db.prepare(`${SELECT_EVENTS} WHERE e.id = ?`),
    since: db.prepare(`${SELECT_EVENTS} WHERE e.occurred_at >= ? ORDER BY e.occurred_at DESC, e.id`),
    all: db.prepare(`${SELECT_EVENTS} ORDER BY e.occurred_at, e.id`),
    pending: db.prepare(
      'SELECT event_id, payload FROM outbox WHERE rejected_at IS NULL ORDER BY created_at, event_id LIMIT ?',
    ),
    pendingCount: db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE rejected_at IS NULL'),
    rejectedCount: db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE rejected_at IS NOT NULL'),
    bumpAttempts: db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE event_id = ?'),
    ack: db.prepare('DELETE FROM outbox WHERE event_id = ?'),
    markSynced: db.prepare('UPDATE attendance_events SET synced = 1 WHERE id = ?'),
    reject: db.prepare('UPDATE outbox SET rejected_reason = ?, rejected_at = ? WHERE event_id = ?'),
    rejected: db.prepare(
      'SELECT event_id AS eventId, rejected_reason AS reason, rejected_at AS rejectedAt FROM outbox WHERE rejected_at IS NOT NULL ORDER BY rejected_at',
    ),
    retryRejected: db.prepare(
      'UPDATE outbox SET rejected_reason = NULL, rejected_at = NULL WHERE rejected_at IS NOT NULL',
    ),
  };

  const insertWithOutbox = (e: AttendanceEvent) => {
    const event = AttendanceEvent.parse(e);
    s.insert.run({
      id: event.id,
      kind: event.kind,
      studentId: event.studentId,
      sessionId: event.sessionId,
      status: event.status,
      occurredAt: event.occurredAt,
      refId: event.refId ?? null,
      scores: event.scores ? JSON.stringify(event.scores) : null,
      modelId: event.modelId ?? null,
      actor: event.actor ?? null,
      reason: event.reason ?? null,
    });
    s.enqueue.run(event.id, JSON.stringify(event), event.occurredAt);
  };

  const findMark = (sessionId: string, studentId: string): LoggedEvent | null => {
    const r = s.markedInSession.get(sessionId, studentId) as EventRecord | undefined;
    return r ? toEvent(r) : null;
  };

  return {
    /** Append an event and its outbox row atomically. */
    append: db.transaction((e: AttendanceEvent) => insertWithOutbox(e)),
    /**
     * Append an automatic mark unless the student is already marked in that session; the
     * check and the insert share one transaction so two frames can never both mark.
     */
    markOnce: db.transaction(
      (
        e: AttendanceEvent & { sessionId: string },
      ): { marked: true } | { marked: false; existing: LoggedEvent } => {
        const existing = findMark(e.sessionId, e.studentId);
        if (existing) return { marked: false, existing };
        insertWithOutbox(e);
        return { marked: true };
      },
    ),
    findMark,
    /**
     * Append the exception "seen here, not on the class list" unless one was already written
     * for that student and session: a student waiting in view of the door is one fact for the
     * teacher, not a row every cooldown.
     */
    recordExceptionOnce: db.transaction(
      (e: AttendanceEvent & { kind: 'exception'; sessionId: string }): { recorded: boolean } => {
        if (s.exceptionInSession.get(e.sessionId, e.studentId) !== undefined) return { recorded: false };
        insertWithOutbox(e);
        return { recorded: true };
      },
    ),
    get: (id: string): LoggedEvent | null => {
      const r = s.get.get(id) as EventRecord | undefined;
      return r ? toEvent(r) : null;
    },
    since: (iso: string): LoggedEvent[] => (s.since.all(iso) as EventRecord[]).map(toEvent),
    all: (): LoggedEvent[] => (s.all.all() as EventRecord[]).map(toEvent),
    /** Oldest first; payloads are re-validated so a damaged row is reported, not sent. */
    pending(limit: number): { eventId: string; event: AttendanceEvent | null }[] {
      return (s.pending.all(limit) as { event_id: string; payload: string }[]).map((r) => {
        let parsed: AttendanceEvent | null = null;
        try {
          const p = AttendanceEvent.safeParse(JSON.parse(r.payload));
          parsed = p.success ? p.data : null;
        } catch {
          parsed = null;
        }
        return { eventId: r.event_id, event: parsed };
      });
    },
    pendingCount: (): number => (s.pendingCount.get() as { n: number }).n,
    rejectedCount: (): number => (s.rejectedCount.get() as { n: number }).n,
    bumpAttempts: db.transaction((ids: string[]) => {
      for (const id of ids) s.bumpAttempts.run(id);
    }),
    /** Apply a push answer: accepted/duplicate leave the outbox, rejected are set aside with their reason. */
    applyResults: db.transaction(
      (
        results: { id: string; status: 'accepted' | 'duplicate' | 'rejected'; reason?: string }[],
        at: string,
      ) => {
        for (const r of results) {
          if (r.status === 'rejected') {
            s.reject.run(r.reason ?? 'rejected without reason', at, r.id);
          } else {
            s.ack.run(r.id);
            s.markSynced.run(r.id);
          }
        }
      },
    ),
    rejected: (): RejectedEvent[] => s.rejected.all() as RejectedEvent[],
    retryRejected: (): number => s.retryRejected.run().changes,
  };
}
export type AttendanceRepo = ReturnType<typeof createAttendanceRepo>;
