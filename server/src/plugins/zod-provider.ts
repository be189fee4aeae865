// A tiny zod 4 type provider for Fastify: route schemas are zod schemas; requests are
// parsed with them (so handlers get the parsed, defaulted, coerced values and their types),
// and @fastify/swagger gets JSON Schema from z.toJSONSchema. Written here rather than
// pulled in so that 400s carry exactly our ErrorBody `issues`.
import type { FastifySchema, FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Thrown (returned) by the validator; the error handler answers 400 with its issues. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly part: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`Invalid ${part}: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`);
    this.name = 'RequestValidationError';
  }
}

export const issuePath = (path: readonly PropertyKey[]): string =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');

export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
    return {
      error: new RequestValidationError(
        part,
        result.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
      ),
    };
  };

/**
 * Responses are not re-validated at run time (the handlers' types already follow the
 * schemas, and the roster sends pre-serialised JSON); they are documented in OpenAPI.
 */
export const serializerCompiler = () => (data: unknown) => JSON.stringify(data);

const isZod = (v: unknown): v is z.ZodType => typeof v === 'object' && v !== null && '_zod' in v;

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, target: 'openapi-3.0', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}

/** @fastify/swagger `transform`: turns each route's zod schemas into JSON Schema. */
export function jsonSchemaTransform({ schema, url }: { schema: FastifySchema | undefined; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema) return { schema: {}, url };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'response' && value && typeof value === 'object') {
      const responses: Record<string, unknown> = {};
      for (const [code, s] of Object.entries(value))
        responses[code] = isZod(s) ? toJsonSchema(s, 'output') : s;
      out.response = responses;
    } else if (['body', 'querystring', 'params', 'headers'].includes(key) && isZod(value)) {
      out[key] = toJsonSchema(value, 'input');
    } else out[key] = value;
  }
  return { schema: out as FastifySchema, url };
}
