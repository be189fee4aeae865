// Form validation with the server's own zod schemas, and the server's 400 issues shown beside
// the same fields: one rule, checked twice (here for speed, there for truth). Each error is
// shown once: beside the field it names, else at the form's top (`FormError`).
import { useState } from 'react';
import type { z } from 'zod';
import { LocalDate, LocalTime } from '../../../src/contracts/sync.js';
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

/**
 * The errors a failed submission shows. A 400 whose issues name fields is shown beside them
 * only: its message repeats an issue (a business rule's) or lists them all (a schema's), so
 * adding it at the top as well would say the same thing twice.
 */
export function failureErrors(err: unknown): FieldErrors {
  if (err instanceof ApiError && err.issues.length > 0) return issuesToFields(err.issues);
  return { _form: err instanceof Error ? err.message : String(err) };
}

/**
 * The messages for the top of a form: its own `_form` error, then any field error that no field
 * on screen shows (a server issue about a field this form does not have), each once.
 */
export function topMessages(errors: FieldErrors, shownBesideFields: readonly string[]): string[] {
  const beside = new Set(shownBesideFields);
  const out: string[] = [];
  const add = (m: string | undefined) => {
    if (m && !beside.has(m) && !out.includes(m)) out.push(m);
  };
  add(errors._form);
  for (const [key, message] of Object.entries(errors)) if (key !== '_form') add(message);
  return out;
}

type Issue = Parameters<z.core.$ZodErrorMap>[0];

/** The pattern a schema's regex issue names (as zod writes it), to know a time or date field by it. */
function patternOf(schema: z.ZodType): string | undefined {
  const r = schema.safeParse('');
  const issue = r.success ? undefined : r.error.issues[0];
  return issue && 'pattern' in issue ? String(issue.pattern) : undefined;
}
const TIME_PATTERN = patternOf(LocalTime);
const DATE_PATTERN = patternOf(LocalDate);

const characters = (n: number) => (n === 1 ? '1 character' : `${n} characters`);

/**
 * Zod's own messages ("Too small: expected string to have >=1 characters") are for developers;
 * a person filling a form gets these words. A message a schema writes itself still wins:
 * returning undefined falls back to it, or to zod's for a case not listed here.
 */
export function plainIssue(issue: Issue): string | undefined {
  const missing = issue.input === undefined || issue.input === null || issue.input === '';
  if (issue.code === 'too_small' && issue.origin === 'string') {
    const min = Number(issue.minimum);
    return min <= 1 ? 'Required.' : `At least ${characters(min)}.`;
  }
  if (issue.code === 'too_big' && issue.origin === 'string')
    return `At most ${characters(Number(issue.maximum))}.`;
  if (issue.code === 'too_small' && issue.origin === 'number') return `At least ${String(issue.minimum)}.`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `At most ${String(issue.maximum)}.`;
  if (issue.code === 'invalid_type')
    return missing ? 'Required.' : issue.expected === 'number' ? 'A number is needed.' : undefined;
  if (issue.code === 'invalid_format' && issue.format === 'email') return 'Not an email address.';
  if (issue.code === 'invalid_format' && issue.format === 'regex') {
    // The contract's time and date patterns (LocalTime, LocalDate), as a person would write them.
    if (issue.pattern === TIME_PATTERN)
      return missing ? 'Required.' : 'A time on the 24-hour clock, like 08:15.';
    if (issue.pattern === DATE_PATTERN) return missing ? 'Required.' : 'Choose a day.';
  }
  return undefined;
}

/** Parses with the schema; on failure returns the field errors instead, in plain words. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(value, { error: plainIssue });
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
      setErrors(failureErrors(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { errors, busy, done, run, setErrors, setDone };
}
