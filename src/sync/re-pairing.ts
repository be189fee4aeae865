// Pairing a kiosk that is already paired. With the same server and site nothing is lost: the
// roster, the templates and the unsent queue stay, and the new token pushes the queue. With
// another server (or the same server answering another site) the old site's data goes, in the
// transaction that stores the new pairing; and what still waits for the old server is never
// pushed to the new one, so pairing elsewhere is refused while work waits, unless the admin
// confirmed discarding exactly that much. docs/kiosk.md "Pairing again".
import { unsentTotal } from '../contracts/kiosk-api.js';
import { SyncError } from './http.js';
import type { UnsentWork } from './store-port.js';

/**
 * Whether two server URLs name the same server: scheme, host and port as URL parses them (so
 * case, a default port and trailing slashes do not count), and the path. Only the address is
 * known before the new server is contacted; two names of one machine count as two servers.
 */
export function sameServer(a: string, b: string): boolean {
  const key = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return key(a) === key(b);
}

export { unsentTotal };

/**
 * Whether the admin's confirmation covers what waits now: nothing of any kind beyond what they
 * were shown. The door keeps marking while the question is open; those marks were never shown.
 */
export const confirmedCovers = (confirmed: UnsentWork | undefined, now: UnsentWork): boolean =>
  unsentTotal(now) === 0 ||
  (confirmed !== undefined &&
    now.marks <= confirmed.marks &&
    now.enrolments <= confirmed.enrolments &&
    now.doorCaptures <= confirmed.doorCaptures);

const counted = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "3 attendance records, 1 face enrolment and 2 door captures" (the parts that are not zero). */
export function describeUnsent(u: UnsentWork): string {
  const parts = [
    u.marks ? counted(u.marks, 'attendance record', 'attendance records') : null,
    u.enrolments ? counted(u.enrolments, 'face enrolment', 'face enrolments') : null,
    u.doorCaptures ? counted(u.doorCaptures, 'door capture', 'door captures') : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? 'nothing');
}

/**
 * Pairing with another server, or (the server said so, code unused) another site of the same
 * server, while work for the old one waits: the caller must sync first or confirm these counts.
 */
export class UnsentWorkError extends SyncError {
  override name = 'UnsentWorkError';
  constructor(
    readonly oldServerUrl: string,
    readonly unsent: UnsentWork,
    readonly elsewhere: 'other_server' | 'other_site' = 'other_server',
  ) {
    const one = unsentTotal(unsent) === 1;
    const target = elsewhere === 'other_server' ? 'the other server' : 'another site of that server';
    super(
      'unsent',
      `${describeUnsent(unsent)} ${one ? 'has' : 'have'} not reached ${oldServerUrl} yet: ` +
        `sync first, or confirm discarding ${one ? 'it' : 'them'} to pair with ${target}. Nothing was changed.`,
    );
  }
}
