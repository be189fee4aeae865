// How far the kiosk trusts its server's connection (security review, finding 10):
// - plain http:// only to this machine (loopback) unless the admin ticked "allow an
//   unencrypted server" (the Sync screen then warns), because the device token and face
//   templates would cross the school network in clear;
// - https:// with the server's certificate pinned at pairing, like SSH: its SHA-256
//   fingerprint given with the pairing details, or trusted on first contact. Later connections
//   presenting another certificate are refused with a clear error (re-pair to accept a new one).
//   Self-signed certificates (the compose default) work because the pinned one is the trust
//   anchor; a publicly issued one still chains to the system roots.
import { X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { isIP } from 'node:net';
import { connect, rootCertificates, type PeerCertificate } from 'node:tls';
import { SyncError } from './http.js';

export interface PinnedCertificate {
  /** The server's leaf certificate, PEM. */
  pem: string;
  /** Its SHA-256 fingerprint: 64 upper-case hex digits, no colons. */
  fingerprint: string;
}

/** `AB:CD:…`, `abcd…` → `ABCD…` (64 hex digits), or null when it is not a SHA-256 fingerprint. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : null;
}

const shortFp = (fp: string) => `${fp.slice(0, 16).replace(/(..)(?!$)/g, '$1:')}…`;

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** Throws SyncError('insecure') for a URL the kiosk must not send its token and templates to. */
export function assertTransportAllowed(serverUrl: string, allowInsecure: boolean): void {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new SyncError('insecure', `not a server URL: ${serverUrl}`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:')
    throw new SyncError('insecure', `the server URL must be https:// (got ${url.protocol}//)`);
  if (isLoopbackHost(url.hostname) || allowInsecure) return;
  throw new SyncError(
    'insecure',
    `refusing an unencrypted connection to ${url.origin}: the device key and face templates would cross the network in clear. ` +
      'Use the server\'s https:// address, or tick "Allow an unencrypted (http://) server" in Settings.',
  );
}

/** The server's certificate as it presents it, without judging it (first contact). */
export function fetchServerCertificate(serverUrl: string, timeoutMs: number): Promise<PinnedCertificate> {
  const url = new URL(serverUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) ? {} : { servername: host }),
      // Only to read the certificate: nothing is sent on this connection.
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (err: Error) => {
      socket.destroy();
      reject(new SyncError('offline', `server unreachable (${err.message})`));
    };
    socket.once('secureConnect', () => {
      const peer: PeerCertificate = socket.getPeerCertificate();
      socket.end();
      if (!peer?.raw) return reject(new SyncError('protocol', 'the server presented no certificate'));
      const cert = new X509Certificate(peer.raw);
      resolve({ pem: cert.toString(), fingerprint: normaliseFingerprint(cert.fingerprint256) ?? '' });
    });
    socket.once('timeout', () => fail(new Error(`no TLS answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}

export class CertificateChangedError extends Error {
  readonly code = 'ROLLCALL_CERT_CHANGED';
}

/** An agent that talks only to the server holding the pinned certificate. */
export function pinnedAgent(pin: PinnedCertificate): Agent {
  return new Agent({
    ca: [pin.pem, ...rootCertificates],
    rejectUnauthorized: true,
    keepAlive: false,
    // The pin replaces the host-name check: a school server is often reached by IP address.
    checkServerIdentity: (_host, cert) =>
      normaliseFingerprint(cert.fingerprint256) === pin.fingerprint
        ? undefined
        : new CertificateChangedError('certificate changed'),
  });
}

/** What a TLS failure against a pinned server means, for the admin. */
export function certificateChanged(pin: PinnedCertificate): SyncError {
  return new SyncError(
    'untrusted',
    `the server's certificate is not the one recorded when this kiosk was paired (sha256 ${shortFp(pin.fingerprint)}): refusing to connect. ` +
      "If the server's certificate was replaced on purpose, pair the kiosk again.",
  );
}
