// The pairing QR code: what the staff console draws beside a new pairing code, and what a
// kiosk's camera reads on its pairing screen to fill in the server address and the code.
// `rollcall-pair:` + JSON `{ server, code }`. Nothing secret beyond the one-time code (valid 15
// minutes, single use); the kiosk shows what it read and pairs only when the admin confirms.
// Pure: no Node, no DOM.
import { z } from 'zod';

export const PAIRING_QR_PREFIX = 'rollcall-pair:';

export const PairingQr = z.object({
  /** The server's origin as the console's page was reached (http or https). */
  server: z
    .string()
    .url()
    .max(300)
    .refine((u) => /^https?:\/\//i.test(u), 'the server address must be http:// or https://'),
  /** The one-time pairing code, as PairRequest takes it. */
  code: z.string().min(4).max(64),
});
export type PairingQr = z.infer<typeof PairingQr>;

/**
 * True when the address names the computer it is read on (localhost, 127.x, ::1): the console
 * opened on the server itself puts such an address in the QR code, and a kiosk on another
 * machine would then look for the server on itself.
 */
export function isThisComputerAddress(server: string): boolean {
  let host: string;
  try {
    host = new URL(server).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    // The unspecified address: a browser opens it as this computer, a kiosk would too.
    host === '0.0.0.0' ||
    host === '::' ||
    host === '::1' ||
    // IPv4 loopback written as IPv6 (the URL parser keeps it as hex: ::ffff:7f00:1).
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)
  );
}

export const pairingQrText = (server: string, code: string): string =>
  `${PAIRING_QR_PREFIX}${JSON.stringify({ server, code })}`;

/** The pairing details in a QR code's text, or null when it is not a Rollcall pairing code. */
export function parsePairingQr(text: string): PairingQr | null {
  if (!text.startsWith(PAIRING_QR_PREFIX)) return null;
  let json: unknown;
  try {
    json = JSON.parse(text.slice(PAIRING_QR_PREFIX.length));
  } catch {
    return null;
  }
  const parsed = PairingQr.safeParse(json);
  return parsed.success ? parsed.data : null;
}
