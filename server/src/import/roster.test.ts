// POST /api/import/roster: dry run, all-or-nothing real run, row-by-row errors, idempotent re-import.
import { describe, expect, it } from 'vitest';
import { bearer, buildTestApp, call, seed } from '../../test/app.js';
import { testDialects } from '../../test/databases.js';
import { parseRosterCsv } from './roster.js';

const dialects = await testDialects();

const GOOD = [
  'student_number,given_name,family_name,email,guardian_email,consent,classes',
  'R-001,Ada,Lovelace,ada@school.example,parent.ada@home.example,yes,MATH-7',
  'R-002,Bob,"Moses, Jr.",,bob.guardian@home.example,no,MATH-7;ART-7',
  'R-003,Zoë,Ångström,zoe@school.example,,yes,',
].join('\n');

describe('parseRosterCsv (pure)', () => {
  it('reads quoted fields, UTF-8 names, optional cells and class lists', () => {
    const { rows, errors } = parseRosterCsv(Buffer.from(`\uFEFF${GOOD}`));
    expect(errors).toEqual([]);
    expect(
      rows.map((r) => [r.row, r.studentNumber, r.name, r.email, r.guardianEmail, r.consent, r.classes]),
    ).toEqual([
      [2, 'R-001', 'Ada Lovelace', 'ada@school.example', 'parent.ada@home.example', true, ['MATH-7']],
      [3, 'R-002', 'Bob Moses, Jr.', null, 'bob.guardian@home.example', false, ['MATH-7', 'ART-7']],
      [4, 'R-003', 'Zoë Ångström', 'zoe@school.example', null, true, []],
    ]);
  });

  it('reports missing columns, duplicate numbers, bad emails and consent, row by row', () => {
    expect(parseRosterCsv(Buffer.from('student_number,given_name,consent\nR-1,Ada,yes')).errors).toEqual([
      { row: 1, column: 'family_name', message: 'missing column "family_name"' },
    ]);
    const bad = [
      'student_number,given_name,family_name,email,consent',
      'R-1,Ada,L,ada@x.example,yes',
      'R-1,Bob,M,not-an-email,maybe',
      ',Cy,,,no',
    ].join('\n');
    expect(parseRosterCsv(Buffer.from(bad)).errors).toEqual([
      { row: 3, column: 'student_number', message: 'duplicate: R-1 is also on row 2' },
      { row: 3, column: 'email', message: 'not an email address: not-an-email' },
      { row: 3, column: 'consent', message: '"maybe" is not yes/no' },
      { row: 4, column: 'student_number', message: 'empty' },
      { row: 4, column: 'family_name', message: 'empty' },
    ]);
  });

  it('reads the semicolon-separated CSV that spreadsheets save where the comma is the decimal mark', () => {
    const semicolons = [
      'student_number;given_name;family_name;consent;classes',
      'R-001;Ada;Lovelace;yes;MATH-7',
      'R-002;Bob;"Moses; Jr.";no;"MATH-7;ART-7"',
    ].join('\r\n');
    const { rows, errors } = parseRosterCsv(Buffer.from(`\uFEFF${semicolons}`));
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.studentNumber, r.name, r.consent, r.classes])).toEqual([
      ['R-001', 'Ada Lovelace', true, ['MATH-7']],
      ['R-002', 'Bob Moses; Jr.', false, ['MATH-7', 'ART-7']],
    ]);
    // A tab-separated export too; a comma file keeps commas even with a semicolon in a cell.
    expect(
      parseRosterCsv(Buffer.from('student_number\tgiven_name\tfamily_name\tconsent\nR-1\tAda\tL\tyes')).rows,
    ).toEqual([expect.objectContaining({ studentNumber: 'R-1', name: 'Ada L' })]);
    expect(parseRosterCsv(Buffer.from(GOOD)).rows[1]?.classes).toEqual(['MATH-7', 'ART-7']);
  });

  it('refuses a file that is not UTF-8 and says on which row', () => {
    const latin1 = Buffer.concat([
      Buffer.from('student_number,given_name,family_name,consent\nR-1,Ada,L,yes\nR-2,'),
      Buffer.from([0x5a, 0x6f, 0xeb]),
      Buffer.from(',A,yes\n'),
    ]);
    expect(parseRosterCsv(latin1).errors).toEqual([
      { row: 3, column: null, message: expect.stringMatching(/not UTF-8/) },
    ]);
  });
});

describe.each(dialects)('roster import on $name', (dialect) => {
  it.skipIf(!dialect.available)(
    'dry run shows the plan and writes nothing; the real run writes all; a re-import changes nothing',
    async () => {
      const database = await dialect.open();
      const t = await buildTestApp(database);
      try {
        const s = await seed(t, database, { students: 1 });
        await call(t.app, s.adminToken, 'POST', '/api/classes', {
          name: 'Maths 7',
          code: 'MATH-7',
          siteId: 'default',
        });
        await call(t.app, s.adminToken, 'POST', '/api/classes', {
          name: 'Art 7',
          code: 'ART-7',
          siteId: 'default',
        });
        const send = (csv: string | Buffer, dryRun: boolean) =>
          t.app.inject({
            method: 'POST',
            url: `/api/import/roster?dryRun=${dryRun}`,
            headers: { ...bearer(s.adminToken), 'content-type': 'text/csv' },
            payload: csv,
          });
        const count = async () => ({
          students: (await database.db.selectFrom('students').select('id').execute()).length,
          enrolments: (await database.db.selectFrom('enrolments').select('id').execute()).length,
          changes: (
            await database.db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow()
          ).last_seq,
        });
        const before = await count();

        const dry = await send(GOOD, true);
        expect(dry.statusCode).toBe(200);
        expect(dry.json()).toMatchObject({
          dryRun: true,
          ok: true,
          rows: 3,
          created: 3,
          updated: 0,
          unchanged: 0,
          enrolmentsAdded: 3,
          errors: [],
        });
        expect(await count()).toEqual(before);

        const real = await send(GOOD, false);
        expect(real.json()).toMatchObject({ dryRun: false, ok: true, created: 3, enrolmentsAdded: 3 });
        const after = await count();
        expect(after).toMatchObject({ students: before.students + 3, enrolments: before.enrolments + 3 });

        const again = await send(GOOD, false);
        expect(again.json()).toMatchObject({
          ok: true,
          created: 0,
          updated: 0,
          unchanged: 3,
          enrolmentsAdded: 0,
        });
        expect(await count()).toEqual(after);

        // An edit: Bob gets an email and gives consent; reported as an update of those fields.
        const edited = GOOD.replace(
          'R-002,Bob,"Moses, Jr.",,bob.guardian@home.example,no',
          'R-002,Bob,"Moses, Jr.",bob@school.example,bob.guardian@home.example,yes',
        );
        expect((await send(edited, true)).json()).toMatchObject({
          updated: 1,
          unchanged: 2,
          results: expect.arrayContaining([
            { row: 3, studentNumber: 'R-002', action: 'update', changes: ['email', 'consent'] },
          ]),
        });
      } finally {
        await t.app.close();
        await database.cleanup();
      }
    },
  );

  it.skipIf(!dialect.available)(
    'one bad row (unknown class) refuses the whole file with 422 and changes nothing',
    async () => {
      const database = await dialect.open();
      const t = await buildTestApp(database);
      try {
        const s = await seed(t, database, { students: 1 });
        await call(t.app, s.adminToken, 'POST', '/api/classes', {
          name: 'Maths 7',
          code: 'MATH-7',
          siteId: 'default',
        });
        const changesBefore = (
          await database.db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow()
        ).last_seq;
        const students = (await database.db.selectFrom('students').select('id').execute()).length;
        const csv = `${GOOD.split('\n').slice(0, 2).join('\n')}\nR-009,Cy,Young,cy@school.example,,yes,HISTORY-9`;
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/import/roster',
          headers: { ...bearer(s.adminToken), 'content-type': 'text/csv' },
          payload: csv,
        });
        expect(res.statusCode).toBe(422);
        expect(res.json()).toMatchObject({
          ok: false,
          errors: [{ row: 3, column: 'classes', message: 'unknown class "HISTORY-9" at this site' }],
        });
        expect((await database.db.selectFrom('students').select('id').execute()).length).toBe(students);
        expect(
          (await database.db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow())
            .last_seq,
        ).toBe(changesBefore);
        // Teachers may not import.
        const teacher = await t.app.inject({
          method: 'POST',
          url: '/api/import/roster',
          headers: { ...bearer(s.teacherToken), 'content-type': 'text/csv' },
          payload: csv,
        });
        expect(teacher.statusCode).toBe(403);
      } finally {
        await t.app.close();
        await database.cleanup();
      }
    },
  );
});
