// Does a face offered by a device as a student's template look like the faces the server already
// holds for that student? A device token can name any consenting student of its site, so this is
// what stops a stolen token from putting a stranger's face on a child: door templates (template
// freshness) and kiosk enrolments of a student who already has templates are both judged here,
// against the student's ENROLMENT templates of the same model (kiosk and photo enrolments; door
// templates are themselves judged against those, so letting them vouch would let a face drift two
// steps from the enrolled child). The floor is the model's calibrated class threshold
// (doorTemplateFloor): the similarity at which the door itself would take the face for that child.
import { decodeEmbedding } from '../../../src/ml/embedding-codec.js';
import { doorTemplateFloor } from '../../../src/ml/door-template.js';
import { chunks, unique, type Executor } from './executor.js';

/** Map key of one student's templates of one model. */
export const studentModelKey = (studentId: string, modelId: string): string => `${studentId}\u0000${modelId}`;

/**
 * The enrolment templates (source other than 'door') of these students, per student and model
 * (studentModelKey). A row whose embedding does not decode is left out: it vouches for nothing.
 */
export async function enrolmentTemplatesOf(
  db: Executor,
  studentIds: readonly string[],
): Promise<Map<string, Float32Array[]>> {
  const out = new Map<string, Float32Array[]>();
  for (const chunk of chunks(unique(studentIds), 500)) {
    const rows = await db
      .selectFrom('templates')
      .select(['student_id', 'model_id', 'embedding'])
      .where('student_id', 'in', chunk)
      .where('source', '!=', 'door')
      .execute();
    for (const row of rows) {
      const decoded = decodeEmbedding(row.embedding);
      if (!decoded.ok) continue;
      const key = studentModelKey(row.student_id, row.model_id);
      out.set(key, [...(out.get(key) ?? []), decoded.embedding]);
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
 * model (`enrolment`, from enrolmentTemplatesOf; the caller decides what having none means).
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
