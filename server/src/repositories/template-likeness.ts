// Does a face offered by a device as a student's template look like the faces the server already
// holds for that student? A device token can name any consenting student of its site, so this is
// what stops a stolen token from putting a stranger's face on a child: door templates (template
// freshness) and kiosk enrolments of a student who already has templates are both judged here,
// against the student's ENROLMENT templates of the same model (kiosk and photo enrolments; door
// templates are themselves judged against those, so letting them vouch would let a face drift two
// steps from the enrolled child; only a kiosk enrolment of a student with nothing but door
// templates left is judged against those, rather than not at all). The floor is the model's calibrated class threshold
// (doorTemplateFloor): the similarity at which the door itself would take the face for that child.
import { decodeEmbedding } from '../../../src/ml/embedding-codec.js';
import { doorTemplateFloor } from '../../../src/ml/door-template.js';
import { embeddingSizeOf } from '../../../src/ml/embedders.js';
import { chunks, unique, type Executor } from './executor.js';

/** Map key of one student's templates of one model. */
export const studentModelKey = (studentId: string, modelId: string): string => `${studentId}\u0000${modelId}`;

/**
 * Holds these students' rows until the caller's transaction ends, so that judging a face against
 * a student's templates and storing or deleting templates happen one transaction at a time per
 * student: two kiosk pushes racing for a student with no face yet cannot both be judged "first
 * enrolment", and an admin's removal cannot slip between a push's checks and its insert. A no-op
 * UPDATE takes PostgreSQL's row lock (door-templates.ts takes the same row's lock with FOR UPDATE);
 * SQLite runs one write transaction at a time anyway. Sorted, so two pushes never deadlock.
 */
export async function lockStudents(trx: Executor, studentIds: readonly string[]): Promise<void> {
  for (const id of unique(studentIds).sort())
    await trx
      .updateTable('students')
      .set((eb) => ({ site_id: eb.ref('site_id') }))
      .where('id', '=', id)
      .execute();
}

/** A student's faces on the server per student and model (studentModelKey), in one read. */
export interface StudentFaces {
  /** Enrolment templates (kiosk and photo): what a new face is judged against. */
  enrolment: Map<string, Float32Array[]>;
  /** Door templates: they judge only a kiosk enrolment of a student with nothing else left. */
  door: Map<string, Float32Array[]>;
}

/**
 * These students' templates, split by kind. A row whose embedding does not decode, or does not
 * have its model's size (stored before sizes were checked), is left out: it vouches for nothing,
 * and a student whose only rows are such is enrolled afresh instead of refused for ever.
 */
export async function facesOfStudents(db: Executor, studentIds: readonly string[]): Promise<StudentFaces> {
  const out: StudentFaces = { enrolment: new Map(), door: new Map() };
  for (const chunk of chunks(unique(studentIds), 500)) {
    const rows = await db
      .selectFrom('templates')
      .select(['student_id', 'model_id', 'source', 'embedding'])
      .where('student_id', 'in', chunk)
      .execute();
    for (const row of rows) {
      const decoded = decodeEmbedding(row.embedding, embeddingSizeOf(row.model_id) ?? undefined);
      if (!decoded.ok) continue;
      const into = row.source === 'door' ? out.door : out.enrolment;
      const key = studentModelKey(row.student_id, row.model_id);
      into.set(key, [...(into.get(key) ?? []), decoded.embedding]);
    }
  }
  return out;
}

export type Likeness =
  /** Not comparable: the offered embedding has another size than the student's templates of its model. */
  | { verdict: 'wrong_size'; got: number; expected: number }
  | {
      /**
       * `alike`: best cosine ≥ floor. `unlike_enrolment`: below it. `uncalibrated_model`: the model
       * has no calibrated point, so nothing can be judged and the face is refused.
       */
      verdict: 'alike' | 'unlike_enrolment' | 'uncalibrated_model';
      /** Best cosine with the student's templates (4 decimals; -1 when none decoded). */
      likeness: number;
      floor: number | null;
    };

/**
 * Judges a unit-length `embedding` of `modelId` against the student's enrolment templates of that
 * model (`enrolment`, from facesOfStudents; the caller decides what having none means).
 */
export function judgeLikeness(
  embedding: Float32Array,
  enrolment: readonly Float32Array[],
  modelId: string,
): Likeness {
  let best = -1;
  for (const e of enrolment) {
    if (e.length !== embedding.length)
      return { verdict: 'wrong_size', got: embedding.length, expected: e.length };
    let dot = 0;
    for (let i = 0; i < e.length; i++) dot += e[i]! * embedding[i]!;
    best = Math.max(best, dot);
  }
  const likeness = Math.round(best * 1e4) / 1e4;
  const floor = doorTemplateFloor(modelId);
  if (floor === null) return { verdict: 'uncalibrated_model', likeness, floor };
  return { verdict: likeness < floor ? 'unlike_enrolment' : 'alike', likeness, floor };
}
