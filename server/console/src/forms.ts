// Form validation with the server's own zod schemas, and the server's 400 issues shown beside
// the same fields: one rule, checked twice (here for speed, there for truth).
import { useState } from 'react';
import type { z } from 'zod';
import { ApiError } from './api.js';

export type FieldErrors = Record<string, string>;

export function issuesToFields(
  issues: readonly { path: string | readonly PropertyKey[]; message: string }[],
): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const key = typeof i.path === 'string' ? i.path : i.path.map(String).join('.');
    out[key || '_form'] ??= i.message;
  }
  return out;
}

/** Parses with the schema; on failure returns the field errors instead. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    errors: issuesToFields(r.error.issues.map((i) => ({ path: i.path, message: i.message }))),
  };
}

/** Submission state of a form: field errors (client or server), a form-level error, busy. */
export function useSubmit() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  async function run<S extends z.ZodType, R>(
    schema: S,
    value: unknown,
    send: (v: z.output<S>) => Promise<R>,
    okMessage?: string,
  ): Promise<R | undefined> {
    setDone(null);
    const v = validate(schema, value);
    if (!v.ok) {
      setErrors(v.errors);
      return undefined;
    }
    setErrors({});
    setBusy(true);
    try {
      const r = await send(v.value);
      if (okMessage) setDone(okMessage);
      return r;
    } catch (err) {
      if (err instanceof ApiError) setErrors({ ...issuesToFields(err.issues), _form: err.message });
      else setErrors({ _form: err instanceof Error ? err.message : String(err) });
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { errors, busy, done, run, setErrors, setDone };
}
