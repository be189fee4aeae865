import { ErrorBody } from '../../../src/contracts/sync.js';
import { userOf } from '../plugins/auth.js';
import { LoginRequest, RefreshRequest, TokenResponse } from '../schemas/auth.js';
import { Ok } from '../schemas/common.js';
import { z } from 'zod';
import { typed, type RoutePlugin } from './types.js';

const authRoutes: RoutePlugin = async (app) => {
  const r = typed(app);
  const limited = { rateLimit: { max: app.ctx.config.loginRateLimitPerMinute, timeWindow: '1 minute' } };

  r.post(
    '/api/auth/login',
    {
      config: limited,
      schema: { tags: ['auth'], summary: 'Log in: a 15-minute access token and a rotating refresh token', body: LoginRequest, response: { 200: TokenResponse, 401: ErrorBody, 429: ErrorBody } },
    },
    async (request) => app.ctx.auth.login(request.body.email, request.body.password),
  );

  r.post(
    '/api/auth/refresh',
    { config: limited, schema: { tags: ['auth'], summary: 'Exchange a refresh token (single use) for new tokens', body: RefreshRequest, response: { 200: TokenResponse, 401: ErrorBody } } },
    async (request) => app.ctx.auth.refresh(request.body.refreshToken),
  );

  r.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Revoke a refresh token and its family', body: RefreshRequest, response: { 200: Ok } } },
    async (request) => {
      await app.ctx.auth.logout(request.body.refreshToken);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/auth/me',
    {
      preHandler: app.requireUser(),
      schema: { tags: ['auth'], security: [{ user: [] }], response: { 200: z.object({ id: z.string(), email: z.string(), role: z.string() }), 401: ErrorBody } },
    },
    async (request) => {
      const u = userOf(request);
      return { id: u.id, email: u.email, role: u.role };
    },
  );
};
export default authRoutes;
