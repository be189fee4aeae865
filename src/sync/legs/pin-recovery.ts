// The PIN-recovery leg: the server offers a recovery code (on every roster page), the kiosk
// reports the codes burnt at its PIN pad.
import type { PinRecoveryOffer } from '../../contracts/sync.js';
import { SyncError } from '../http.js';
import { stopIfSuperseded, type LegContext } from './context.js';

/** The server's live recovery code for this kiosk (state on every page; same id → no change). */
export function applyPinRecoveryOffer(
  ctx: Pick<LegContext, 'store' | 'logger'>,
  offer: PinRecoveryOffer | null | undefined,
  at: string,
): void {
  const outcome = ctx.store.pinRecovery.applyOffer(offer);
  if (outcome === 'received' && offer) {
    ctx.store.sync.addHistory(
      at,
      'pin_recovery',
      true,
      `admin PIN recovery code received (valid until ${offer.expiresAt})`,
    );
    ctx.logger.info(
      { event: 'pin_recovery_received', id: offer.id, expiresAt: offer.expiresAt },
      'admin PIN recovery code received',
    );
  } else if (outcome === 'withdrawn') {
    ctx.store.sync.addHistory(
      at,
      'pin_recovery',
      true,
      'unused admin PIN recovery code dropped: the server no longer offers it (expired or replaced)',
    );
  }
}

/**
 * Tells the server which recovery codes were burnt here. Kept until acknowledged; a code the
 * server does not know (404) or refuses (400) can never be reported, so it is let go, with a
 * history line, instead of failing every run.
 */
export async function reportPinRecoveryUsed(ctx: LegContext): Promise<void> {
  const { store, http, logger } = ctx;
  stopIfSuperseded(ctx);
  for (const used of store.pinRecovery.pendingReports()) {
    stopIfSuperseded(ctx);
    const at = ctx.now().toISOString();
    try {
      await http.reportPinRecoveryUsed({ id: used.id, usedAt: used.used_at });
      stopIfSuperseded(ctx);
      store.sync.addHistory(at, 'pin_recovery', true, 'admin PIN recovery code reported used to the server');
    } catch (err) {
      stopIfSuperseded(ctx);
      if (!(err instanceof SyncError) || err.kind !== 'rejected') throw err;
      store.sync.addHistory(
        at,
        'pin_recovery',
        false,
        `recovery code use could not be reported, dropped: ${err.message}`,
      );
      logger.warn({ id: used.id, err: err.message }, 'recovery code use refused by the server');
    }
    store.pinRecovery.markReported(used.id);
  }
}
