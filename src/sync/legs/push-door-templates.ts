// Push leg 3: door captures offered as templates (template freshness, docs/recognition.md), one
// per request. The server answers each on its own: stored, a duplicate, the daily limit, or a
// refusal (setting off, student not of this site, another model, a bad embedding). Every answer
// drops the capture's embedding; only trouble a retry may fix (offline, 5xx, 429) leaves it
// pending for the next run. A kept capture comes back through the roster like any template.
import { embeddingToBase64 } from '../../ml/embedding-codec.js';
import { SyncError } from '../http.js';
import { stopIfSuperseded, type LegContext } from './context.js';

/** Refusals that are about this capture (or the setting), not about the kiosk's pairing. */
const REFUSED = new Set([400, 403, 404, 409, 413, 422]);

export async function pushDoorTemplates(ctx: LegContext, batchSize: number): Promise<void> {
  const { store, http, logger } = ctx;
  const captures = store.doorCaptures;
  stopIfSuperseded(ctx);
  // The admin turned the setting off (or never on): nothing waiting may go.
  if (store.sync.get('doorTemplates') !== '1') {
    captures.dropPending('setting_off');
    return;
  }
  let stored = 0,
    refused = 0;
  for (const c of captures.pending(batchSize)) {
    stopIfSuperseded(ctx);
    try {
      const res = await http.offerDoorTemplate({
        id: c.id,
        studentId: c.studentId,
        modelId: c.modelId,
        embedding: embeddingToBase64(c.embedding),
        createdAt: c.createdAt,
        similarity: c.similarity,
        margin: c.margin,
      });
      stopIfSuperseded(ctx);
      captures.answer(c.id, res.status === 'rejected' ? `rejected: ${res.reason ?? 'rejected'}` : res.status);
      if (res.status === 'accepted') stored++;
    } catch (err) {
      stopIfSuperseded(ctx);
      if (!(err instanceof SyncError) || err.status === null || !REFUSED.has(err.status)) throw err;
      // 403: the setting is off on the server (the device itself is authenticated: a revoked one gets 401).
      if (err.status === 403) {
        captures.dropPending('setting_off');
        store.sync.set('doorTemplates', '0');
        refused++;
        break;
      }
      captures.answer(c.id, `refused: ${err.message}`);
      refused++;
    }
  }
  if (stored + refused > 0) {
    const at = ctx.now().toISOString();
    store.sync.addHistory(at, 'door-templates', true, `${stored} door templates kept, ${refused} refused`);
    logger.info({ stored, refused }, 'door captures offered');
  }
}
