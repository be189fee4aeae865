import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../import/roster.js';
import { rosterSummary } from './roster-summary.js';

const report = (over: Partial<ImportReport>): ImportReport => ({
  dryRun: false,
  ok: true,
  siteId: 'default',
  rows: 3,
  created: 2,
  updated: 1,
  unchanged: 0,
  enrolmentsAdded: 3,
  errors: [],
  results: [],
  ...over,
});

describe('the closing sentence of server:import-roster', () => {
  it('says that a refused file wrote nothing, and lists the first problems by line and column', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({
      row: i + 2,
      column: 'consent',
      message: `"x${i}" is not yes/no`,
    }));
    const text = rosterSummary(
      report({
        ok: false,
        dryRun: true,
        errors: [{ row: null, column: null, message: 'not UTF-8' }, ...errors],
      }),
    );
    expect(text.split('\n')).toEqual([
      '8 problems in the file, so nothing was imported (dry run):',
      '  file: not UTF-8',
      '  line 2, consent: "x0" is not yes/no',
      '  line 3, consent: "x1" is not yes/no',
      '  line 4, consent: "x2" is not yes/no',
      '  line 5, consent: "x3" is not yes/no',
      '  … and 3 more (all under "errors" above)',
      'Fix the file and run the command again.',
    ]);
  });

  it('tells a clean dry run how to import for real, and a real run what it did', () => {
    expect(rosterSummary(report({ dryRun: true }))).toBe(
      'Dry run, nothing written: 2 to create, 1 to update, 0 unchanged, 3 class enrolments to add. ' +
        'Run the same command without --dry-run to import.',
    );
    expect(rosterSummary(report({}))).toBe(
      'Imported: 2 created, 1 updated, 0 unchanged, 3 class enrolments added.',
    );
  });
});
