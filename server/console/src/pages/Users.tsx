// Teachers and admins: invite by email (a one-time link to set a password), disable or
// re-enable (sessions end at once), change role, send a reset link.
import { useState } from 'react';
import type { z } from 'zod';
import type { User } from '../../../src/schemas/auth.js';
import { Email, Name } from '../../../src/schemas/common.js';
import { Role } from '../../../src/schemas/auth.js';
import { z as zod } from 'zod';
import { api, currentUser, apiAll } from '../api.js';
import { useSubmit } from '../forms.js';
import { Field, FormError, FormOk, Loaded, Page, useQuery } from '../ui.js';

type UserT = z.infer<typeof User>;
type Link = { emailed: boolean; setPasswordUrl?: string; expiresInSeconds: number };
/** The server's InviteRequest (server/src/console/account-routes.ts), from the same parts. */
const InviteRequest = zod.object({ email: Email, name: Name, role: Role.default('teacher') });

function LinkNotice({ who, link }: { who: string; link: Link }) {
  return (
    <div className="form-ok" role="status" data-testid="link-notice">
      {link.emailed ? (
        <p>An email with a one-time link to set a password is on its way to {who}.</p>
      ) : (
        <>
          <p>
            No email server is configured, so give {who} this one-time link (valid{' '}
            {Math.round(link.expiresInSeconds / 3600)} h):
          </p>
          <p>
            <code className="break">{link.setPasswordUrl}</code>
          </p>
        </>
      )}
    </div>
  );
}

export function Users() {
  const q = useQuery(() => apiAll<UserT>('/api/users'), []);
  const me = currentUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('teacher');
  const [notice, setNotice] = useState<{ who: string; link: Link } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const f = useSubmit();
  const act = (p: Promise<unknown>) => {
    setActionError(null);
    p.then(q.reload, (err: unknown) => setActionError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <Page title="Users" testId="users">
      {notice && <LinkNotice who={notice.who} link={notice.link} />}
      {actionError && (
        <p className="form-error" role="alert">
          {actionError}
        </p>
      )}
      <Loaded q={q} isEmpty={(d) => d.length === 0} empty="No users.">
        {(users) => (
          <div className="table-wrap">
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">{u.name}</th>
                    <td>{u.email}</td>
                    <td>{u.role}</td>
                    <td>{u.disabled ? 'Disabled' : 'Active'}</td>
                    <td className="actions">
                      {u.id !== me?.id && (
                        <>
                          <button
                            type="button"
                            onClick={() =>
                              act(api('PATCH', `/api/users/${u.id}`, { body: { disabled: !u.disabled } }))
                            }
                            aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
                          >
                            {u.disabled ? 'Enable' : 'Disable'}
                          </button>
                          <button
                            type="button"
                            onClick={() =>
                              act(
                                api('PATCH', `/api/users/${u.id}`, {
                                  body: { role: u.role === 'admin' ? 'teacher' : 'admin' },
                                }),
                              )
                            }
                            aria-label={`Make ${u.role === 'admin' ? 'teacher' : 'admin'}: ${u.name}`}
                          >
                            Make {u.role === 'admin' ? 'teacher' : 'admin'}
                          </button>
                        </>
                      )}
                      <button
                        type="button"
                        onClick={() =>
                          act(
                            api<Link>('POST', `/api/users/${u.id}/password-link`).then((link) =>
                              setNotice({ who: u.name, link }),
                            ),
                          )
                        }
                        aria-label={`Send a password link to ${u.name}`}
                      >
                        Send a password link
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      <p className="muted small">
        Disabling a user or changing their role signs them out everywhere at once.
      </p>
      <form
        className="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void f
            .run(InviteRequest, { email, name, role }, (v) =>
              api<{ user: UserT; link: Link }>('POST', '/api/users/invite', { body: v }),
            )
            .then((r) => {
              if (r) {
                setNotice({ who: r.user.name, link: r.link });
                setEmail('');
                setName('');
                q.reload();
              }
            });
        }}
      >
        <h2>Invite a teacher or admin</h2>
        <FormError errors={f.errors} />
        <FormOk message={f.done} />
        <div className="form-grid">
          <Field label="Name" error={f.errors.name}>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Email" error={f.errors.email}>
            {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label="Role" error={f.errors.role}>
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.target.value)}>
                <option value="teacher">Teacher</option>
                <option value="admin">Admin</option>
              </select>
            )}
          </Field>
        </div>
        <button type="submit" className="primary" disabled={f.busy}>
          Send invitation
        </button>
      </form>
    </Page>
  );
}
