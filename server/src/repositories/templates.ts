// Face templates. Added by kiosks (sync push, idempotent by template id) or from photos on
// the server; each insert appends its roster change in the same transaction.
import type { Kysely } from 'kysely';
import type { ItemResult, TemplateUpload } from '../../../src/contracts/sync.js';
import type { DB, TemplateTable } from '../db/schema.js';
import { notFound } from '../errors.js';
import { checkEmbedding } from '../services/embeddings.js';
import { appendChanges } from './changes.js';
import { chunks, unique, type Executor } from './executor.js';

export const rosterTemplate = (r: Pick<TemplateTable, 'id' | 'student_id' | 'model_id' | 'embedding'>) => ({
  id: r.id,
  studentId: r.student_id,
  modelId: r.model_id,
  embedding: r.embedding,
});

export const toTemplate = (r: Omit<TemplateTable, 'embedding'>) => ({
  id: r.id,
  studentId: r.student_id,
  modelId: r.model_id,
  quality: r.quality,
  source: r.source,
  deviceId: r.device_id,
  createdAt: r.created_at,
});

export async function listTemplates(db: Executor, studentId: string) {
  const rows = await db
    .selectFrom('templates')
    .select(['id', 'student_id', 'model_id', 'quality', 'source', 'device_id', 'created_at'])
    .where('student_id', '=', studentId)
    .orderBy('created_at')
    .execute();
  return rows.map(toTemplate);
}

interface StudentInfo {
  id: string;
  site_id: string;
  consent: number;
}

async function studentsById(db: Executor, ids: readonly string[]): Promise<Map<string, StudentInfo>> {
  const out = new Map<string, StudentInfo>();
  for (const chunk of chunks(unique(ids), 500)) {
    const rows = await db.selectFrom('students').select(['id', 'site_id', 'consent']).where('id', 'in', chunk).execute();
    rows.forEach((r) => out.set(r.id, r));
  }
  return out;
}

export interface TemplateSource {
  source: TemplateTable['source'];
  deviceId: string | null;
  /** Kiosks may only add templates for students of their own site. */
  siteId: string | null;
}

/** Validates and stores templates; answers per id (accepted / duplicate / rejected with reason). */
export async function storeTemplates(db: Kysely<DB>, uploads: readonly TemplateUpload[], from: TemplateSource, now: string): Promise<ItemResult[]> {
  const students = await studentsById(db, uploads.map((u) => u.studentId));
  const results = new Map<string, ItemResult>();
  const candidates: TemplateTable[] = [];
  const seen = new Set<string>();
  const repeats = new Set<number>();
  for (const [index, u] of uploads.entries()) {
    if (seen.has(u.id)) {
      repeats.add(index); // the same id again in one batch: a duplicate of the first copy
      continue;
    }
    seen.add(u.id);
    const student = students.get(u.studentId);
    let reason: string | null = null;
    if (!student || (from.siteId !== null && student.site_id !== from.siteId)) reason = 'unknown_student';
    else if (student.consent !== 1) reason = 'no_consent';
    else {
      const problem = checkEmbedding(u.embedding);
      if (problem !== null) reason = `bad_embedding: ${problem}`;
    }
    if (reason !== null) {
      results.set(u.id, { id: u.id, status: 'rejected', reason });
      continue;
    }
    candidates.push({
      id: u.id,
      student_id: u.studentId,
      model_id: u.modelId,
      embedding: u.embedding,
      quality: u.quality ?? null,
      source: from.source,
      device_id: from.deviceId,
      created_at: u.createdAt,
    });
  }
  if (candidates.length > 0) {
    await db.transaction().execute(async (trx) => {
      const inserted = new Set<string>();
      for (const chunk of chunks(candidates, 100)) {
        const rows = await trx.insertInto('templates').values(chunk).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
        rows.forEach((r) => inserted.add(r.id));
      }
      const fresh = candidates.filter((c) => inserted.has(c.id));
      await appendChanges(
        trx,
        fresh.map((c) => ({ siteId: (students.get(c.student_id) as StudentInfo).site_id, entity: 'template' as const, entityId: c.id, data: rosterTemplate(c) })),
        now,
      );
      for (const c of candidates) results.set(c.id, { id: c.id, status: inserted.has(c.id) ? 'accepted' : 'duplicate' });
    });
  }
  return uploads.map((u, index): ItemResult => (repeats.has(index) ? { id: u.id, status: 'duplicate' } : (results.get(u.id) as ItemResult)));
}

export async function deleteTemplate(db: Kysely<DB>, studentId: string, templateId: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('templates')
      .innerJoin('students', 'students.id', 'templates.student_id')
      .select(['templates.id', 'students.site_id'])
      .where('templates.id', '=', templateId)
      .where('templates.student_id', '=', studentId)
      .executeTakeFirst();
    if (!row) throw notFound(`template ${templateId}`);
    await trx.deleteFrom('photos').where('template_id', '=', templateId).execute();
    await trx.deleteFrom('templates').where('id', '=', templateId).execute();
    await appendChanges(trx, [{ siteId: row.site_id, entity: 'template', entityId: templateId, data: null }], now);
  });
}
