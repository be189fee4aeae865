// The audit log: who did what, when, in plain words (audit-words.ts) with the raw entry behind
// a Details disclosure; filtered and paged on the server, which also names the ids of a page.
import { useState } from 'react';
import { api, apiAll } from '../api.js';
import { AUDIT_KINDS, auditActor, describeAudit, type AuditEntry } from '../audit-words.js';
import { dateTimeIn } from '../format.js';
import { navigate, type Route } from '../router.js';
import { dayRange, schoolZone } from '../school-zone.js';
import { DateField, Field, Loaded, Page, Pager, useQuery } from '../ui.js';

type Row = AuditEntry & { id: string; at: string };
type UserRow = { id: string; name: string; email: string };
type SiteRow = { id: string; timezone: string };
const PAGE = 50;

export function Audit({ route }: { route: Route }) {
  const p = route.params;
  const filters = {
    action: p.get('action') ?? '',
    actorId: p.get('actorId') ?? '',
    entityId: p.get('entityId') ?? '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
  };
  const offset = Number(p.get('offset') ?? 0) || 0;
  const [draft, setDraft] = useState(filters);
  const users = useQuery(() => apiAll<UserRow>('/api/users'), []);
  const sites = useQuery(() => apiAll<SiteRow>('/api/sites'), []);
  // Until the sites are known the zone is not: the log waits for it rather than filter by UTC days.
  const zone = sites.data ? schoolZone(sites.data) : sites.error ? 'UTC' : null;
  const q = useQuery(
    () =>
      zone === null
        ? new Promise<Row[]>(() => {})
        : api<Row[]>('GET', '/api/audit', {
            query: { ...filters, ...dayRange(filters.from, filters.to, zone), limit: PAGE, offset },
          }),
    [filters.action, filters.actorId, filters.entityId, filters.from, filters.to, offset, zone],
  );
  const zoneLabel = zone ?? 'UTC';
  // A value typed into the address (user.invite) stays selectable rather than silently dropped.
  const kinds =
    AUDIT_KINDS.some((k) => k.value === draft.action) || !draft.action
      ? AUDIT_KINDS
      : [...AUDIT_KINDS, { value: draft.action, label: `“${draft.action}”` }];
  return (
    <Page title="Audit log" testId="audit">
      <form
        className="filters"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/audit', draft);
        }}
      >
        <Field label="What">
          {(fp) => (
            <select
              {...fp}
              value={draft.action}
              onChange={(e) => setDraft({ ...draft, action: e.target.value })}
              data-testid="audit-kind"
            >
              <option value="">Everything</option>
              {kinds.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Who">
          {(fp) => (
            <select
              {...fp}
              value={draft.actorId}
              onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}
            >
              <option value="">Anyone</option>
              {(users.data ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Record id">
          {(fp) => (
            <input
              {...fp}
              value={draft.entityId}
              onChange={(e) => setDraft({ ...draft, entityId: e.target.value })}
            />
          )}
        </Field>
        <DateField
          label={`From (${zoneLabel} day)`}
          value={draft.from}
          onChange={(v) => setDraft({ ...draft, from: v })}
        />
        <DateField
          label={`To (${zoneLabel} day)`}
          value={draft.to}
          onChange={(v) => setDraft({ ...draft, to: v })}
        />
        <button type="submit">Filter</button>
      </form>
      <Loaded q={q} isEmpty={(d) => d.length === 0 && offset === 0} empty="Nothing in the audit log matches.">
        {(rows) => (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">When ({zoneLabel})</th>
                    <th scope="col">Who</th>
                    <th scope="col">What happened</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <AuditRow key={r.id} row={r} zone={zoneLabel} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              total={rows.length < PAGE ? offset + rows.length : null}
              limit={PAGE}
              offset={offset}
              onChange={(o) => navigate('/audit', { ...filters, offset: String(o) })}
              label="Audit log"
            />
          </>
        )}
      </Loaded>
    </Page>
  );
}

function AuditRow({ row, zone }: { row: Row; zone: string }) {
  const words = describeAudit(row, zone);
  return (
    <tr data-testid="audit-row">
      <td>{dateTimeIn(row.at, zone)}</td>
      <td>{auditActor(row)}</td>
      <td>
        <span data-testid="audit-sentence">{words.sentence}</span>
        {words.facts.length > 0 && (
          <dl className="facts small">
            {words.facts.map((f) => (
              <div key={f.label}>
                <dt>{f.label}</dt>
                <dd className="break">{f.value}</dd>
              </div>
            ))}
          </dl>
        )}
        <details className="audit-raw small">
          <summary>Details</summary>
          <p>
            Action <code>{row.action}</code>, record{' '}
            <code className="break">
              {row.entity}
              {row.entityId ? ` ${row.entityId}` : ''}
            </code>
          </p>
          {row.detail !== null && <pre>{JSON.stringify(row.detail, null, 2)}</pre>}
        </details>
      </td>
    </tr>
  );
}
