// Server configuration: the environment is parsed with zod once at boot, so a typo in a
// variable fails the start with a clear message instead of a strange behaviour later.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { z } from 'zod';
// Notification and metrics settings live with their code (notifications/config.ts, metrics.ts).
import {
  NotificationsEnvShape,
  emptyAsUnset,
  notificationsConfigFromEnv,
  type NotificationsConfig,
} from './notifications/config.js';

export type DatabaseConfig =
  | { kind: 'sqlite'; filename: string }
  | {
      kind: 'postgres';
      url: string;
      /** search_path schema; tests use a fresh one per file */ schema?: string;
      poolSize?: number;
    };

export interface AppConfig {
  database: DatabaseConfig;
  /** HS256 key for access tokens and the HMAC pepper for pairing codes. */
  jwtSecret: string;
  logLevel: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  pairingCodeTtlMinutes: number;
  /** Lifetime of a kiosk admin-PIN recovery code (it must reach the kiosk by sync first). */
  pinRecoveryTtlHours: number;
  /** Login attempts per IP per minute (counted in the database: shared by all instances, see rate-limit-store.ts). */
  loginRateLimitPerMinute: number;
  /** Default JSON body limit; the template push raises it for its own route. */
  bodyLimitBytes: number;
  /** Largest single photo accepted by POST /api/students/:id/photos. */
  photoLimitBytes: number;
  /**
   * Which proxies' X-Forwarded-For to believe: false (none), or the proxies' addresses/CIDRs.
   * Never `true` (it takes the leftmost entry, which the client writes: finding 5) nor a hop
   * count (it believes whoever connects, so a client reaching the server directly, past the
   * proxy, names its own address: finding 32). Rate limits key on the address this yields.
   */
  trustProxy: TrustProxy;
  /** GET /metrics requires `Bearer <metricsToken>` when set. */
  metricsToken?: string;
  /** Without a token, /metrics answers 401 unless this is set (METRICS_OPEN=1, a private scrape network). */
  metricsOpen?: boolean;
  /** Absence emails and teacher digests; absent (no SMTP_URL) = no mail, no scheduler. */
  notifications?: NotificationsConfig;
  /**
   * [console] The console's address as people reach it (PUBLIC_URL, e.g. https://rollcall.school.example),
   * for the links in password emails. "Forgot password" sends no email without it: a link built
   * from the request's Host header would let anyone send a victim a link to their own site.
   */
  publicUrl?: string;
  /** Seconds between two silent-kiosk checks (plugins/silent-kiosks.ts); default 60, 0: never by itself. */
  silentKioskCheckSeconds?: number;
}

export type TrustProxy = false | string[];

/**
 * Whether a TRUST_PROXY range holds every IPv4 or every IPv6 address: `0.0.0.0/0` and `::/0`, but
 * also the same written another way, such as `::ffff:0:0/96` (every IPv4 address as IPv6, which
 * the proxy check matches against an IPv4 client) or `::/1`. Both ends of a family in the range
 * means all of it, for a single CIDR.
 */
function holdsEveryAddress(ip: string, bits: number | undefined): boolean {
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const range = new BlockList();
  range.addSubnet(ip, bits ?? (family === 'ipv6' ? 128 : 32), family);
  const holds = (a: string, f: 'ipv4' | 'ipv6') => range.check(a, f);
  return (
    (holds('0.0.0.0', 'ipv4') && holds('255.255.255.255', 'ipv4')) ||
    (holds('::', 'ipv6') && holds('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ipv6'))
  );
}

/**
 * TRUST_PROXY: unset/false/0 = no proxy (the default: the socket's address is the client's); or a
 * comma-separated list of the proxies' own addresses or CIDRs. `true` and hop counts are refused.
 */
const TrustProxyFromEnv = z
  .string()
  .trim()
  .transform((v, ctx): TrustProxy => {
    if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
    if (/^\d+$/.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message:
          "must not be a hop count (it believes whoever connects, so a client that reaches the server directly writes its own X-Forwarded-For): give the proxy's address or CIDR, e.g. TRUST_PROXY=10.0.0.2",
      });
      return false;
    }
    if (v === 'true' || v === 'yes') {
      ctx.addIssue({
        code: 'custom',
        message:
          "must not be true (the client writes the leftmost X-Forwarded-For): give the proxy's address or CIDR, e.g. TRUST_PROXY=10.0.0.2",
      });
      return false;
    }
    const list = v
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    for (const a of list) {
      const [ip, bits, extra] = a.split('/');
      const okBits =
        bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(ip ?? '') === 6 ? 128 : 32));
      if (extra !== undefined || !isIP(ip ?? '') || !okBits)
        ctx.addIssue({ code: 'custom', message: `"${a}" is not an IP address or CIDR` });
      // Every address is `true` under another name: each X-Forwarded-For entry would be believed.
      else if (holdsEveryAddress(ip ?? '', bits === undefined ? undefined : Number(bits)))
        ctx.addIssue({ code: 'custom', message: `"${a}" is every address: give the proxy's own address` });
    }
    return list;
  });

const booleanFromEnv = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  // Loopback unless told otherwise: a container or a LAN server sets HOST explicitly.
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine(
      (v) => /^(postgres|postgresql):\/\//.test(v) || /^sqlite:/.test(v),
      'must be postgres://… or sqlite:<file>',
    )
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  PAIRING_CODE_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  PIN_RECOVERY_TTL_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  PHOTO_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TRUST_PROXY: TrustProxyFromEnv.default(false),
  METRICS_TOKEN: emptyAsUnset(z.string().min(16, 'must be at least 16 characters')),
  METRICS_OPEN: booleanFromEnv.default(false),
  PUBLIC_URL: emptyAsUnset(
    z
      .string()
      .url()
      .refine((v) => /^https?:\/\//.test(v), 'must be http(s)://…'),
  ),
  ...NotificationsEnvShape,
});
export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {}

/** zod's words for a number that is not one ("expected number, received NaN") say nothing of the value given. */
function envIssueMessage(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  const name = String(issue.path[0] ?? '');
  if (issue.code === 'invalid_type' && issue.expected === 'number')
    return `must be a whole number, not ${JSON.stringify(env[name] ?? '')}`;
  return issue.message;
}

export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${envIssueMessage(i, env)}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Zero set-up: without JWT_SECRET, one is generated once and kept in the data dir, so tokens
 * survive restarts. Several instances must share a secret: set JWT_SECRET for them.
 */
export function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) throw new ConfigError(`${file} holds a secret shorter than 32 characters`);
    return secret;
  }
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process (the CLI, a second instance) created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(dataDir);
    throw err;
  }
  return secret;
}

/** Turns the environment into the app's config, creating the data dir when needed. */
export function configFromEnv(
  env: NodeJS.ProcessEnv,
): AppConfig & { port: number; host: string; dataDir: string } {
  const e = parseEnv(env);
  const notifications = notificationsConfigFromEnv(e);
  const dataDir = resolve(e.DATA_DIR);
  // Private to the service user (it holds the JWT secret and, by default, the database). An
  // existing directory is left as its owner set it; the files in it are 0600 either way.
  if (mkdirSync(dataDir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(dataDir, 0o700);
  let database: DatabaseConfig;
  if (e.DATABASE_URL === undefined) database = { kind: 'sqlite', filename: join(dataDir, 'rollcall.sqlite') };
  else if (e.DATABASE_URL.startsWith('sqlite:'))
    database = { kind: 'sqlite', filename: resolve(e.DATABASE_URL.slice('sqlite:'.length)) };
  else database = { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DB_POOL_SIZE };
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    jwtSecret: e.JWT_SECRET ?? loadOrCreateSecret(dataDir),
    logLevel: e.LOG_LEVEL,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    pairingCodeTtlMinutes: e.PAIRING_CODE_TTL_MINUTES,
    pinRecoveryTtlHours: e.PIN_RECOVERY_TTL_HOURS,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    photoLimitBytes: e.PHOTO_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    ...(e.METRICS_TOKEN === undefined ? {} : { metricsToken: e.METRICS_TOKEN }),
    ...(e.METRICS_OPEN ? { metricsOpen: true } : {}),
    ...(notifications === undefined ? {} : { notifications }),
    ...(e.PUBLIC_URL === undefined ? {} : { publicUrl: e.PUBLIC_URL.replace(/\/+$/, '') }),
  };
}

/** Sensible defaults for tests and for a server embedded in another process (scripts/scenario.ts). */
export function defaultAppConfig(overrides: Partial<AppConfig> & Pick<AppConfig, 'database'>): AppConfig {
  return {
    jwtSecret: randomBytes(48).toString('base64url'),
    logLevel: 'silent',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlDays: 30,
    pairingCodeTtlMinutes: 15,
    pinRecoveryTtlHours: 24,
    loginRateLimitPerMinute: 10,
    bodyLimitBytes: 2 * 1024 * 1024,
    photoLimitBytes: 10 * 1024 * 1024,
    trustProxy: false,
    ...overrides,
  };
}
