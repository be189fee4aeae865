// The audit log: who did what, when; filtered and paged on the server.
import { useState } from 'react';
import { api, apiAll } from '../api.js';
import { dateTimeIn } from '../format.js';
import { navigate, type Route } from '../router.js';
import { dayRange, schoolZone } from '../school-zone.js';
import { DateField, Field, Loaded, Page, Pager, useQuery } from '../ui.js';

type Row = {
  id: string;
  at: string;
  actorKind: string;
  actorId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: unknown;
};
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
  const who = (id: string | null, kind: string) =>
    id === null ? kind : (users.data?.find((u) => u.id === id)?.name ?? `${kind} ${id.slice(0, 8)}`);
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
        <Field label="Action" hint="e.g. attendance. or user.invite">
          {(fp) => (
            <input
              {...fp}
              value={draft.action}
              onChange={(e) => setDraft({ ...draft, action: e.target.value })}
            />
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
                    <th scope="col">Action</th>
                    <th scope="col">Record</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id}>
                      <td>{dateTimeIn(r.at, zoneLabel)}</td>
                      <td>{who(r.actorId, r.actorKind)}</td>
                      <th scope="row">{r.action}</th>
                      <td>
                        {r.entity} {r.entityId ? <code>{r.entityId.slice(0, 8)}</code> : null}
                      </td>
                      <td>
                        <code className="break small">
                          {r.detail === null ? '' : JSON.stringify(r.detail)}
                        </code>
                      </td>
                    </tr>
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
