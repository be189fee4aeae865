// One error handler: 4xx answers say what was wrong (400 lists field paths); 5xx answers
// hide details and log them with the request's context. Unknown routes get a plain 404.
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorBody } from '../../../src/contracts/sync.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/database.js';
import { HttpError } from '../errors.js';
import { RequestValidationError } from './zod-provider.js';

/** Constraint violations that escape the repositories' own checks (races): conflicts, not crashes. */
function constraintConflict(err: unknown): string | null {
  if (isUniqueViolation(err)) return 'already exists';
  if (isForeignKeyViolation(err)) return 'refers to a record that does not exist or is still referenced';
  return null;
}

const statusName = (status: number): string =>
  ({
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'too_many_requests',
  })[status] ?? (status >= 500 ? 'internal_error' : 'error');

export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((err: FastifyError | Error, request, reply) => {
      let status: number;
      let body: ErrorBody;
      if (err instanceof RequestValidationError) {
        status = 400;
        body = { error: 'validation_failed', message: err.message, issues: err.issues };
      } else if (err instanceof HttpError) {
        status = err.statusCode;
        body = { error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) };
      } else if (constraintConflict(err) !== null) {
        status = 409;
        body = { error: 'conflict', message: `Conflict: ${constraintConflict(err)}` };
      } else {
        const fe = err as FastifyError;
        status =
          typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 600
            ? fe.statusCode
            : 500;
        body =
          status >= 500
            ? { error: 'internal_error', message: 'Internal server error' }
            : { error: statusName(status), message: fe.message };
      }
      const context = {
        err,
        route: request.routeOptions.url,
        method: request.method,
        reqId: request.id,
        statusCode: status,
      };
      if (status >= 500) request.log.error(context, 'request failed');
      else
        request.log.info(
          { ...context, err: undefined, error: body.error, message: body.message },
          'request rejected',
        );
      // Rate-limit and friends set headers (Retry-After) before throwing; keep them.
      void reply.status(status).send(body);
    });

    app.setNotFoundHandler((request, reply) => {
      const body: ErrorBody = {
        error: 'not_found',
        message: `Route ${request.method} ${request.url.split('?')[0]} not found`,
      };
      void reply.status(404).send(body);
    });
  },
  { name: 'error-handler' },
);
