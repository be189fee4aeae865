// Sites (with their time zone: every time in the console and at the kiosks is shown in it,
// and their default arrival window), editable, and rooms.
import { useState } from 'react';
import type { z } from 'zod';
import type { Room, Site } from '../../../src/schemas/people.js';
import { CreateRoom, CreateSite, UpdateSite } from '../../../src/schemas/people.js';
import { api, apiAll } from '../api.js';
import { useSubmit } from '../forms.js';
import { siteZoneHint, suggestedSiteZone } from '../school-zone.js';
import { Field, FormError, FormOk, Loaded, Page, useQuery } from '../ui.js';

type SiteT = z.infer<typeof Site>;
type RoomT = z.infer<typeof Room>;

/** Rename a site, change its time zone or arrival window; the server checks the zone (IANA) and tells its kiosks. */
function SiteEditForm({ site, onDone, onClose }: { site: SiteT; onDone(): void; onClose(): void }) {
  const [name, setName] = useState(site.name);
  const [timezone, setTz] = useState(site.timezone);
  const [arrival, setArrival] = useState(String(site.arrivalMinutes));
  const f = useSubmit();
  const patch = {
    ...(name !== site.name ? { name } : {}),
    ...(timezone !== site.timezone ? { timezone } : {}),
    ...(arrival !== String(site.arrivalMinutes) ? { arrivalMinutes: Number(arrival) } : {}),
  };
  return (
    <form
      className="card"
      noValidate
      aria-labelledby="site-edit-title"
      data-testid="site-edit-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (Object.keys(patch).length === 0) {
          f.setErrors({ _form: 'Nothing changed.' });
          return;
        }
        void f
          .run(UpdateSite, patch, (v) => api('PATCH', `/api/sites/${site.id}`, { body: v }))
          .then((r) => r && onDone());
      }}
    >
      <h2 id="site-edit-title">Change the site “{site.name}”</h2>
      <p className="muted">
        A new time zone changes the local time of every lesson at this site; its kiosks follow at their next
        sync.
      </p>
      <FormError errors={f.errors} />
      <div className="form-grid">
        <Field label="Name" error={f.errors.name}>
          {(p) => (
            <input
              {...p}
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="site-edit-name"
            />
          )}
        </Field>
        <Field label="Time zone (IANA, e.g. Europe/London)" error={f.errors.timezone}>
          {(p) => (
            <input
              {...p}
              value={timezone}
              onChange={(e) => setTz(e.target.value)}
              data-testid="site-edit-tz"
            />
          )}
        </Field>
        <Field label="Arrival window (minutes before start)" error={f.errors.arrivalMinutes}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              max={120}
              value={arrival}
              onChange={(e) => setArrival(e.target.value)}
              data-testid="site-edit-arrival"
            />
          )}
        </Field>
      </div>
      <div className="inline-form__actions">
        <button type="submit" className="primary" disabled={f.busy} data-testid="site-edit-save">
          Save site
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

export function Places() {
  const q = useQuery(async () => {
    const [sites, rooms] = await Promise.all([apiAll<SiteT>('/api/sites'), apiAll<RoomT>('/api/rooms')]);
    return { sites, rooms };
  }, []);
  const [siteName, setSiteName] = useState('');
  // Null until the admin types: the form shows the zone the school already uses (school-zone.ts).
  const [typedZone, setTz] = useState<string | null>(null);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [roomName, setRoomName] = useState('');
  const [roomSite, setRoomSite] = useState('default');
  const [editing, setEditing] = useState<SiteT | null>(null);
  const fs = useSubmit();
  const fr = useSubmit();
  return (
    <Page title="Sites and rooms" testId="places">
      <Loaded q={q}>
        {(d) => {
          const suggested = suggestedSiteZone(d.sites, browserZone);
          const timezone = typedZone ?? suggested.zone;
          return (
            <>
              <div className="table-wrap">
                <table className="table" data-testid="sites-table">
                  <thead>
                    <tr>
                      <th scope="col">Site</th>
                      <th scope="col">Time zone</th>
                      <th scope="col">Arrival window</th>
                      <th scope="col">Rooms</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.sites.map((s) => (
                      <tr key={s.id}>
                        <th scope="row">{s.name}</th>
                        <td>{s.timezone}</td>
                        <td>{s.arrivalMinutes} min</td>
                        <td>
                          {d.rooms
                            .filter((r) => r.siteId === s.id)
                            .map((r) => r.name)
                            .join(', ') || 'none'}
                        </td>
                        <td className="actions">
                          <button
                            type="button"
                            onClick={() => setEditing(s)}
                            aria-label={`Change the site ${s.name}`}
                            data-testid="site-edit"
                          >
                            Change
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {editing && (
                <SiteEditForm
                  key={editing.id}
                  site={editing}
                  onDone={() => {
                    setEditing(null);
                    q.reload();
                  }}
                  onClose={() => setEditing(null)}
                />
              )}
              <div className="two-col">
                <form
                  className="card"
                  noValidate
                  onSubmit={(e) => {
                    e.preventDefault();
                    void fs
                      .run(
                        CreateSite,
                        { name: siteName, timezone },
                        (v) => api('POST', '/api/sites', { body: v }),
                        'Site added.',
                      )
                      .then((r) => r && q.reload());
                  }}
                >
                  <h2>Add a site</h2>
                  <FormError errors={fs.errors} />
                  <FormOk message={fs.done} />
                  <Field label="Name" error={fs.errors.name}>
                    {(p) => <input {...p} value={siteName} onChange={(e) => setSiteName(e.target.value)} />}
                  </Field>
                  <Field
                    label="Time zone (IANA, e.g. Europe/London)"
                    error={fs.errors.timezone}
                    hint={typedZone !== null ? undefined : siteZoneHint(suggested)}
                  >
                    {(p) => (
                      <input
                        {...p}
                        value={timezone}
                        onChange={(e) => setTz(e.target.value)}
                        data-testid="new-site-timezone"
                      />
                    )}
                  </Field>
                  <button type="submit" className="primary" disabled={fs.busy}>
                    Add site
                  </button>
                </form>
                <form
                  className="card"
                  noValidate
                  onSubmit={(e) => {
                    e.preventDefault();
                    void fr
                      .run(
                        CreateRoom,
                        { name: roomName, siteId: roomSite },
                        (v) => api('POST', '/api/rooms', { body: v }),
                        'Room added.',
                      )
                      .then((r) => r && q.reload());
                  }}
                >
                  <h2>Add a room</h2>
                  <FormError errors={fr.errors} />
                  <FormOk message={fr.done} />
                  <Field label="Name" error={fr.errors.name}>
                    {(p) => <input {...p} value={roomName} onChange={(e) => setRoomName(e.target.value)} />}
                  </Field>
                  <Field label="Site" error={fr.errors.siteId}>
                    {(p) => (
                      <select {...p} value={roomSite} onChange={(e) => setRoomSite(e.target.value)}>
                        {d.sites.map((s) => (
                          <option key={s.id} value={s.id}>
                            {s.name}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <button type="submit" className="primary" disabled={fr.busy}>
                    Add room
                  </button>
                </form>
              </div>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
