// Roster import from a school's CSV export: students (number, given and family name, email,
// guardian email, consent) and the classes each is enrolled in. All or nothing: the file is
// checked row by row first; any error and nothing is written (the report says row, column and
// why); otherwise the whole import is ONE transaction. A dry run stops after the plan.
// Re-importing the same file changes nothing (every row comes back `unchanged`). The import
// never deletes: a student missing from the file, or a class missing from a student's row,
// stays as it is (unenrol or erase through the API/console).
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { isForeignKeyViolation, isUniqueViolation } from '../db/database.js';
import type { DB, EnrolmentTable, StudentTable } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { writeAudit, type Actor } from '../repositories/audit.js';
import { appendChanges, type ChangeInput } from '../repositories/changes.js';
import { lockActiveClass } from '../repositories/class-lock.js';
import { rosterEnrolment } from '../repositories/classes.js';
import { chunks, unique, type Executor } from '../repositories/executor.js';
import { getSite } from '../repositories/rooms.js';
import { dropTemplates, rosterStudent } from '../repositories/students.js';

/** Column names (header row, case and spaces ignored). `email`, `guardian_email` and `classes` may be left out. */
export const ROSTER_COLUMNS = [
  'student_number',
  'given_name',
  'family_name',
  'email',
  'guardian_email',
  'consent',
  'classes',
] as const;
const REQUIRED = ['student_number', 'given_name', 'family_name', 'consent'] as const;
export const MAX_IMPORT_ROWS = 20_000;
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

export interface ImportError {
  /** 1-based line of the file (the header is row 1); null for a whole-file problem. */
  row: number | null;
  column: string | null;
  message: string;
}

export interface ImportRowResult {
  row: number;
  studentNumber: string;
  action: 'create' | 'update' | 'unchanged';
  /** Fields that change (update) and classes the student is enrolled in anew. */
  changes: string[];
}

export interface ImportReport {
  dryRun: boolean;
  /** False when there are errors: then nothing was (or would be) written. */
  ok: boolean;
  siteId: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  enrolmentsAdded: number;
  errors: ImportError[];
  results: ImportRowResult[];
}

interface ParsedRow {
  row: number;
  studentNumber: string;
  name: string;
  email: string | null;
  guardianEmail: string | null;
  consent: boolean;
  classes: string[];
}

const CONSENT: Record<string, boolean> = {
  yes: true,
  y: true,
  true: true,
  '1': true,
  no: false,
  n: false,
  false: false,
  '0': false,
};
const EmailOk = z.string().email();
const normaliseHeader = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/**
 * The character between columns, read from the header row (whose names hold no comma, semicolon
 * or tab): a comma, or the semicolon that spreadsheets write as "CSV" where the comma is the
 * decimal mark, or a tab. In a semicolon file a `classes` cell listing several classes is quoted
 * by the spreadsheet, so its own `;` still separates the classes.
 */
export function headerDelimiter(text: string): ',' | ';' | '\t' {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  if (header.includes('\t')) return '\t';
  return ',';
}

/** Decodes and parses the file; every problem found is reported, none thrown. */
export function parseRosterCsv(bytes: Uint8Array): { rows: ParsedRow[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  if (bytes.length > MAX_IMPORT_BYTES)
    return {
      rows: [],
      errors: [{ row: null, column: null, message: `file is larger than ${MAX_IMPORT_BYTES} bytes` }],
    };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find where: the first line that is not valid UTF-8 (typically a Latin-1 or Windows-1252 export).
    let line = 1;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x0a) line++;
      else if ((bytes[i] ?? 0) >= 0x80) {
        const end = bytes.indexOf(0x0a, i);
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(
            bytes.subarray(bytes.lastIndexOf(0x0a, i) + 1, end === -1 ? bytes.length : end),
          );
        } catch {
          break;
        }
      }
    }
    return {
      rows: [],
      errors: [
        {
          row: line,
          column: null,
          message: 'the file is not UTF-8 text (save it as "CSV UTF-8"); nothing was imported',
        },
      ],
    };
  }
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: headerDelimiter(text),
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return {
      rows: [],
      errors: [
        { row: e.lines ?? null, column: null, message: `not a readable CSV: ${e.message ?? String(err)}` },
      ],
    };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ row: null, column: null, message: 'the file is empty' }] };
  const columns = header.map(normaliseHeader);
  const unknown = columns.filter((c) => !(ROSTER_COLUMNS as readonly string[]).includes(c));
  for (const c of unknown)
    errors.push({
      row: 1,
      column: c,
      message: `unknown column "${c}" (expected: ${ROSTER_COLUMNS.join(', ')})`,
    });
  for (const c of REQUIRED)
    if (!columns.includes(c)) errors.push({ row: 1, column: c, message: `missing column "${c}"` });
  for (const c of new Set(columns))
    if (columns.filter((x) => x === c).length > 1)
      errors.push({ row: 1, column: c, message: `column "${c}" appears twice` });
  if (errors.length > 0) return { rows: [], errors };
  if (body.length > MAX_IMPORT_ROWS)
    return {
      rows: [],
      errors: [{ row: null, column: null, message: `more than ${MAX_IMPORT_ROWS} rows; split the file` }],
    };

  const rows: ParsedRow[] = [];
  const firstRowOf = new Map<string, number>();
  body.forEach((record, i) => {
    const row = i + 2;
    const cell = (c: string) => {
      const at = columns.indexOf(c);
      return at === -1 ? '' : (record[at] ?? '');
    };
    const fail = (column: string, message: string) => errors.push({ row, column, message });
    if (record.length !== columns.length)
      fail(
        columns[Math.min(record.length, columns.length) - 1] ?? columns[0] ?? '',
        `${record.length} fields, the header has ${columns.length}`,
      );
    const studentNumber = cell('student_number');
    if (studentNumber === '') fail('student_number', 'empty');
    else if (studentNumber.length > 64) fail('student_number', 'longer than 64 characters');
    else if (firstRowOf.has(studentNumber))
      fail('student_number', `duplicate: ${studentNumber} is also on row ${firstRowOf.get(studentNumber)}`);
    else firstRowOf.set(studentNumber, row);
    const given = cell('given_name');
    const family = cell('family_name');
    if (given === '') fail('given_name', 'empty');
    if (family === '') fail('family_name', 'empty');
    const name = `${given} ${family}`;
    if (name.length > 200) fail('family_name', 'name longer than 200 characters');
    const email = cell('email') || null;
    if (email !== null && !EmailOk.safeParse(email).success) fail('email', `not an email address: ${email}`);
    const guardianEmail = cell('guardian_email') || null;
    if (guardianEmail !== null && !EmailOk.safeParse(guardianEmail).success)
      fail('guardian_email', `not an email address: ${guardianEmail}`);
    const consentText = cell('consent').toLowerCase();
    const consent = CONSENT[consentText];
    if (consent === undefined) fail('consent', `"${cell('consent')}" is not yes/no`);
    const classes = [
      ...new Set(
        cell('classes')
          .split(/[;|]/)
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      ),
    ];
    rows.push({ row, studentNumber, name, email, guardianEmail, consent: consent ?? false, classes });
  });
  return { rows, errors };
}

interface Plan {
  report: ImportReport;
  creates: StudentTable[];
  updates: { before: StudentTable; after: StudentTable }[];
  enrolments: EnrolmentTable[];
}

/** Compares the file with the database (read only): what would be created, updated, enrolled. */
async function plan(
  db: Executor,
  siteId: string,
  parsed: ParsedRow[],
  errors: ImportError[],
  dryRun: boolean,
  now: string,
): Promise<Plan> {
  const existing = new Map<string, StudentTable>();
  for (const chunk of chunks(
    parsed.map((r) => r.studentNumber).filter((n) => n !== ''),
    500,
  )) {
    const found = await db
      .selectFrom('students')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('student_number', 'in', chunk)
      .execute();
    for (const s of found) existing.set(s.student_number, s);
  }
  // An archived class takes no enrolment (kiosks were told it is gone): it is not matched.
  const classes = await db
    .selectFrom('classes')
    .select(['id', 'name', 'code'])
    .where('site_id', '=', siteId)
    .where('archived_at', 'is', null)
    .execute();
  const byCode = new Map(
    classes.flatMap((c) => (c.code === null ? [] : [[c.code.toLowerCase(), c.id] as const])),
  );
  const byName = new Map<string, string[]>();
  for (const c of classes)
    byName.set(c.name.toLowerCase(), [...(byName.get(c.name.toLowerCase()) ?? []), c.id]);
  const studentIds = [...existing.values()].map((s) => s.id);
  const openEnrolments = new Set<string>();
  for (const chunk of chunks(studentIds, 500)) {
    const rows = await db
      .selectFrom('enrolments')
      .select(['class_id', 'student_id'])
      .where('student_id', 'in', chunk)
      .where('valid_until', 'is', null)
      .execute();
    rows.forEach((r) => openEnrolments.add(`${r.class_id}\n${r.student_id}`));
  }

  const out: Plan = {
    report: {
      dryRun,
      ok: false,
      siteId,
      rows: parsed.length,
      created: 0,
      updated: 0,
      unchanged: 0,
      enrolmentsAdded: 0,
      errors,
      results: [],
    },
    creates: [],
    updates: [],
    enrolments: [],
  };
  for (const r of parsed) {
    const classIds: string[] = [];
    for (const ref of r.classes) {
      const key = ref.toLowerCase();
      const named = byName.get(key) ?? [];
      const id = byCode.get(key) ?? (named.length === 1 ? named[0] : undefined);
      if (id === undefined)
        errors.push({
          row: r.row,
          column: 'classes',
          message:
            named.length > 1
              ? `"${ref}" names ${named.length} classes; use the class code`
              : `unknown class "${ref}" at this site`,
        });
      else classIds.push(id);
    }
    const before = existing.get(r.studentNumber);
    const changes: string[] = [];
    let student: StudentTable;
    if (!before) {
      student = {
        id: randomUUID(),
        site_id: siteId,
        student_number: r.studentNumber,
        name: r.name,
        email: r.email,
        guardian_email: r.guardianEmail,
        consent: r.consent ? 1 : 0,
        consent_at: r.consent ? now : null,
        created_at: now,
        updated_at: now,
      };
      out.creates.push(student);
    } else {
      if (before.name !== r.name) changes.push('name');
      if (before.email !== r.email) changes.push('email');
      if (before.guardian_email !== r.guardianEmail) changes.push('guardian_email');
      const consentChanged = before.consent !== (r.consent ? 1 : 0);
      if (consentChanged) changes.push('consent');
      student = {
        ...before,
        name: r.name,
        email: r.email,
        guardian_email: r.guardianEmail,
        consent: r.consent ? 1 : 0,
        consent_at: consentChanged ? (r.consent ? now : null) : before.consent_at,
        updated_at: changes.length > 0 ? now : before.updated_at,
      };
      if (changes.length > 0) out.updates.push({ before, after: student });
    }
    for (const classId of new Set(classIds)) {
      if (openEnrolments.has(`${classId}\n${student.id}`)) continue;
      out.enrolments.push({
        id: randomUUID(),
        class_id: classId,
        student_id: student.id,
        created_at: now,
        valid_from: null,
        valid_until: null,
      });
      const cls = classes.find((c) => c.id === classId);
      changes.push(`enrol:${cls?.code ?? cls?.name ?? classId}`);
    }
    const action = !before ? 'create' : changes.length > 0 ? 'update' : 'unchanged';
    out.report.results.push({ row: r.row, studentNumber: r.studentNumber, action, changes });
  }
  out.report.created = out.report.results.filter((x) => x.action === 'create').length;
  out.report.updated = out.report.results.filter((x) => x.action === 'update').length;
  out.report.unchanged = out.report.results.filter((x) => x.action === 'unchanged').length;
  out.report.enrolmentsAdded = out.enrolments.length;
  out.report.errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  out.report.ok = out.report.errors.length === 0;
  return out;
}

/**
 * Checks the file, then (not a dry run, no errors) applies it in one transaction, audited
 * `roster.import` with its counts. A real run refused writes nothing but `roster.import_refused`,
 * with counts and codes only, never the file's contents (the error messages quote cells): for
 * errors in the file (422), how many rows and problems; for a refusal as it was being written (an
 * archive or a deletion of a class it enrols into, another import creating the same student at
 * the same moment: 409 or 404, nothing written), how many rows and the refusal's code. A dry run
 * is only a look and writes nothing. A student re-enrolled after leaving a class gets a fresh
 * enrolment only if the old one was closed.
 */
export async function importRoster(
  db: Kysely<DB>,
  bytes: Uint8Array,
  options: { siteId: string; dryRun: boolean; actor: Actor; now: string },
): Promise<ImportReport> {
  await getSite(db, options.siteId);
  const parsed = parseRosterCsv(bytes);
  const refused = (detail: Record<string, unknown>) =>
    writeAudit(
      db,
      {
        actor: options.actor,
        action: 'roster.import_refused',
        entity: 'site',
        entityId: options.siteId,
        detail: { rows: parsed.rows.length, ...detail },
      },
      options.now,
    );
  let report: ImportReport;
  try {
    report = await applyRoster(db, parsed, options);
  } catch (err) {
    const code = refusalCode(err);
    if (!options.dryRun && code !== null) await refused({ refusal: code });
    throw err;
  }
  if (!report.dryRun && !report.ok) await refused({ problems: report.errors.length });
  return report;
}

/**
 * The code of a refusal the transaction met (its writes undone): a rule's (`class_archived`,
 * `not_found`), or a constraint that a write made at the same moment took first (`conflict`, as
 * the error handler answers it). Null for a failure that is not a refusal (the database down).
 */
function refusalCode(err: unknown): string | null {
  if (err instanceof HttpError) return err.code;
  if (isUniqueViolation(err) || isForeignKeyViolation(err)) return 'conflict';
  return null;
}

async function applyRoster(
  db: Kysely<DB>,
  parsed: ReturnType<typeof parseRosterCsv>,
  options: { siteId: string; dryRun: boolean; actor: Actor; now: string },
): Promise<ImportReport> {
  if (options.dryRun || parsed.errors.length > 0) {
    return (await plan(db, options.siteId, parsed.rows, parsed.errors, options.dryRun, options.now)).report;
  }
  try {
    return await db.transaction().execute(async (trx) => {
      // Planned again inside the transaction, so what is written is what was checked.
      const p = await plan(trx, options.siteId, parsed.rows, parsed.errors, false, options.now);
      if (!p.report.ok) throw new RejectedImport(p.report);
      const changes: ChangeInput[] = [];
      for (const chunk of chunks(p.creates, 500)) await trx.insertInto('students').values(chunk).execute();
      for (const s of p.creates)
        changes.push({ siteId: s.site_id, entity: 'student', entityId: s.id, data: rosterStudent(s) });
      for (const { before, after } of p.updates) {
        await trx
          .updateTable('students')
          .set({
            name: after.name,
            email: after.email,
            guardian_email: after.guardian_email,
            consent: after.consent,
            consent_at: after.consent_at,
            updated_at: after.updated_at,
          })
          .where('id', '=', after.id)
          .execute();
        changes.push({
          siteId: after.site_id,
          entity: 'student',
          entityId: after.id,
          data: rosterStudent(after),
        });
        // Consent withdrawn: the face templates go, as with PATCH /api/students/:id.
        if (before.consent === 1 && after.consent === 0) changes.push(...(await dropTemplates(trx, before)));
      }
      // An archive committed since the plan read the classes would miss these enrolments: each
      // class is locked and checked (409 `class_archived`, nothing imported), in one order so
      // two imports cannot deadlock.
      for (const classId of unique(p.enrolments.map((e) => e.class_id)).sort())
        await lockActiveClass(trx, classId);
      for (const chunk of chunks(p.enrolments, 500))
        await trx.insertInto('enrolments').values(chunk).execute();
      for (const e of p.enrolments)
        changes.push({
          siteId: options.siteId,
          entity: 'enrolment',
          entityId: e.id,
          data: rosterEnrolment(e),
        });
      await appendChanges(trx, changes, options.now);
      await writeAudit(
        trx,
        {
          actor: options.actor,
          action: 'roster.import',
          entity: 'site',
          entityId: options.siteId,
          detail: {
            created: p.report.created,
            updated: p.report.updated,
            enrolmentsAdded: p.report.enrolmentsAdded,
          },
        },
        options.now,
      );
      return p.report;
    });
  } catch (err) {
    if (err instanceof RejectedImport) return err.report;
    throw err;
  }
}

class RejectedImport extends Error {
  constructor(readonly report: ImportReport) {
    super('import rejected');
  }
}
