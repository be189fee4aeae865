import { ErrorBody } from '../../../src/contracts/sync.js';
import { userOf } from '../plugins/auth.js';
import { ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse } from '../schemas/auth.js';
import { Ok } from '../schemas/common.js';
import { z } from 'zod';
import { perMinute, RATE_LIMIT_GROUPS } from '../rate-limit-store.js';
import { typed, type RoutePlugin } from './types.js';

const authRoutes: RoutePlugin = async (app) => {
  const r = typed(app);
  const max = app.ctx.config.loginRateLimitPerMinute;

  r.post(
    '/api/auth/login',
    {
      config: perMinute(max, RATE_LIMIT_GROUPS.signIn),
      schema: {
        tags: ['auth'],
        summary: 'Log in: a 15-minute access token and a rotating refresh token',
        body: LoginRequest,
        response: { 200: TokenResponse, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => app.ctx.auth.login(request.body.email, request.body.password, 'api'),
  );

  r.post(
    '/api/auth/refresh',
    {
      config: perMinute(max),
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token (single use) for new tokens',
        body: RefreshRequest,
        response: { 200: TokenResponse, 401: ErrorBody },
      },
    },
    async (request) => app.ctx.auth.refresh(request.body.refreshToken, 'api'),
  );

  r.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke a refresh token and its family',
        body: RefreshRequest,
        response: { 200: Ok },
      },
    },
    async (request) => {
      await app.ctx.auth.logout(request.body.refreshToken, 'api');
      return { ok: true as const };
    },
  );

  r.post(
    '/api/auth/password',
    {
      onRequest: app.requireUser(),
      // Rate-limited like login: a stolen access token must not become a password oracle.
      config: perMinute(max, RATE_LIMIT_GROUPS.currentPassword),
      schema: {
        tags: ['auth'],
        security: [{ user: [] }],
        summary: 'Change your own password: every other session ends; answers new tokens for this one',
        body: ChangePasswordRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    // Audited `user.password_change` by the auth service, in the change's transaction (a wrong
    // current password: `user.password_change_failed`).
    async (request) =>
      app.ctx.auth.changePassword(
        userOf(request).id,
        request.body.currentPassword,
        request.body.newPassword,
        'api',
      ),
  );

  r.get(
    '/api/auth/me',
    {
      onRequest: app.requireUser(),
      schema: {
        tags: ['auth'],
        security: [{ user: [] }],
        response: { 200: z.object({ id: z.string(), email: z.string(), role: z.string() }), 401: ErrorBody },
      },
    },
    async (request) => {
      const u = userOf(request);
      return { id: u.id, email: u.email, role: u.role };
    },
  );
};
export default authRoutes;
