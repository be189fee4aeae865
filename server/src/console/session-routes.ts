// Sign-in for the staff console on the server's own auth service (same tokens, same
// rotation and revocation as /api/auth/*), but with the refresh token in an httpOnly cookie
// (session-cookie.ts) instead of the response body.
import { ErrorBody } from '../../../src/contracts/sync.js';
import { unauthorized, HttpError } from '../errors.js';
import { userOf } from '../plugins/auth.js';
import { perMinute, RATE_LIMIT_GROUPS } from '../rate-limit-store.js';
import { typed, type RoutePlugin } from '../routes/types.js';
import { ChangePasswordRequest, LoginRequest } from '../schemas/auth.js';
import { ConsoleSession } from '../schemas/console.js';
import { Ok } from '../schemas/common.js';
import type { IssuedTokens } from '../services/auth.js';
import {
  clearSessionCookie,
  readCookie,
  requireCsrfHeader,
  SESSION_COOKIE,
  setSessionCookie,
} from './session-cookie.js';

const sessionRoutes: RoutePlugin = async (app) => {
  const r = typed(app);
  const max = app.ctx.config.loginRateLimitPerMinute;
  const tags = ['console session'];
  const ttlDays = app.ctx.config.refreshTokenTtlDays;
  const answer = (tokens: IssuedTokens) => ({
    accessToken: tokens.accessToken,
    expiresIn: tokens.expiresIn,
    user: tokens.user,
  });

  r.post(
    '/api/auth/session',
    {
      onRequest: requireCsrfHeader,
      config: perMinute(max, RATE_LIMIT_GROUPS.signIn),
      schema: {
        tags,
        summary: 'Console sign-in: access token in the body, refresh token in an httpOnly cookie',
        body: LoginRequest,
        response: { 200: ConsoleSession, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const tokens = await app.ctx.auth.login(request.body.email, request.body.password, 'console');
      setSessionCookie(request, reply, tokens.refreshToken, ttlDays);
      return answer(tokens);
    },
  );

  r.post(
    '/api/auth/session/refresh',
    {
      onRequest: requireCsrfHeader,
      config: perMinute(max),
      schema: {
        tags,
        summary: 'A new access token from the session cookie (rotates it)',
        response: { 200: ConsoleSession, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (!token) throw unauthorized('Not signed in', 'no_session');
      try {
        const tokens = await app.ctx.auth.refresh(token, 'console');
        setSessionCookie(request, reply, tokens.refreshToken, ttlDays);
        return answer(tokens);
      } catch (err) {
        // A dead session's cookie is useless: drop it so the page shows the sign-in form.
        if (err instanceof HttpError && err.statusCode === 401) clearSessionCookie(request, reply);
        throw err;
      }
    },
  );

  r.post(
    '/api/auth/session/logout',
    {
      onRequest: requireCsrfHeader,
      schema: {
        tags,
        summary: 'Sign out: revokes the session cookie’s token family and clears it',
        response: { 200: Ok, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (token) await app.ctx.auth.logout(token, 'console');
      clearSessionCookie(request, reply);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/auth/session/password',
    {
      onRequest: [requireCsrfHeader, app.requireUser()],
      config: perMinute(max, RATE_LIMIT_GROUPS.currentPassword),
      schema: {
        tags,
        security: [{ user: [] }],
        summary:
          'Change your own password from the console: every other session ends; this one goes on with a new cookie',
        body: ChangePasswordRequest,
        response: { 200: ConsoleSession, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const tokens = await app.ctx.auth.changePassword(
        user.id,
        request.body.currentPassword,
        request.body.newPassword,
        'console',
      );
      setSessionCookie(request, reply, tokens.refreshToken, ttlDays);
      return answer(tokens);
    },
  );
};
export default sessionRoutes;
