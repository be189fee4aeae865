// The outbox of door captures offered to the server as extra templates (template freshness,
// docs/recognition.md). A capture is pending until the server answers; then its embedding is
// dropped (the server, if it kept it, sends it back through the roster like any template) and
// the row stays, so the kiosk offers at most one per student per 24 hours on its own side too.
import type Database from 'better-sqlite3';
import type { DoorCapture } from '../../sync/store-port.js';
import { blobToFloat32, float32ToBlob } from './template-repo.js';

export type { DoorCapture };

interface CaptureRecord {
  id: string;
  student_id: string;
  model_id: string;
  embedding: Buffer;
  similarity: number;
  margin: number;
  created_at: string;
}

/** Answered rows older than this are forgotten (the 24-hour limit no longer needs them). */
const KEEP_ANSWERED_MS = 2 * 24 * 60 * 60 * 1000;

export function createDoorCaptureRepo(db: Database.Database) {
  const s = {
    insert: db.prepare(
      `INSERT INTO door_captures (id, student_id, model_id, embedding, similarity, margin, created_at)
       VALUES (@id, @studentId, @modelId, @embedding, @similarity, @margin, @createdAt)`,
    ),
    since: db.prepare('SELECT 1 FROM door_captures WHERE student_id = ? AND created_at > ? LIMIT 1'),
    pending: db.prepare('SELECT * FROM door_captures WHERE outcome IS NULL ORDER BY created_at LIMIT ?'),
    countPending: db.prepare('SELECT COUNT(*) AS n FROM door_captures WHERE outcome IS NULL'),
    answer: db.prepare('UPDATE door_captures SET outcome = ?, embedding = NULL WHERE id = ?'),
    answerAll: db.prepare('UPDATE door_captures SET outcome = ?, embedding = NULL WHERE outcome IS NULL'),
    prune: db.prepare('DELETE FROM door_captures WHERE outcome IS NOT NULL AND created_at < ?'),
    deleteStudent: db.prepare('DELETE FROM door_captures WHERE student_id = ?'),
  };
  return {
    queue(c: DoorCapture): void {
      s.prune.run(new Date(Date.parse(c.createdAt) - KEEP_ANSWERED_MS).toISOString());
      s.insert.run({ ...c, embedding: float32ToBlob(c.embedding) });
    },
    /** Whether a capture of the student was queued after `sinceIso`. */
    offeredSince: (studentId: string, sinceIso: string): boolean =>
      s.since.get(studentId, sinceIso) !== undefined,
    pending: (limit: number): DoorCapture[] =>
      (s.pending.all(limit) as CaptureRecord[]).map((r) => ({
        id: r.id,
        studentId: r.student_id,
        modelId: r.model_id,
        embedding: blobToFloat32(r.embedding),
        similarity: r.similarity,
        margin: r.margin,
        createdAt: r.created_at,
      })),
    countPending: (): number => (s.countPending.get() as { n: number }).n,
    /** The server answered (accepted, duplicate, or refused with a reason): the embedding goes. */
    answer: (id: string, outcome: string): void => void s.answer.run(outcome, id),
    /** Drops every pending capture (the setting was turned off). */
    dropPending: (outcome: string): void => void s.answerAll.run(outcome),
    /** An erased student's captures go with them. */
    deleteStudent: (studentId: string): void => void s.deleteStudent.run(studentId),
  };
}
export type DoorCaptureRepo = ReturnType<typeof createDoorCaptureRepo>;
