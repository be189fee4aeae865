// npm run server:import-roster -- <file.csv> [--site <site name or id>] [--dry-run]
// The same import as POST /api/import/roster: checks every row first, then writes all of it in
// one transaction or nothing. Prints the report as JSON; exit code 1 when the file was refused.
import { readFile } from 'node:fs/promises';
import { configFromEnv } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { importRoster } from '../import/roster.js';
import { serverCommand } from '../startup-hints.js';
import { flags } from './args.js';
import { rosterSummary } from './roster-summary.js';
import { siteIdOrExit } from './site-arg.js';

const USAGE = `Usage: ${serverCommand('import-roster', '<file.csv> [--site <site name or id>] [--dry-run]')}`;

async function main() {
  const { values, positionals } = flags(
    process.argv.slice(2),
    {
      site: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    USAGE,
  );
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) {
    console.error(USAGE);
    process.exit(2);
  }
  const bytes = await readFile(file).catch((err: unknown) => {
    console.error(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  });
  const database = openDatabase(configFromEnv(process.env).database);
  try {
    await migrate(database);
    const siteId = await siteIdOrExit(database, values.site, USAGE);
    const report = await importRoster(database.db, bytes, {
      siteId,
      dryRun: values['dry-run'] === true,
      actor: { kind: 'cli', id: null },
      now: new Date().toISOString(),
    });
    console.log(JSON.stringify(report, null, 2));
    console.error(rosterSummary(report));
    if (!report.ok) process.exitCode = 1;
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
