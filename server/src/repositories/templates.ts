// Face templates. Added by kiosks (sync push, idempotent by template id; a student who already
// has templates of the model is judged against them, refuseUnlikeFaces) or from photos on the
// server; deleted one by one or all of a student's (audited), with their student, or all of a
// retired face model. Each insert or delete appends its roster change in the same transaction.
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { ItemResult, TemplateUpload } from '../../../src/contracts/sync.js';
import type { DB, TemplateTable } from '../db/schema.js';
import { notFound } from '../errors.js';
import { decodeEmbedding } from '../../../src/ml/embedding-codec.js';
import { checkEmbedding } from '../services/embeddings.js';
import { writeAudit, type Actor } from './audit.js';
import { appendChanges } from './changes.js';
import { chunks, unique, type Executor } from './executor.js';
import { getSite } from './rooms.js';
import { facesOfStudents, judgeLikeness, lockStudents, studentModelKey } from './template-likeness.js';

export const rosterTemplate = (r: Pick<TemplateTable, 'id' | 'student_id' | 'model_id' | 'embedding'>) => ({
  id: r.id,
  studentId: r.student_id,
  modelId: r.model_id,
  embedding: r.embedding,
});

export const toTemplate = (r: Omit<TemplateTable, 'embedding' | 'photo_sha256'>) => ({
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
    const rows = await db
      .selectFrom('students')
      .select(['id', 'site_id', 'consent'])
      .where('id', 'in', chunk)
      .execute();
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

/**
 * A template to store. `photoSha256`: the digest of the photo file a `photo` template was made
 * from (services/photo-templates.ts); ignored for any other source.
 */
export type NewTemplate = TemplateUpload & { photoSha256?: string };

/**
 * Validates and stores templates; answers per id (accepted / duplicate / rejected with reason).
 * A photo template whose file the student already has a template from (same model) is not stored
 * either and answered `duplicate`: the unique index of migration 014 decides, so two imports
 * racing for one student still store the photo once.
 */
export async function storeTemplates(
  db: Kysely<DB>,
  uploads: readonly NewTemplate[],
  from: TemplateSource,
  now: string,
): Promise<ItemResult[]> {
  const students = await studentsById(
    db,
    uploads.map((u) => u.studentId),
  );
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
      const problem = checkEmbedding(u.embedding, u.modelId);
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
      photo_sha256: from.source === 'photo' ? (u.photoSha256 ?? null) : null,
    });
  }
  if (candidates.length > 0) {
    await db.transaction().execute(async (trx) => {
      const kept =
        from.source === 'kiosk' ? await refuseUnlikeFaces(trx, candidates, from, results, now) : candidates;
      const inserted = new Set<string>();
      for (const chunk of chunks(kept, 100)) {
        const rows = await trx
          .insertInto('templates')
          .values(chunk)
          // Any unique key: the id (a kiosk's retry), or student + model + photo digest.
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .execute();
        rows.forEach((r) => inserted.add(r.id));
      }
      const fresh = kept.filter((c) => inserted.has(c.id));
      await appendChanges(
        trx,
        fresh.map((c) => ({
          siteId: (students.get(c.student_id) as StudentInfo).site_id,
          entity: 'template' as const,
          entityId: c.id,
          data: rosterTemplate(c),
        })),
        now,
      );
      for (const c of kept)
        results.set(c.id, { id: c.id, status: inserted.has(c.id) ? 'accepted' : 'duplicate' });
    });
  }
  return uploads.map((u, index): ItemResult =>
    repeats.has(index) ? { id: u.id, status: 'duplicate' } : (results.get(u.id) as ItemResult),
  );
}

/**
 * A kiosk enrolment of a student who already holds enrolment templates of the same model must
 * look like them (template-likeness.ts): otherwise a stolen device token could put a stranger's
 * face on any consenting child of its site. Each shot is judged on its own against the templates
 * that existed BEFORE this push, so one accepted shot never vouches for the next; the refused
 * ones are answered `rejected` with the verdict as reason and audited (no embedding). A student
 * with no template of the model yet (first enrolment, or a new face model) is accepted: that is
 * what a kiosk enrolment is for. Photo enrolments by an admin are not judged. Returns the
 * candidates to store.
 */
async function refuseUnlikeFaces(
  trx: Transaction<DB>,
  candidates: readonly TemplateTable[],
  from: TemplateSource,
  results: Map<string, ItemResult>,
  now: string,
): Promise<TemplateTable[]> {
  const studentIds = candidates.map((c) => c.student_id);
  await lockStudents(trx, studentIds);
  const prior = await facesOfStudents(trx, studentIds);
  // A retry of a template already stored stays a duplicate, whatever was stored since; an id
  // already used by another student's or a non-kiosk template is refused, never "a duplicate"
  // (which would tell the kiosk its template is on the server).
  const stored = new Map<string, { student_id: string; source: string }>();
  for (const ids of chunks(
    candidates.map((c) => c.id),
    500,
  ))
    for (const r of await trx
      .selectFrom('templates')
      .select(['id', 'student_id', 'source'])
      .where('id', 'in', ids)
      .execute())
      stored.set(r.id, r);
  const kept: TemplateTable[] = [];
  for (const c of candidates) {
    const existing = stored.get(c.id);
    if (existing !== undefined) {
      if (existing.student_id === c.student_id && existing.source === 'kiosk') kept.push(c);
      else results.set(c.id, { id: c.id, status: 'rejected', reason: 'template_exists' });
      continue;
    }
    const key = studentModelKey(c.student_id, c.model_id);
    // A student whose enrolment templates were removed one by one may keep door templates: they
    // are still the face the door knows, so they judge when nothing else can.
    const enrolment = prior.enrolment.get(key) ?? prior.door.get(key);
    // The student's first template of this model: what a kiosk enrolment is for.
    if (enrolment === undefined) {
      kept.push(c);
      continue;
    }
    const offered = decodeEmbedding(c.embedding);
    if (!offered.ok) {
      results.set(c.id, { id: c.id, status: 'rejected', reason: `bad_embedding: ${offered.problem}` });
      continue;
    }
    const judged = judgeLikeness(offered.embedding, enrolment, c.model_id);
    if (judged.verdict === 'alike') {
      kept.push(c);
      continue;
    }
    if (judged.verdict === 'wrong_size') {
      results.set(c.id, { id: c.id, status: 'rejected', reason: 'bad_embedding: wrong_size' });
      continue;
    }
    results.set(c.id, { id: c.id, status: 'rejected', reason: judged.verdict });
    await writeAudit(
      trx,
      {
        actor: { kind: 'device', id: from.deviceId },
        action: 'template.enrol_refused',
        entity: 'student',
        entityId: c.student_id,
        detail: {
          templateId: c.id,
          deviceId: from.deviceId,
          modelId: c.model_id,
          reason: judged.verdict,
          likeness: judged.likeness,
          floor: judged.floor,
        },
      },
      now,
    );
  }
  return kept;
}

/** Ids per DELETE … IN (…): below SQLite's and PostgreSQL's bound-parameter limits. */
const DELETE_CHUNK = 500;

interface DoomedTemplate {
  id: string;
  siteId: string;
}

/**
 * The one way templates leave the server: their retained photos and rows go, and a tombstone
 * per template is appended so every kiosk of the site drops it on its next pull (the tombstone
 * also replaces the change-log row that held a copy of the embedding).
 */
export async function removeTemplates(
  trx: Transaction<DB>,
  doomed: readonly DoomedTemplate[],
  now: string,
): Promise<void> {
  for (const ids of chunks(
    doomed.map((d) => d.id),
    DELETE_CHUNK,
  )) {
    await trx.deleteFrom('photos').where('template_id', 'in', ids).execute();
    await trx.deleteFrom('templates').where('id', 'in', ids).execute();
  }
  await appendChanges(
    trx,
    doomed.map((d) => ({ siteId: d.siteId, entity: 'template' as const, entityId: d.id, data: null })),
    now,
  );
}

/**
 * Deletes one of a student's templates (`templateId`) or all of them (kiosk, photo and door
 * templates alike), in one transaction with their tombstones and one audit entry: an admin
 * removing a face is a decision about biometric data someone must be able to trace. The audit
 * names the template ids and counts, never an embedding. Answers how many went.
 */
export async function deleteStudentTemplates(
  db: Kysely<DB>,
  studentId: string,
  which: { templateId?: string },
  options: { actor: Actor; now: string },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockStudents(trx, [studentId]);
    let q = trx
      .selectFrom('templates')
      .innerJoin('students', 'students.id', 'templates.student_id')
      .select(['templates.id', 'templates.source', 'students.site_id'])
      .where('templates.student_id', '=', studentId);
    if (which.templateId !== undefined) q = q.where('templates.id', '=', which.templateId);
    const rows = await q.orderBy('templates.id').execute();
    if (which.templateId !== undefined && rows.length === 0) throw notFound(`template ${which.templateId}`);
    if (rows.length === 0) return 0;
    await removeTemplates(
      trx,
      rows.map((r) => ({ id: r.id, siteId: r.site_id })),
      options.now,
    );
    const bySource: Record<string, number> = {};
    for (const r of rows) bySource[r.source] = (bySource[r.source] ?? 0) + 1;
    await writeAudit(
      trx,
      {
        actor: options.actor,
        action: which.templateId === undefined ? 'templates.delete_all' : 'template.delete',
        entity: 'student',
        entityId: studentId,
        detail: { templates: rows.length, bySource, templateIds: rows.map((r) => r.id) },
      },
      options.now,
    );
    return rows.length;
  });
}

/** Which templates of a retired face model to delete. */
export interface ModelPurge {
  modelId: string;
  /** Only students of this site. */
  siteId?: string;
  /**
   * Only students who already have a template of this model (re-enrolled under it); the others
   * keep their `modelId` templates until they are.
   */
  onlyIfReplacedBy?: string;
}

export interface ModelPurgeCounts {
  /** Templates deleted (or, in a dry run, that would be). */
  templates: number;
  /** Students those templates belong to. */
  students: number;
  /** Students in scope with `modelId` templates that stay because they have no replacement yet. */
  studentsKept: number;
}

type TemplatesEb = ExpressionBuilder<DB, 'templates' | 'students'>;

/** The student of the outer `templates` row has a template of `modelId`. */
const hasTemplateOf = (eb: TemplatesEb, modelId: string) =>
  eb.exists(
    eb
      .selectFrom('templates as other')
      .select('other.id')
      .whereRef('other.student_id', '=', 'templates.student_id')
      .where('other.model_id', '=', modelId),
  );

/** The `modelId` templates in scope, replaced or not. */
function modelTemplates(db: Executor, p: ModelPurge) {
  let q = db
    .selectFrom('templates')
    .innerJoin('students', 'students.id', 'templates.student_id')
    .where('templates.model_id', '=', p.modelId);
  if (p.siteId !== undefined) q = q.where('students.site_id', '=', p.siteId);
  return q;
}

/** What a purge deletes; shared by the dry run and the deletion so both answer the same. */
async function planPurge(
  db: Executor,
  p: ModelPurge,
): Promise<{ doomed: (DoomedTemplate & { studentId: string })[]; studentsKept: number }> {
  const replacement = p.onlyIfReplacedBy;
  let doomedQuery = modelTemplates(db, p).select([
    'templates.id as id',
    'templates.student_id as studentId',
    'students.site_id as siteId',
  ]);
  if (replacement === undefined) return { doomed: await doomedQuery.execute(), studentsKept: 0 };
  doomedQuery = doomedQuery.where((eb) => hasTemplateOf(eb, replacement));
  const keptQuery = modelTemplates(db, p)
    .select((eb) => eb.fn.count<number | string>('templates.student_id').distinct().as('n'))
    .where((eb) => eb.not(hasTemplateOf(eb, replacement)));
  const doomed = await doomedQuery.execute();
  const kept = await keptQuery.executeTakeFirst();
  return { doomed, studentsKept: Number(kept?.n ?? 0) }; // PostgreSQL answers count() as a string
}

/**
 * Deletes the templates of a retired face model (kiosks ignore them: embeddings of different
 * models cannot be compared), in one transaction with their tombstones and an audit row.
 * `dryRun` only counts. Thousands of rows are deleted in chunks (see removeTemplates).
 */
export async function purgeModelTemplates(
  db: Kysely<DB>,
  p: ModelPurge,
  options: { dryRun: boolean; actor: Actor; now: string },
): Promise<ModelPurgeCounts> {
  const count = (plan: Awaited<ReturnType<typeof planPurge>>): ModelPurgeCounts => ({
    templates: plan.doomed.length,
    students: unique(plan.doomed.map((d) => d.studentId)).length,
    studentsKept: plan.studentsKept,
  });
  if (p.siteId !== undefined) await getSite(db, p.siteId); // a mistyped site is a 404, not "nothing to delete"
  if (options.dryRun) return count(await planPurge(db, p));
  return db.transaction().execute(async (trx) => {
    const plan = await planPurge(trx, p);
    await removeTemplates(trx, plan.doomed, options.now);
    const counts = count(plan);
    // Ids of the model and site and counts only: no student is named in the audit log.
    await writeAudit(
      trx,
      {
        actor: options.actor,
        action: 'templates.purge_model',
        entity: 'face_model',
        entityId: p.modelId,
        detail: { ...p, ...counts },
      },
      options.now,
    );
    return counts;
  });
}
