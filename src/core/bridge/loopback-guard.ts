// The bridge listens on 127.0.0.1 only, but a web page elsewhere could still reach it by
// DNS rebinding (evil.example resolving to 127.0.0.1) or by posting cross-site. So every
// request must name a loopback Host with our port, and any Origin must be our own.

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function allowedHosts(port: number): string[] {
  return LOOPBACK_NAMES.map((h) => `${h}:${port}`);
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return allowedHosts(port).includes(host.toLowerCase());
}

/** A missing Origin (same-origin GET, curl) is fine; a present one must be ours. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}

/** Browsers label cross-site requests; refuse them even if Origin is somehow absent. */
export function isAllowedFetchSite(secFetchSite: string | undefined): boolean {
  return secFetchSite === undefined || secFetchSite === 'same-origin' || secFetchSite === 'none';
}

export function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
