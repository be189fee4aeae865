// Door templates (template freshness, docs/recognition.md): a kiosk offers the embedding of a
// visit that marked a student at the class tier with a large margin, and the server keeps it
// as an extra template of that student. A wrong template would make the wrong child match for
// the rest of the year, so every rule is enforced here, whatever the kiosk claims: the admin
// setting is on, the student is of the device's site and consented, the embedding is of the
// device's face model and of the size of the student's enrolment templates, it still matches one
// of the student's enrolment templates at the model's class threshold, at most one door
// template per student per 24 hours, at most DOOR_TEMPLATE_CAP kept (the oldest door template
// goes; enrolment templates never do). Each addition is audited and goes out through the
// change feed like an enrolment; the one it replaces gets a tombstone.
import type { Kysely } from 'kysely';
import type { DoorTemplateResult, DoorTemplateUpload } from '../../../src/contracts/sync.js';
import { decodeEmbedding } from '../../../src/ml/embedding-codec.js';
import { DOOR_TEMPLATE_CAP } from '../../../src/ml/door-template.js';
import type { DialectName } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { checkEmbedding } from '../services/embeddings.js';
import { writeAudit } from './audit.js';
import type { Executor } from './executor.js';
import { appendChanges } from './changes.js';
import { readSettings } from './settings.js';
import { facesOfStudents, judgeLikeness, studentModelKey } from './template-likeness.js';
import { removeTemplates, rosterTemplate } from './templates.js';

/** One door template per student in this window (a stranger who got through once cannot stack them). */
export const DOOR_TEMPLATE_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface DoorDevice {
  id: string;
  siteId: string;
  /** The face model the kiosk last reported running (devices.face_model_id). */
  modelId: string | null;
}

export async function storeDoorTemplate(
  db: Kysely<DB>,
  dialect: DialectName,
  u: DoorTemplateUpload,
  device: DoorDevice,
  now: string,
): Promise<DoorTemplateResult> {
  return db.transaction().execute(async (trx) => {
    if (!(await readSettings(trx)).doorTemplates)
      throw forbidden('Template freshness is off on this server (an admin setting)', 'door_templates_off');
    // The student row is locked (PostgreSQL) so two kiosks offering at once are judged one after
    // the other: the daily limit and the cap hold. SQLite runs one write transaction at a time.
    const student = await trx
      .selectFrom('students')
      .select(['id', 'site_id', 'consent'])
      .where('id', '=', u.studentId)
      .$if(dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
    // Another site's student is not found either: a device learns nothing about other sites.
    if (!student || student.site_id !== device.siteId) throw notFound(`student ${u.studentId}`);
    if (student.consent !== 1)
      throw conflict('The student has not consented to face recognition', 'no_consent');
    if (device.modelId === null || u.modelId !== device.modelId)
      throw badRequest(
        `modelId ${u.modelId} is not the face model this kiosk reported (${device.modelId ?? 'none yet'})`,
        'model_mismatch',
        'modelId',
      );
    const existing = await trx
      .selectFrom('templates')
      .select(['student_id', 'source'])
      .where('id', '=', u.id)
      .executeTakeFirst();
    if (existing) {
      if (existing.student_id !== u.studentId || existing.source !== 'door')
        throw conflict(`template ${u.id} already exists`, 'template_exists');
      return { id: u.id, status: 'duplicate' };
    }
    // Every outcome worth auditing names the offered template, its device and model.
    const audit = (action: string, detail: Record<string, unknown>) =>
      writeAudit(
        trx,
        {
          actor: { kind: 'device', id: device.id },
          action,
          entity: 'student',
          entityId: u.studentId,
          detail: { templateId: u.id, deviceId: device.id, modelId: u.modelId, ...detail },
        },
        now,
      );
    const judged = await likenessToEnrolment(trx, u);
    if (judged.verdict !== 'alike') {
      const { verdict: reason, likeness, floor } = judged;
      // Audited: a face unlike the child's enrolment photos offered as theirs is what a planted
      // template would look like.
      await audit('template.door_refused', { reason, likeness, floor });
      return { id: u.id, status: 'rejected', reason };
    }

    const doors = await trx
      .selectFrom('templates')
      .select(['id', 'created_at'])
      .where('student_id', '=', u.studentId)
      .where('model_id', '=', u.modelId)
      .where('source', '=', 'door')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const since = new Date(Date.parse(now) - DOOR_TEMPLATE_INTERVAL_MS).toISOString();
    if (doors.some((d) => d.created_at > since))
      return { id: u.id, status: 'rejected', reason: 'daily_limit' };

    const replaced =
      doors.length >= DOOR_TEMPLATE_CAP ? doors.slice(0, doors.length - DOOR_TEMPLATE_CAP + 1) : [];
    await removeTemplates(
      trx,
      replaced.map((d) => ({ id: d.id, siteId: student.site_id })),
      now,
    );
    // Server time, not the kiosk's clock: the daily limit and "oldest" must not be movable by a
    // kiosk whose clock is wrong (or that lies).
    const row = {
      id: u.id,
      student_id: u.studentId,
      model_id: u.modelId,
      embedding: u.embedding,
      quality: null,
      source: 'door' as const,
      device_id: device.id,
      created_at: now,
    };
    await trx.insertInto('templates').values(row).execute();
    await appendChanges(
      trx,
      [{ siteId: student.site_id, entity: 'template', entityId: row.id, data: rosterTemplate(row) }],
      now,
    );
    const replacedId = replaced[0]?.id ?? null;
    await audit('template.door_added', {
      similarity: u.similarity,
      margin: u.margin,
      replaced: replacedId,
    });
    return { id: u.id, status: 'accepted', replaced: replacedId };
  });
}

/**
 * The embedding must decode, be unit length and have the size of the student's own enrolment
 * templates of that model (the kiosk matched it against them, so a student without any cannot
 * have been recognised at the door under this model). Judged by template-likeness.ts.
 */
async function likenessToEnrolment(trx: Executor, u: DoorTemplateUpload) {
  const problem = checkEmbedding(u.embedding, u.modelId);
  const got = decodeEmbedding(u.embedding);
  if (problem !== null || !got.ok)
    throw badRequest(`embedding: ${problem ?? 'does not decode'}`, 'bad_embedding', 'embedding');
  const enrolment = (await facesOfStudents(trx, [u.studentId])).enrolment.get(
    studentModelKey(u.studentId, u.modelId),
  );
  if (enrolment === undefined)
    throw conflict(
      `student ${u.studentId} has no enrolment template of model ${u.modelId}`,
      'no_enrolment_template',
    );
  const judged = judgeLikeness(got.embedding, enrolment, u.modelId);
  if (judged.verdict === 'wrong_size')
    throw badRequest(
      `embedding has ${judged.got} values, the model's templates have ${judged.expected}`,
      'bad_embedding',
      'embedding',
    );
  return judged;
}
