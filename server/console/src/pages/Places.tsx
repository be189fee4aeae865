// Sites (with their time zone: every time in the console and at the kiosks is shown in it)
// and rooms.
import { useState } from 'react';
import type { z } from 'zod';
import type { Room, Site } from '../../../src/schemas/people';
import { CreateRoom, CreateSite } from '../../../src/schemas/people';
import { api, apiAll } from '../api';
import { useSubmit } from '../forms';
import { Field, FormError, FormOk, Loaded, Page, useQuery } from '../ui';

type SiteT = z.infer<typeof Site>;
type RoomT = z.infer<typeof Room>;

export function Places() {
  const q = useQuery(async () => {
    const [sites, rooms] = await Promise.all([apiAll<SiteT>('/api/sites'), apiAll<RoomT>('/api/rooms')]);
    return { sites, rooms };
  }, []);
  const [siteName, setSiteName] = useState('');
  const [timezone, setTz] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [roomName, setRoomName] = useState('');
  const [roomSite, setRoomSite] = useState('default');
  const fs = useSubmit();
  const fr = useSubmit();
  return (
    <Page title="Sites and rooms" testId="places">
      <Loaded q={q}>
        {(d) => (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="sites-table">
                <thead>
                  <tr>
                    <th scope="col">Site</th>
                    <th scope="col">Time zone</th>
                    <th scope="col">Rooms</th>
                  </tr>
                </thead>
                <tbody>
                  {d.sites.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">{s.name}</th>
                      <td>{s.timezone}</td>
                      <td>
                        {d.rooms
                          .filter((r) => r.siteId === s.id)
                          .map((r) => r.name)
                          .join(', ') || 'none'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
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
                <Field label="Time zone (IANA, e.g. Europe/London)" error={fs.errors.timezone}>
                  {(p) => <input {...p} value={timezone} onChange={(e) => setTz(e.target.value)} />}
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
        )}
      </Loaded>
    </Page>
  );
}
