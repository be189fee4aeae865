import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, createUser, login, bearer, multipartBody } from '../test/app.js';
import { openTestSqlite, type TestDatabase } from '../test/databases.js';

describe('app shape, errors and docs', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let adminToken: string;

  beforeAll(async () => {
    database = await openTestSqlite();
    ({ app } = await buildTestApp(database, {
      plugins: [
        // An extension route plugin, as reports/notifications will be: it sees ctx and auth.
        async (instance) => {
          instance.get('/api/test/boom', { onRequest: instance.requireUser('admin') }, async () => {
            throw new Error('secret internal detail: db password is hunter2');
          });
          instance.post('/api/test/boom', async () => ({ read: true }));
          instance.get('/api/test/ctx', async () => ({ dialect: instance.ctx.dialect }));
        },
      ],
    }));
    const admin = await createUser(database, 'admin');
    adminToken = await login(app, admin.email, admin.password);
  });
  afterAll(async () => {
    await app.close();
    await database.cleanup();
  });

  it('answers /health with the database state', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: 'sqlite' });
  });

  it('serves OpenAPI JSON with the routes and their zod-derived schemas, and the UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }
        >
      >;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/sync/attendance',
      '/api/sync/roster',
      '/api/devices/pair',
      '/api/auth/login',
      '/api/students/{id}/photos',
      '/api/sessions/{sessionId}/attendance',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const body = doc.paths['/api/sync/attendance']?.post?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(body?.properties ?? {})).toEqual(expect.arrayContaining(['events', 'health']));
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('answers unknown routes with a 404 body and no stack trace', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/does-not-exist?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'Route GET /api/does-not-exist not found' });
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('hides 5xx details from the client', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/test/boom', headers: bearer(adminToken) });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal_error', message: 'Internal server error' });
    expect(res.body).not.toContain('hunter2');
  });

  it('gives extension plugins the app context', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/test/ctx' });
    expect(res.json()).toEqual({ dialect: 'sqlite' });
  });

  it('answers 413 to an oversized body', async () => {
    const big = { email: 'a@b.example', password: 'x'.repeat(3 * 1024 * 1024) };
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers 400 to invalid JSON and to a wrong content type', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request' });
    const text = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
  });

  it('refuses a multipart body (415) on every route but the photo upload, before reading a part of it', async () => {
    const body = multipartBody([
      { filename: 'roster.csv', contentType: 'text/csv', bytes: Buffer.from('a,b\n') },
    ]);
    for (const url of ['/api/students', '/api/import/roster', '/api/auth/login', '/api/test/boom']) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(adminToken), ...body.headers },
        payload: body.payload,
      });
      expect([url, res.statusCode]).toEqual([url, 415]);
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
  });

  it('lists the failing field paths on 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/students',
      headers: bearer(adminToken),
      payload: { name: '', email: 'nope', consent: 'yes' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toBe('validation_failed');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['consent', 'email', 'name', 'studentNumber']);
  });

  it('sets security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reports an unreachable database as 503 on /health and hides the error elsewhere', async () => {
    const own = await openTestSqlite();
    const { app: broken } = await buildTestApp(own);
    try {
      await own.close();
      const health = await broken.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'unavailable' });
      const pair = await broken.inject({
        method: 'POST',
        url: '/api/devices/pair',
        payload: { code: 'ABCDEFGH', name: 'k' },
      });
      expect(pair.statusCode).toBe(500);
      expect(pair.json()).toEqual({ error: 'internal_error', message: 'Internal server error' });
    } finally {
      await broken.close();
    }
  });

  it('logs one JSON line per request with the route pattern, status and duration', async () => {
    const { pino } = await import('pino');
    const lines: Record<string, unknown>[] = [];
    const own = await openTestSqlite();
    const { app: logged } = await buildTestApp(own, {
      logger: pino(
        { level: 'info' },
        { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
      ),
    });
    try {
      await logged.inject({ method: 'GET', url: '/api/students/some-id-123' });
      await logged.inject({ method: 'GET', url: '/nowhere' });
      const requests = lines.filter((l) => l.component === 'http');
      expect(requests[0]).toMatchObject({
        method: 'GET',
        route: '/api/students/:id',
        statusCode: 401,
        durationMs: expect.any(Number),
      });
      expect(requests[1]).toMatchObject({ route: 'unmatched', statusCode: 404 });
      expect(JSON.stringify(requests)).not.toContain('some-id-123');
    } finally {
      await logged.close();
      await own.cleanup();
    }
  });
});
