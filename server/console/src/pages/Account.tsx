// Your own password. Changing it ends every other session at once (the server bumps the
// token version); this page's session goes on with the new cookie the server sets.
import { useRef, useState } from 'react';
import { ChangePasswordRequest } from '../../../src/schemas/auth.js';
import { ApiError, changePassword, currentUser } from '../api.js';
import { useSubmit } from '../forms.js';
import { Field, FormError, FormOk, Page } from '../ui.js';

export function Account() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const f = useSubmit();
  const currentField = useRef<HTMLInputElement>(null);
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
              async (v) => {
                try {
                  await changePassword(v.currentPassword, v.newPassword);
                  return 'changed' as const;
                } catch (err) {
                  // A wrong current password is typed again from scratch (it cannot be seen to
                  // be corrected); the new one stays, as does everything after any other refusal.
                  if (err instanceof ApiError && err.code === 'wrong_password') {
                    setCurrent('');
                    currentField.current?.focus();
                  }
                  throw err;
                }
              },
              'Password changed. Every other session (other browsers, API tokens) has been signed out.',
            )
            .then((outcome) => {
              // Cleared only once the server took the change: a refused form keeps what was typed.
              if (outcome !== 'changed') return;
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
              ref={currentField}
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
