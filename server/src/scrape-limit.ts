// How often one client may call GET /metrics on this instance. A scrape reads every kiosk from
// the database and renders every series, and with METRICS_OPEN=1 anyone who reaches the port may
// ask; with a token, wrong tokens are cheap but still unbounded. The limit is kept in this
// process's memory, not in the database like the sign-in limits: metrics are per process and
// each replica is scraped on its own, and a database counter would make every refused call a
// write, dearer than the scrape it stops.
import type { Clock } from './clock.js';

/**
 * Scrapes a minute per client address. Prometheus scrapes every 15 s (deploy/prometheus.yml),
 * two of them in a pair twice that; a person checking by hand stays far below it too.
 */
export const METRICS_SCRAPES_PER_MINUTE = 60;
const WINDOW_MS = 60_000;

export interface ScrapeLimit {
  /** Counts one call from `client`: whether it may go on, and if not, how long until it may. */
  take(client: string): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

/**
 * One fixed window for all clients: when it ends every count is forgotten at once, so the
 * memory held is one number per address seen in the last minute, whatever the traffic.
 */
export function scrapeLimit(clock: Clock, perMinute = METRICS_SCRAPES_PER_MINUTE): ScrapeLimit {
  let windowStart = -Infinity;
  let counts = new Map<string, number>();
  return {
    take(client) {
      const now = clock.now().getTime();
      if (now >= windowStart + WINDOW_MS || now < windowStart) {
        windowStart = now;
        counts = new Map();
      }
      const count = (counts.get(client) ?? 0) + 1;
      counts.set(client, count);
      if (count <= perMinute) return { allowed: true };
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
      };
    },
  };
}
