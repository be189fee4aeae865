// What `npm run server` tells whoever just started it, once it listens: where the staff console
// is (and, when it listens on the network, the addresses other computers reach it at: a kiosk's
// pairing QR code carries the address the console was opened at), and, while nobody can sign in
// to it as an admin, the command that creates the first admin (a fresh server's console
// otherwise only says "wrong email or password").
import type { NetworkInterfaceInfo } from 'node:os';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';

/**
 * The built server (the Docker image) runs this file as JavaScript, with neither npm scripts nor
 * a TypeScript runtime: `npm run server:create-admin` does not exist there.
 */
const RUNNING_BUILT = import.meta.url.endsWith('.js');

/** How to run one of the server's commands here: an npm script from a checkout, node in the image. */
export function serverCommand(name: string, args: string, built: boolean = RUNNING_BUILT): string {
  return built ? `node server/src/cli/${name}.js ${args}` : `npm run server:${name} -- ${args}`;
}

export function createAdminCommand(built: boolean = RUNNING_BUILT): string {
  return serverCommand('create-admin', '--email <your email> [--name <your name>]', built);
}

export interface StartupHints {
  /** The console's address: the one the server listens on, with `/`. */
  consoleUrl: string;
  /** The console at each address other computers reach the server at (HOST=0.0.0.0 or a LAN address): what kiosks use. */
  networkUrls: string[];
  /** Set while the database holds no admin who can sign in (none, or all disabled). */
  noAdmin: string | null;
}

export async function startupHints(
  db: Kysely<DB>,
  address: string,
  options: {
    networkAddresses?: readonly string[];
    built?: boolean;
    /** PUBLIC_URL: the console's address as people reach it, when the operator has said it. */
    publicUrl?: string;
  } = {},
): Promise<StartupHints> {
  const admin = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled', '=', 0)
    .limit(1)
    .executeTakeFirst();
  const built = options.built ?? RUNNING_BUILT;
  const consoleUrl = `${address.replace(/\/+$/, '')}/`;
  const url = new URL(consoleUrl);
  // URL gives no port for a protocol's own (80 for http): then the address has none either.
  const port = url.port === '' ? '' : `:${url.port}`;
  // The address the operator gave wins. In the image, the interfaces are the container's own,
  // which no kiosk reaches (the host's port mapping or the HTTPS proxy stands between): say none.
  const networkUrls =
    options.publicUrl !== undefined
      ? [`${options.publicUrl.replace(/\/+$/, '')}/`]
      : built
        ? []
        : (options.networkAddresses ?? [])
            .map((a) => `${url.protocol}//${a.includes(':') ? `[${a}]` : a}${port}/`)
            .filter((u) => u !== consoleUrl);
  return {
    consoleUrl,
    networkUrls,
    noAdmin: admin
      ? null
      : `no admin can sign in yet: create the first one with \`${createAdminCommand(built)}\` ` +
        (built
          ? "in the server's container (`docker compose exec server …`, or `docker exec -it <container> …`), "
          : '(in the same environment as this server: DATA_DIR or DATABASE_URL), ') +
        `then sign in at ${consoleUrl}`,
  };
}

/**
 * The addresses other computers reach a server listening on `host` at: with HOST=0.0.0.0 (or ::)
 * every external address of this computer's interfaces, else `host` itself unless it is loopback.
 */
export function networkAddresses(
  host: string,
  interfaces: Record<string, NetworkInterfaceInfo[] | undefined>,
): string[] {
  if (host === '0.0.0.0' || host === '::') {
    return Object.values(interfaces)
      .flatMap((list) => list ?? [])
      .filter((i) => !i.internal && (host === '::' || i.family === 'IPv4') && !i.address.startsWith('fe80:'))
      .map((i) => i.address);
  }
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  return loopback ? [] : [host];
}

/** The "listening" line: the console, and where other computers reach it. */
export function consoleLine(hints: StartupHints): string {
  return (
    `staff console at ${hints.consoleUrl}` +
    (hints.networkUrls.length > 0
      ? ` (kiosks and other computers: ${hints.networkUrls.join(', ')}; open the console there to pair a kiosk)`
      : '')
  );
}
