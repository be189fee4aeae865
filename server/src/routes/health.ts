import { z } from 'zod';
import { ping } from '../db/database.js';
import { typed, type RoutePlugin } from './types.js';

const Health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string(), time: z.string() });

const health: RoutePlugin = async (app) => {
  typed(app).get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness and database reachability',
        response: { 200: Health, 503: Health },
      },
    },
    async (request, reply) => {
      const time = app.ctx.nowIso();
      try {
        await ping(app.ctx.database);
        return { status: 'ok' as const, database: app.ctx.dialect, time };
      } catch (err) {
        request.log.error({ component: 'health', err }, 'database unreachable');
        return reply.status(503).send({ status: 'unavailable' as const, database: app.ctx.dialect, time });
      }
    },
  );
};
export default health;
