// Your own password. Changing it ends every other session at once (the server bumps the
// token version); this page's session goes on with the new cookie the server sets.
import { useState } from 'react';
import { ChangePasswordRequest } from '../../../src/schemas/auth.js';
import { changePassword, currentUser } from '../api.js';
import { useSubmit } from '../forms.js';
import { Field, FormError, FormOk, Page } from '../ui.js';

export function Account() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const f = useSubmit();
  const user = currentUser();
  return (
    <Page title="Account" testId="account">
      <p>
        Signed in as <strong>{user?.name}</strong> ({user?.email}), {user?.role}.
      </p>
      <form
        className="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void f
            .run(
              ChangePasswordRequest,
              { currentPassword, newPassword },
              (v) => changePassword(v.currentPassword, v.newPassword),
              'Password changed. Every other session (other browsers, API tokens) has been signed out.',
            )
            .then(() => {
              setCurrent('');
              setNew('');
            });
        }}
      >
        <h2>Change your password</h2>
        <FormError errors={f.errors} />
        <FormOk message={f.done} />
        <Field label="Current password" error={f.errors.currentPassword}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="New password"
          error={f.errors.newPassword}
          hint="At least 10 characters. Signs you out everywhere else."
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNew(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={f.busy}>
          Change password
        </button>
      </form>
    </Page>
  );
}
