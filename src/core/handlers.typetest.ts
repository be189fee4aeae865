// Type-level test, checked by `npm run typecheck` (never run): the kiosk API table types the
// handlers and the client. Each `@ts-expect-error` below must stay an error; if the table's
// types ever loosened (e.g. to Result<unknown>), the directive itself would fail typecheck.
import pino from 'pino';
import type { KioskApi } from '../contracts/kiosk-api.js';
import { kioskHandler } from './handlers.js';

const log = pino({ level: 'silent' });

export function handlerAnswersAreTyped(): void {
  // The right shape is accepted.
  kioskHandler('adminStatus', () => ({ factoryPin: false, pinRecovery: false }), log);
  kioskHandler('markUndo', async ({ eventId }) => ({ eventId }), log);

  // @ts-expect-error adminStatus answers { factoryPin: boolean; pinRecovery: boolean }, not a string flag
  kioskHandler('adminStatus', () => ({ factoryPin: 'no', pinRecovery: false }), log);
  // @ts-expect-error a missing field is a wrong shape too
  kioskHandler('appQuit', () => ({}), log);
  // @ts-expect-error adminLock answers null
  kioskHandler('adminLock', () => ({ locked: true }), log);
  kioskHandler(
    'adminUnlock',
    // @ts-expect-error the parsed argument of adminUnlock has no `code`
    ({ code }) => ({ unlocked: code === 1, lockedUntil: null, recovery: false }),
    log,
  );
}

export async function clientCallsAreTyped(api: KioskApi): Promise<void> {
  await api.adminUnlock({ pin: '1234' });
  // @ts-expect-error adminUnlock needs { pin }
  await api.adminUnlock({ code: '1234' });
  // @ts-expect-error getState takes no argument
  await api.getState({ any: 1 });
  const r = await api.adminStatus();
  // @ts-expect-error the answer's value is AdminStatus, which has no `unlocked`
  if (r.ok) void r.value.unlocked;
}
