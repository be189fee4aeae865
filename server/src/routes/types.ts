import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from '../plugins/zod-provider.js';

/** A route plugin: registered by buildApp (core) or passed in `plugins` (extensions). */
export type RoutePlugin = FastifyPluginAsync;

/** The instance with zod typing on schemas: `const r = typed(app)`. */
export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();
