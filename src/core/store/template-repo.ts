// Face templates: Float32 embeddings stored as BLOBs. Local enrolments double as the
// template outbox (pushed = 0 until the server acknowledges them; -1 with push_error when the
// server refused one). A refused template is kept aside with its reason for the admin's roster
// and never matched: the server stored it for no other kiosk, and a face it found unlike the
// student's (`unlike_enrolment`) must not open this door under their name either.
import type Database from 'better-sqlite3';

export interface TemplateRow {
  id: string;
  studentId: string;
  modelId: string;
  embedding: Float32Array;
  quality: number | null;
  origin: 'local' | 'server';
  pushed: boolean;
  createdAt: string;
}

interface TemplateRecord {
  id: string;
  student_id: string;
  model_id: string;
  embedding: Buffer;
  quality: number | null;
  origin: 'local' | 'server';
  pushed: number;
  created_at: string;
}

/** Copies the bytes: a Buffer from SQLite may sit at an unaligned offset of a shared pool. */
export function blobToFloat32(blob: Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}
export const float32ToBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const toRow = (r: TemplateRecord): TemplateRow => ({
  id: r.id,
  studentId: r.student_id,
  modelId: r.model_id,
  embedding: blobToFloat32(r.embedding),
  quality: r.quality,
  origin: r.origin,
  pushed: r.pushed !== 0,
  createdAt: r.created_at,
});

export function createTemplateRepo(db: Database.Database) {
  const s = {
    upsert: db.prepare(
      `INSERT INTO templates (id, student_id, model_id, embedding, quality, origin, pushed, created_at)
       VALUES (@id, @studentId, @modelId, @embedding, @quality, @origin, @pushed, @createdAt)
       ON CONFLICT (id) DO UPDATE SET student_id = excluded.student_id, model_id = excluded.model_id,
         embedding = excluded.embedding, quality = excluded.quality`,
    ),
    delete: db.prepare('DELETE FROM templates WHERE id = ?'),
    // The matcher's gallery: never a template the server refused, never a student the roster
    // says has not consented (a template written after the withdrawal, such as an enrolment
    // that was under way, is not matched).
    forModel: db.prepare(
      `SELECT * FROM templates t WHERE t.model_id = ? AND t.pushed <> -1
         AND NOT EXISTS (SELECT 1 FROM students s WHERE s.id = t.student_id AND s.consent = 0)`,
    ),
    countOtherModels: db.prepare('SELECT COUNT(*) AS n FROM templates WHERE model_id <> ?'),
    unpushed: db.prepare(
      "SELECT * FROM templates WHERE pushed = 0 AND origin = 'local' ORDER BY created_at LIMIT ?",
    ),
    countUnpushed: db.prepare("SELECT COUNT(*) AS n FROM templates WHERE pushed = 0 AND origin = 'local'"),
    countRejected: db.prepare('SELECT COUNT(*) AS n FROM templates WHERE pushed = -1'),
    markPushed: db.prepare('UPDATE templates SET pushed = 1, push_error = NULL WHERE id = ?'),
    markRejected: db.prepare('UPDATE templates SET pushed = -1, push_error = ? WHERE id = ?'),
    rejected: db.prepare(
      'SELECT id, student_id AS studentId, push_error AS reason FROM templates WHERE pushed = -1 ORDER BY created_at, id',
    ),
    deleteRejectedOf: db.prepare('DELETE FROM templates WHERE student_id = ? AND pushed = -1'),
    countByStudent: db.prepare(
      'SELECT student_id AS studentId, COUNT(*) AS n FROM templates WHERE pushed <> -1 GROUP BY student_id',
    ),
    countByStudentAndModel: db.prepare(
      'SELECT student_id AS studentId, model_id AS modelId, COUNT(*) AS count FROM templates WHERE pushed <> -1 GROUP BY student_id, model_id',
    ),
  };
  return {
    upsert(t: Omit<TemplateRow, 'pushed'> & { pushed?: boolean }) {
      s.upsert.run({
        ...t,
        embedding: float32ToBlob(t.embedding),
        pushed: t.pushed || t.origin === 'server' ? 1 : 0,
      });
    },
    delete: (id: string) => void s.delete.run(id),
    forModel: (modelId: string): TemplateRow[] => (s.forModel.all(modelId) as TemplateRecord[]).map(toRow),
    countOtherModels: (modelId: string): number => (s.countOtherModels.get(modelId) as { n: number }).n,
    unpushed: (limit: number): TemplateRow[] => (s.unpushed.all(limit) as TemplateRecord[]).map(toRow),
    countUnpushed: (): number => (s.countUnpushed.get() as { n: number }).n,
    countRejected: (): number => (s.countRejected.get() as { n: number }).n,
    markPushed: (id: string) => void s.markPushed.run(id),
    markRejected: (id: string, reason: string) => void s.markRejected.run(reason, id),
    /** Templates the server refused, oldest first, with its reason. */
    rejected: () => s.rejected.all() as { id: string; studentId: string; reason: string }[],
    /** Drops a student's refused templates (a new enrolment replaces them). */
    deleteRejectedOf: (studentId: string) => void s.deleteRejectedOf.run(studentId),
    countByStudent(): Map<string, number> {
      return new Map(
        (s.countByStudent.all() as { studentId: string; n: number }[]).map((r) => [r.studentId, r.n]),
      );
    },
    /**
     * Template counts per student and model, for telling who the running model can recognise
     * (counts only, no embeddings; refused templates are not counted: they are never matched).
     */
    countByStudentAndModel: () =>
      s.countByStudentAndModel.all() as { studentId: string; modelId: string; count: number }[],
  };
}
export type TemplateRepo = ReturnType<typeof createTemplateRepo>;
