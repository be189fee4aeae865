// POST /api/import/roster (admin): the roster CSV as the request body (text/csv, UTF-8).
// `?dryRun=true` answers what would change; otherwise the import runs in one transaction and
// answers the same report, or 422 with it (errors row by row) when anything is wrong.
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { userActor } from '../plugins/auth.js';
import type { RoutePlugin } from '../routes/types.js';
import { typed } from '../routes/types.js';
import { MAX_IMPORT_BYTES, importRoster } from './roster.js';

export const ImportReportSchema = z.object({
  dryRun: z.boolean(),
  ok: z.boolean(),
  siteId: z.string(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  enrolmentsAdded: z.number().int(),
  errors: z.array(
    z.object({ row: z.number().int().nullable(), column: z.string().nullable(), message: z.string() }),
  ),
  results: z.array(
    z.object({
      row: z.number().int(),
      studentNumber: z.string(),
      action: z.enum(['create', 'update', 'unchanged']),
      changes: z.array(z.string()),
    }),
  ),
});

const importRoutes: RoutePlugin = async (app) => {
  // The CSV arrives as raw bytes: the importer checks the encoding itself (a Latin-1 export
  // must be reported, not silently mangled into U+FFFD).
  for (const type of ['text/csv', 'text/plain', 'application/octet-stream']) {
    app.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
      (_request, body, done) => done(null, body),
    );
  }
  const r = typed(app);
  r.post(
    '/api/import/roster',
    {
      onRequest: app.requireUser('admin'),
      schema: {
        tags: ['import'],
        security: [{ user: [] }],
        summary: 'Import students and enrolments from a CSV (dry run first); all or nothing',
        description:
          'Body: the CSV (Content-Type text/csv, UTF-8). Header: student_number, given_name, family_name, consent (yes/no) and optionally email, guardian_email, ' +
          'classes (class codes or names separated by ";"). Answers created/updated/unchanged and errors with row and column; 422 (with the report) when the real run is refused.',
        querystring: z.object({
          siteId: z.string().min(1).default('default'),
          dryRun: z.enum(['true', 'false']).default('false'),
        }),
        response: {
          200: ImportReportSchema,
          400: ErrorBody,
          404: ErrorBody,
          // A class it enrols into archived at the same moment (`class_archived`), or another
          // import creating the same student (`conflict`): nothing imported.
          409: ErrorBody,
          422: ImportReportSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as unknown;
      const bytes = Buffer.isBuffer(body)
        ? body
        : typeof body === 'string'
          ? Buffer.from(body)
          : Buffer.alloc(0);
      const report = await importRoster(app.ctx.db, bytes, {
        siteId: request.query.siteId,
        dryRun: request.query.dryRun === 'true',
        actor: userActor(request),
        now: app.ctx.nowIso(),
      });
      return reply.status(report.ok || report.dryRun ? 200 : 422).send(report);
    },
  );
};
export default importRoutes;
