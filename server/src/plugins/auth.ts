// Who is calling: users carry a JWT access token, kiosks a device token. Routes declare
// what they accept with `onRequest: app.requireUser('admin')` or `onRequest: app.requireDevice`:
// onRequest runs before the body is read, so an anonymous caller gets 401 whatever it sends
// and never costs a parse or a validation (security review, finding 6). Routes without either
// (login, refresh, pairing, health, metrics) take at most ANONYMOUS_BODY_LIMIT bytes.
// Both end at once when revoked, on every instance: a user's token is checked against the
// user row (one primary-key lookup: disabled? token_version still the one signed in the
// token?), a device token is looked up by its hash, which revoking clears. No cache, so
// nothing can lag behind the shared database.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../errors.js';
import type { Actor } from '../repositories/audit.js';
import { authenticateDevice, type DevicePrincipal } from '../repositories/devices.js';
import type { Role } from '../schemas/auth.js';
import { findSessionState } from '../repositories/users.js';
import { accountDisabled, sessionRevoked, type UserPrincipal } from '../services/auth.js';
import { verifyAccessToken } from '../services/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserPrincipal | null;
    device: DevicePrincipal | null;
  }
  interface FastifyInstance {
    requireUser(...roles: Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    requireDevice: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** Body limit of the routes anyone may call: a login or a pairing is a few hundred bytes. */
export const ANONYMOUS_BODY_LIMIT = 16 * 1024;

/** Marks the hooks below, so the onRoute check can tell an authenticated route from an open one. */
const AUTH_HOOK = Symbol('rollcall.auth');
type Hook = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & { [AUTH_HOOK]?: true };
const authHook = (fn: (request: FastifyRequest) => Promise<void>): Hook =>
  Object.assign(fn, { [AUTH_HOOK]: true as const });
const isAuthHook = (h: unknown): boolean => typeof h === 'function' && (h as Hook)[AUTH_HOOK] === true;

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthorized('Missing Authorization: Bearer token', 'missing_token');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Authorization header must be "Bearer <token>"', 'bad_token');
  return match[1];
}

/** The authenticated user (routes behind requireUser). */
export function userOf(request: FastifyRequest): UserPrincipal {
  if (!request.user) throw unauthorized();
  return request.user;
}

/** The signed-in user as the actor of an audit row. */
export const userActor = (request: FastifyRequest): Actor => ({ kind: 'user', id: userOf(request).id });

export function deviceOf(request: FastifyRequest): DevicePrincipal {
  if (!request.device) throw unauthorized();
  return request.device;
}

export default fp(
  async function auth(app: FastifyInstance) {
    app.decorateRequest('user', null);
    app.decorateRequest('device', null);

    // Every route registered after this plugin: authenticated ones must check in onRequest
    // (a preHandler would run after the body was parsed); open ones get the small body limit.
    app.addHook('onRoute', (route) => {
      const pre = [route.preHandler ?? []].flat();
      if (pre.some(isAuthHook))
        throw new Error(
          `${route.method} ${route.url}: authenticate in onRequest, not preHandler (the body must not be read first)`,
        );
      const onRequest = [route.onRequest ?? []].flat();
      if (!onRequest.some(isAuthHook))
        route.bodyLimit = Math.min(route.bodyLimit ?? ANONYMOUS_BODY_LIMIT, ANONYMOUS_BODY_LIMIT);
    });

    app.decorate('requireUser', (...roles: Role[]) =>
      authHook(async (request: FastifyRequest) => {
        const result = verifyAccessToken(
          app.ctx.config.jwtSecret,
          bearer(request),
          app.ctx.clock.now().getTime(),
        );
        if (!result.ok) {
          throw result.reason === 'expired'
            ? unauthorized('Access token expired; refresh it', 'token_expired')
            : unauthorized('Invalid access token', 'bad_token');
        }
        const { sub, ver } = result.claims;
        const current = await findSessionState(app.ctx.db, sub);
        if (!current) throw sessionRevoked();
        if (current.disabled === 1) throw accountDisabled();
        if (current.token_version !== ver) throw sessionRevoked();
        // Same version means same role as signed; the row is the authority all the same.
        const { email, role } = current;
        if (roles.length > 0 && !roles.includes(role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
        request.user = { kind: 'user', id: sub, email, role };
      }),
    );

    app.decorate(
      'requireDevice',
      authHook(async (request: FastifyRequest) => {
        const device = await authenticateDevice(app.ctx.db, bearer(request));
        if (!device)
          throw unauthorized('Unknown or revoked device token; pair the kiosk again', 'bad_device_token');
        request.device = device;
      }),
    );
  },
  { name: 'auth', dependencies: ['context'] },
);
