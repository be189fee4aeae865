// Shared pieces: loading / error / empty states, labelled fields with their errors, a pager,
// the page frame (title + heading that takes focus, so a screen reader hears the new page).
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api.js';
import { longDate, normaliseTime } from './format.js';
import { topMessages, type FieldErrors } from './forms.js';

export interface QueryState<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload(): void;
}

/**
 * A number that changes exactly when an element of `deps` changes (`Object.is`, as React compares
 * an effect's list). An effect keyed on it follows a caller's list without spreading that list into
 * its own, which the hooks lint cannot check.
 */
export function useDepsVersion(deps: readonly unknown[]): number {
  const seen = useRef({ deps, version: 0 });
  const prev = seen.current.deps;
  if (prev.length !== deps.length || prev.some((d, i) => !Object.is(d, deps[i])))
    seen.current = { deps, version: seen.current.version + 1 };
  return seen.current.version;
}

/** Loads on mount and whenever `deps` change; keeps the previous data while reloading. */
export function useQuery<T>(load: () => Promise<T>, deps: readonly unknown[]): QueryState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // The latest `load` runs; `deps` say when (the caller's closure changes on every render).
  const loadRef = useRef(load);
  loadRef.current = load;
  const version = useDepsVersion(deps);
  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(err instanceof Error ? err : new Error(String(err)));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [version, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state--loading" role="status" data-state="loading">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** An error box; `title` says what failed (the default fits a page or list that did not load). */
export function ErrorBox({
  error,
  onRetry,
  title = 'Could not load this.',
}: {
  error: Error | string;
  onRetry?: () => void;
  title?: string;
}) {
  const message = typeof error === 'string' ? error : error.message;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="state state--error" role="alert" data-state="error" data-code={code}>
      <p>
        <strong>{title}</strong> {message}
      </p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="state state--empty" data-state="empty">
      {children}
    </p>
  );
}

/** Renders loading, error or empty for a query, else `children(data)`. */
export function Loaded<T>({
  q,
  empty,
  isEmpty,
  children,
}: {
  q: QueryState<T>;
  empty?: ReactNode;
  isEmpty?: (d: T) => boolean;
  children: (d: T) => ReactNode;
}) {
  if (q.error && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (q.data === null) return <Loading />;
  if (isEmpty?.(q.data)) return <Empty>{empty ?? 'Nothing here yet.'}</Empty>;
  return (
    <>
      {q.error && <ErrorBox error={q.error} onRetry={q.reload} />}
      {children(q.data)}
    </>
  );
}

export interface FieldProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

/**
 * A time of day, typed on the 24-hour clock ("08:15"). Not the browser's time input: that one
 * follows the laptop's locale, so on many it reads "08:15 AM" beside the 24-hour times every page
 * shows. On leaving the field, "8:15", "0815" or "8" become "08:15" / "08:00"; anything else stays
 * as typed for the form's schema to refuse in words.
 */
export function TimeField({
  label,
  value,
  onChange,
  error,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  testId: string;
}) {
  return (
    <Field label={label} error={error} hint="24-hour clock, hh:mm">
      {(p) => (
        <input
          {...p}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="08:15"
          // No maxLength: it would cut "2:30 PM" to "2:30 ", tidied into 02:30. Refused whole instead.
          size={6}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onBlur={(e) => {
            const tidy = normaliseTime(e.target.value);
            if (tidy !== e.target.value) onChange(tidy);
          }}
          // Enter submits the form without leaving the field: tidy first, so "8:15" is sent as
          // 08:15 instead of being refused as not a 24-hour time.
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            const tidy = normaliseTime(e.currentTarget.value);
            if (tidy !== e.currentTarget.value) onChange(tidy);
          }}
          data-testid={testId}
        />
      )}
    </Field>
  );
}

/**
 * A day, picked with the browser's calendar. The box itself is drawn in the laptop's locale
 * (07/12/2026 is 12 July on one laptop and 7 December on the next; a page cannot change that),
 * so the chosen day is written out under it in the console's own words ("Mon 7 Dec 2026").
 * Test id of the words: `${testId}-words`.
 */
export function DateField({
  label,
  value,
  onChange,
  error,
  hint,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  testId?: string;
}) {
  const words = longDate(value);
  return (
    <Field
      label={label}
      error={error}
      hint={
        words || hint ? (
          <>
            {words && (
              <span className="field__day" data-testid={testId ? `${testId}-words` : undefined}>
                {words}
              </span>
            )}
            {words && hint ? ' · ' : ''}
            {hint}
          </>
        ) : undefined
      }
    >
      {(p) => (
        <input
          {...p}
          type="date"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-testid={testId}
        />
      )}
    </Field>
  );
}

/**
 * The start and end of a lesson in the site's wall-clock time: one pair of fields for every form
 * that times a lesson (a schedule, a new schedule version, a moved session), so the label, the
 * server field names and the test ids cannot drift apart. Test ids: `${testId}-start`, `-end`.
 */
export function SiteTimeRange({
  start,
  end,
  onStart,
  onEnd,
  errors,
  testId,
}: {
  start: string;
  end: string;
  onStart: (value: string) => void;
  onEnd: (value: string) => void;
  errors: Readonly<Record<string, string>>;
  testId: string;
}) {
  return (
    <>
      <TimeField
        label="Starts (site time)"
        value={start}
        onChange={onStart}
        error={errors.startTime}
        testId={`${testId}-start`}
      />
      <TimeField
        label="Ends (site time)"
        value={end}
        onChange={onEnd}
        error={errors.endTime}
        testId={`${testId}-end`}
      />
    </>
  );
}

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (p: FieldProps) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': Boolean(error),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint && (
        <span className="field__hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field__error" id={`${id}-error`} data-testid="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The top of a form: its own error and any field error no field on screen shows (a server issue
 * about a field this form does not have), each once. The messages the form's fields show are read
 * from the rendered form before paint, so no form needs to list its fields here.
 */
export function FormError({ errors }: { errors: FieldErrors }) {
  const ref = useRef<HTMLDivElement>(null);
  // Measured for one `errors` object: until the fields showing it are read, nothing is shown
  // (an alert added then removed in the same frame could still be announced).
  const [beside, setBeside] = useState<{ of: FieldErrors; shown: string[] } | null>(null);
  useLayoutEffect(() => {
    const scope = ref.current?.closest('form') ?? ref.current?.parentElement;
    const shown = scope
      ? Array.from(scope.querySelectorAll('[data-testid="field-error"]'), (e) => e.textContent ?? '')
      : [];
    setBeside({ of: errors, shown });
  }, [errors]);
  const messages = beside?.of === errors ? topMessages(errors, beside.shown) : [];
  return (
    <div ref={ref} className="form-errors">
      {messages.map((message) => (
        <p key={message} className="form-error" role="alert" data-testid="form-error">
          {message}
        </p>
      ))}
    </div>
  );
}

export function FormOk({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="form-ok" role="status">
      {message}
    </p>
  );
}

export function Pager({
  total,
  limit,
  offset,
  onChange,
  label,
}: {
  total: number | null;
  limit: number;
  offset: number;
  onChange(offset: number): void;
  label: string;
}) {
  const hasMore = total === null ? true : offset + limit < total;
  const last = total === null ? offset + limit : Math.min(total, offset + limit);
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ← Previous
      </button>
      <span>
        {total === 0 ? 'none' : `${offset + 1}–${last}`}
        {total !== null ? ` of ${total}` : ''}
      </span>
      <button type="button" disabled={!hasMore} onClick={() => onChange(offset + limit)}>
        Next →
      </button>
    </nav>
  );
}

export function Page({
  title,
  actions,
  children,
  testId,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  testId: string;
}) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Rollcall`;
    h1.current?.focus();
  }, [title]);
  return (
    <section className="page" data-page={testId} aria-labelledby={`${testId}-title`}>
      <header className="page__header">
        <h1 id={`${testId}-title`} ref={h1} tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="page__actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export const STATUS_LABEL: Record<string, string> = {
  present: 'Present',
  late: 'Late',
  absent: 'Absent',
  excused: 'Excused',
  unseen: 'Not yet seen',
};
/** Marks an archived class wherever it is listed or shown. */
export function ArchivedBadge() {
  return (
    <span className="status status--archived" data-testid="class-archived-badge">
      Archived
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status--${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

/** A modal confirmation (native <dialog>: focus trapped, Escape cancels). */
export function Confirm({
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
  busy,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
  busy?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      onCancel={onCancel}
      data-testid="confirm-dialog"
    >
      <h2 id="confirm-title">{title}</h2>
      <div className="dialog__body">{children}</div>
      <div className="dialog__actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          onClick={onConfirm}
          disabled={busy}
          data-testid="confirm-yes"
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
