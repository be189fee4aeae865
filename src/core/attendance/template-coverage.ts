// Which students the running face engine can recognise. Every template carries the modelId of
// the engine that made it, and embeddings of different models cannot be compared, so after a
// model upgrade a student whose templates are all of the old model is silently never matched.
// This module says so per student (for the admin's roster) and in total (for the status line).
// It works on counts only: no embeddings, no photos.

/** How many templates a student has of one model (one row per student and model). */
export interface ModelTemplateCount {
  studentId: string;
  modelId: string;
  count: number;
}

export interface StudentTemplateCoverage {
  /** All of the student's templates, whatever their model. */
  templates: number;
  /** Templates of the running model: the only ones the door can compare with. */
  usableTemplates: number;
  /**
   * The student was enrolled (has templates) but none is of the running model: they are not
   * recognised until enrolled again. False while no engine runs (nothing to compare with yet)
   * and for students never enrolled (that is "not enrolled", not "re-enrol").
   */
  needsReEnrolment: boolean;
}

export interface CoverageSummary {
  /** The running engine's model. */
  modelId: string;
  /** Students with at least one usable template. */
  recognisable: number;
  /** Students whose every template is of another model. */
  needReEnrolment: number;
  /** Students on the roster. */
  students: number;
}

const NONE: StudentTemplateCoverage = { templates: 0, usableTemplates: 0, needsReEnrolment: false };

/**
 * Per student, from per-model template counts. `runningModelId` null = the engine has not
 * loaded, so no template is known to be usable yet and nobody is flagged.
 */
export function coverageByStudent(
  counts: Iterable<ModelTemplateCount>,
  runningModelId: string | null,
): Map<string, StudentTemplateCoverage> {
  const out = new Map<string, { templates: number; usableTemplates: number }>();
  for (const c of counts) {
    if (!Number.isInteger(c.count) || c.count < 0)
      throw new RangeError(
        `template count for ${c.studentId}/${c.modelId} must be a non-negative integer, got ${c.count}`,
      );
    const s = out.get(c.studentId) ?? { templates: 0, usableTemplates: 0 };
    s.templates += c.count;
    if (c.modelId === runningModelId) s.usableTemplates += c.count;
    out.set(c.studentId, s);
  }
  return new Map(
    [...out].map(([id, s]) => [
      id,
      { ...s, needsReEnrolment: runningModelId !== null && s.templates > 0 && s.usableTemplates === 0 },
    ]),
  );
}

/** One student's coverage; a student absent from the map has no templates at all. */
export const coverageOf = (
  coverage: ReadonlyMap<string, StudentTemplateCoverage>,
  studentId: string,
): StudentTemplateCoverage => coverage.get(studentId) ?? NONE;

/**
 * Totals over the students on the roster (`studentIds`): templates left behind by students no
 * longer on the roster are not people anyone can re-enrol, so they are not counted.
 */
export function summariseCoverage(
  coverage: ReadonlyMap<string, StudentTemplateCoverage>,
  studentIds: Iterable<string>,
  runningModelId: string,
): CoverageSummary {
  let recognisable = 0;
  let needReEnrolment = 0;
  let students = 0;
  for (const id of studentIds) {
    students += 1;
    const c = coverageOf(coverage, id);
    if (c.usableTemplates > 0) recognisable += 1;
    if (c.needsReEnrolment) needReEnrolment += 1;
  }
  return { modelId: runningModelId, recognisable, needReEnrolment, students };
}
