// Push leg 2: templates enrolled at this kiosk, until none waits. A template the server refuses
// (a face unlike the student's templates on the server, a student not of the site…) is kept
// aside with the reason and leaves the matcher's gallery (template-repo.ts), so the gallery is
// rebuilt after a batch with a refusal.
import { embeddingToBase64 } from '../../ml/embedding-codec.js';
import { SyncError } from '../http.js';
import { stopIfSuperseded, type LegContext } from './context.js';

export async function pushTemplates(
  ctx: LegContext,
  batchSize: number,
  onGalleryChanged?: () => void,
): Promise<void> {
  const { store, http, report } = ctx;
  const { templates } = store;
  for (;;) {
    stopIfSuperseded(ctx);
    const rows = templates.unpushed(batchSize);
    if (rows.length === 0) return;
    const at = ctx.now().toISOString();
    const res = await http.pushTemplates({
      templates: rows.map((t) => ({
        id: t.id,
        studentId: t.studentId,
        modelId: t.modelId,
        embedding: embeddingToBase64(t.embedding),
        createdAt: t.createdAt,
        ...(t.quality !== null ? { quality: Math.min(1, Math.max(0, t.quality)) } : {}),
      })),
    });
    stopIfSuperseded(ctx);
    const sent = new Set(rows.map((t) => t.id));
    let handled = 0;
    let refused = 0;
    store.transaction(() => {
      for (const r of res.results) {
        if (!sent.has(r.id)) continue;
        handled++;
        if (r.status === 'rejected') {
          templates.markRejected(r.id, r.reason ?? 'rejected');
          report.templates.rejected++;
          refused++;
        } else {
          templates.markPushed(r.id);
          report.templates[r.status]++;
        }
      }
    });
    if (refused > 0) onGalleryChanged?.();
    store.sync.addHistory(
      at,
      'templates',
      true,
      `${handled} of ${rows.length} templates acknowledged${refused > 0 ? `, ${refused} refused (see the roster)` : ''}`,
    );
    if (handled === 0)
      throw new SyncError('protocol', 'server answered a template push without a result for any template');
  }
}
