// Deleting the templates of a retired face model. Kiosks ignore templates of another model
// (their embeddings cannot be compared), so after a model change the old ones are biometric
// data kept for nothing; this removes them here and, by tombstone, at every kiosk.
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { SHIPPED_MODEL_ID } from '../../../src/ml/config.js';
import { conflict } from '../errors.js';
import { userOf } from '../plugins/auth.js';
import { purgeModelTemplates } from '../repositories/templates.js';
import { ModelPurgeQuery, ModelPurgeResult } from '../schemas/templates.js';
import { typed, type RoutePlugin } from './types.js';

const templates: RoutePlugin = async (app) => {
  const r = typed(app);

  // [console] Which model "needs re-enrolment" is measured against (the students filter).
  r.get(
    '/api/face-models/current',
    {
      onRequest: app.requireUser(),
      schema: {
        tags: ['students'],
        security: [{ user: [] }],
        summary: "The face model this release's kiosks run: templates of other models are not recognised",
        response: { 200: z.object({ modelId: z.string() }) },
      },
    },
    async () => ({ modelId: SHIPPED_MODEL_ID }),
  );

  r.delete(
    '/api/templates',
    {
      onRequest: app.requireUser('admin'),
      schema: {
        tags: ['students'],
        security: [{ user: [] }],
        summary: 'Delete the face templates of a retired model (dryRun=true: only count them)',
        description:
          'Deletes every template of `modelId` (of `siteId` only, when given) in one transaction and leaves tombstones, so kiosks drop them on their next roster pull; ' +
          "audited as `templates.purge_model`. With `onlyIfReplacedBy=<model>`, a student's `modelId` templates go only if they already have a template of that model: " +
          'students not yet re-enrolled keep theirs (`studentsKept`). Check the counts with `dryRun=true` first. Unknown parameters are a 400. ' +
          "Deleting the model this release's kiosks run (without `onlyIfReplacedBy`) is a 409: every kiosk would stop recognising everyone.",
        querystring: ModelPurgeQuery,
        response: { 200: ModelPurgeResult, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const { dryRun, ...purge } = request.query;
      if (!dryRun && purge.modelId === SHIPPED_MODEL_ID && !purge.onlyIfReplacedBy) {
        throw conflict(
          `${SHIPPED_MODEL_ID} is the face model this release's kiosks run: deleting its templates would stop every kiosk recognising anyone. ` +
            'Re-enrol students first, or use onlyIfReplacedBy.',
          'model_in_use',
        );
      }
      const counts = await purgeModelTemplates(app.ctx.db, purge, {
        dryRun,
        actor: { kind: 'user', id: user.id, label: user.email },
        now: app.ctx.nowIso(),
      });
      return {
        dryRun,
        modelId: purge.modelId,
        siteId: purge.siteId ?? null,
        onlyIfReplacedBy: purge.onlyIfReplacedBy ?? null,
        ...counts,
      };
    },
  );
};
export default templates;
