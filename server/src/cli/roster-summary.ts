// The closing sentence of `npm run server:import-roster`, on stderr after the JSON report: the
// report of a school's file runs to hundreds of lines, and its first screen does not say whether
// anything was written. The problems come first here (a few of them, by line and column).
import type { ImportReport } from '../import/roster.js';

const SHOWN = 5;

export function rosterSummary(report: ImportReport): string {
  if (!report.ok) {
    const n = report.errors.length;
    const listed = report.errors
      .slice(0, SHOWN)
      .map(
        (e) =>
          `  ${e.row === null ? 'file' : `line ${e.row}`}${e.column ? `, ${e.column}` : ''}: ${e.message}`,
      );
    return [
      `${n} problem${n === 1 ? '' : 's'} in the file, so nothing was imported${report.dryRun ? ' (dry run)' : ''}:`,
      ...listed,
      ...(n > SHOWN ? [`  … and ${n - SHOWN} more (all under "errors" above)`] : []),
      'Fix the file and run the command again.',
    ].join('\n');
  }
  const { created, updated, unchanged, enrolmentsAdded: enrolments } = report;
  return report.dryRun
    ? `Dry run, nothing written: ${created} to create, ${updated} to update, ${unchanged} unchanged, ` +
        `${enrolments} class enrolments to add. Run the same command without --dry-run to import.`
    : `Imported: ${created} created, ${updated} updated, ${unchanged} unchanged, ${enrolments} class enrolments added.`;
}
