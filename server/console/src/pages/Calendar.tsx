// The school calendar of a site (the school-year issue's rules, applied by the server):
// terms (outside them no class meets, once a site has any), holidays and closures, and the
// single sessions cancelled or moved.
import { useState } from 'react';
import type { z } from 'zod';
import type { RosterCalendar } from '../../../../src/contracts/sync.js';
import { DateRange } from '../../../src/schemas/calendar.js';
import type { Site } from '../../../src/schemas/people.js';
import { api, apiAll } from '../api.js';
import { useSubmit } from '../forms.js';
import { longDate } from '../format.js';
import { navigate, type Route } from '../router.js';
import { DateField, Empty, Field, FormError, FormOk, Loaded, Page, useQuery } from '../ui.js';

type SiteT = z.infer<typeof Site>;
type Cal = z.infer<typeof RosterCalendar>;

function RangeForm({
  title,
  path,
  onDone,
  testId,
}: {
  title: string;
  path: string;
  onDone(): void;
  testId: string;
}) {
  const [name, setName] = useState('');
  const [startDate, setStart] = useState('');
  const [endDate, setEnd] = useState('');
  const f = useSubmit();
  return (
    <form
      className="card"
      noValidate
      data-testid={testId}
      onSubmit={(e) => {
        e.preventDefault();
        void f
          .run(
            DateRange,
            { name, startDate, endDate: endDate || startDate },
            (v) => api('POST', path, { body: v }),
            'Added.',
          )
          .then((r) => r !== undefined && onDone());
      }}
    >
      <h3>{title}</h3>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      <div className="form-grid">
        <Field label="Name" error={f.errors.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <DateField label="First day" error={f.errors.startDate} value={startDate} onChange={setStart} />
        <DateField
          label="Last day (empty: one day)"
          error={f.errors.endDate}
          value={endDate}
          onChange={setEnd}
        />
      </div>
      <button type="submit" className="primary" disabled={f.busy}>
        Add
      </button>
    </form>
  );
}

export function Calendar({ route }: { route: Route }) {
  const siteId = route.params.get('site') ?? 'default';
  const sites = useQuery(() => apiAll<SiteT>('/api/sites'), []);
  const q = useQuery(() => api<Cal>('GET', `/api/sites/${encodeURIComponent(siteId)}/calendar`), [siteId]);
  const [error, setError] = useState<string | null>(null);
  const remove = (path: string) => {
    setError(null);
    api('DELETE', path).then(q.reload, (err: unknown) =>
      setError(err instanceof Error ? err.message : String(err)),
    );
  };
  const range = (a: string, b: string) => (a === b ? longDate(a) : `${longDate(a)} – ${longDate(b)}`);
  return (
    <Page title="School calendar" testId="calendar">
      <Loaded q={sites}>
        {(list) => (
          <div className="filters">
            <Field label="Site">
              {(p) => (
                <select
                  {...p}
                  value={siteId}
                  onChange={(e) => navigate('/calendar', { site: e.target.value })}
                >
                  {list.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name} ({s.timezone})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        )}
      </Loaded>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <Loaded q={q}>
        {(cal) => (
          <>
            <h2>Terms</h2>
            {cal.terms.length === 0 ? (
              <Empty>
                No terms: classes meet every week of the year. Add the terms to stop them outside.
              </Empty>
            ) : (
              <ul className="plain-list">
                {cal.terms.map((t) => (
                  <li key={t.id}>
                    <strong>{t.name}</strong>: {range(t.startDate, t.endDate)}{' '}
                    <button
                      type="button"
                      onClick={() => remove(`/api/terms/${t.id}`)}
                      aria-label={`Delete term ${t.name}`}
                    >
                      Delete
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <RangeForm
              title="Add a term"
              path={`/api/sites/${siteId}/terms`}
              onDone={q.reload}
              testId="term-form"
            />
            <h2>Holidays and closures</h2>
            {cal.closures.length === 0 ? (
              <Empty>No holidays or closures.</Empty>
            ) : (
              <ul className="plain-list">
                {cal.closures.map((c) => (
                  <li key={c.id}>
                    <strong>{c.name}</strong>: {range(c.startDate, c.endDate)}{' '}
                    <button
                      type="button"
                      onClick={() => remove(`/api/closures/${c.id}`)}
                      aria-label={`Delete closure ${c.name}`}
                    >
                      Delete
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <RangeForm
              title="Add a holiday or closure"
              path={`/api/sites/${siteId}/closures`}
              onDone={q.reload}
              testId="closure-form"
            />
            <h2>Cancelled and moved lessons</h2>
            {cal.changes.length === 0 ? (
              <Empty>No lesson cancelled or moved. Cancel one from its session on the Today page.</Empty>
            ) : (
              <ul className="plain-list">
                {cal.changes.map((c) => (
                  <li key={`${c.scheduleId}@${c.date}`}>
                    {longDate(c.date)}:{' '}
                    {c.kind === 'cancelled'
                      ? 'cancelled'
                      : `moved to ${longDate(c.toDate ?? c.date)} ${c.startTime ?? ''}`.trim()}{' '}
                    {c.reason ? `(${c.reason})` : ''}{' '}
                    <button
                      type="button"
                      onClick={() =>
                        remove(`/api/sessions/${encodeURIComponent(`${c.scheduleId}@${c.date}`)}/change`)
                      }
                      aria-label={`Undo the change of ${longDate(c.date)}`}
                    >
                      Undo
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}
