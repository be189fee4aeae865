// npm run server:import -- <dir> [--consent] [--site <site name or id>]
// One folder per student (folder name = student number). Without --consent the students are
// created but get no templates: face templates need recorded consent. Safe to run again on the
// same folder: photos already imported for a student are skipped (`alreadyImported`).
import { stat } from 'node:fs/promises';
import { configFromEnv } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { serverCommand } from '../startup-hints.js';
import { flags } from './args.js';
import { noConsentHint } from './import-hints.js';
import { siteIdOrExit } from './site-arg.js';
import { FaceEngineStopped, importDirectory, type StudentImport } from './import-photos.js';

const USAGE = `Usage: ${serverCommand('import', '<dir> [--consent] [--site <site name or id>]')}`;

async function main() {
  const { values, positionals } = flags(
    process.argv.slice(2),
    {
      consent: { type: 'boolean' },
      site: { type: 'string' },
    },
    USAGE,
  );
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1) {
    console.error(USAGE);
    process.exit(2);
  }
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    console.error(`Not a directory: ${dir}\n${USAGE}`);
    process.exit(2);
  }
  const config = configFromEnv(process.env);
  const database = openDatabase(config.database);
  await migrate(database).catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  const siteId = await siteIdOrExit(database, values.site, USAGE);
  const { createFaceEngine } = await import('../../../src/ml/index.js');
  const engine = await createFaceEngine({ maxQueue: 4 });
  try {
    const started = Date.now();
    let students: StudentImport[];
    let stopped: FaceEngineStopped | null = null;
    try {
      students = await importDirectory(database.db, engine, dir, {
        siteId,
        consent: values.consent === true,
        now: () => new Date().toISOString(),
        maxPhotoBytes: config.photoLimitBytes,
      });
    } catch (err) {
      // The engine stopped part-way: the summary of what was done is still the one to print,
      // with the photos not processed, and the run fails so that a script notices.
      if (!(err instanceof FaceEngineStopped)) throw err;
      stopped = err;
      students = err.students;
    }
    const rejected = students.flatMap((s) =>
      s.photos
        .filter((p) => p.status === 'rejected')
        .map((p) => ({ folder: s.folder, file: p.filename, reason: p.reason })),
    );
    console.log(
      JSON.stringify(
        {
          backend: engine.backend,
          modelId: engine.modelId,
          students: students.length,
          created: students.filter((s) => s.created).length,
          templates: students.reduce((n, s) => n + s.templates, 0),
          alreadyImported: students.reduce((n, s) => n + s.alreadyImported, 0),
          skippedNoConsent: students.filter((s) => s.skipped !== undefined).map((s) => s.folder),
          rejected,
          ...(stopped
            ? {
                notProcessed: stopped.notProcessed,
                stopped: stopped.message,
                engineError: students.flatMap((s) => s.photos).find((p) => p.status === 'not_processed')
                  ?.reason,
              }
            : {}),
          seconds: Math.round((Date.now() - started) / 100) / 10,
        },
        null,
        2,
      ),
    );
    const noConsent = students.filter((s) => s.skipped !== undefined).map((s) => s.folder);
    if (noConsent.length > 0) console.error(noConsentHint(noConsent));
    if (stopped) {
      console.error(stopped.message);
      process.exitCode = 1;
    }
  } finally {
    await engine.dispose();
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
