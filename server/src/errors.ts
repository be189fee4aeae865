// Errors that carry their HTTP answer. Services throw these; the one error handler
// (plugins/error-handler.ts) turns them into ErrorBody. Anything else is a 500.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** The request field(s) a business rule refused, so a form can show the message beside them. */
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** `field`: the request field the rule is about (ErrorBody `issues[0].path`), when there is one. */
export const badRequest = (message: string, code = 'bad_request', field?: string) =>
  new HttpError(400, code, message, field === undefined ? undefined : [{ path: field, message }]);
export const unauthorized = (message = 'Authentication required', code = 'unauthorized') =>
  new HttpError(401, code, message);
/** `field`: as for `badRequest`, the request field whose value was refused (a wrong current password). */
export const forbidden = (message = 'Not allowed for your role', code = 'forbidden', field?: string) =>
  new HttpError(403, code, message, field === undefined ? undefined : [{ path: field, message }]);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, code = 'conflict') => new HttpError(409, code, message);
export const unprocessable = (message: string, code = 'unprocessable') => new HttpError(422, code, message);
export const tooManyRequests = (message: string, code = 'too_many_requests') =>
  new HttpError(429, code, message);
