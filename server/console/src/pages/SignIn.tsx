// Signed-out pages: sign in, "forgot password" (an email with a one-time link), and the page
// that link opens to set a password (also used by invitations).
import { useState } from 'react';
import { LoginRequest } from '../../../src/schemas/auth.js';
import { ForgotPasswordRequest, SetPasswordRequest } from '../../../src/schemas/console.js';
import { publicPost, signIn } from '../api.js';
import { useSubmit } from '../forms.js';
import { href, navigate, type Route } from '../router.js';
import { Field, FormError, FormOk } from '../ui.js';

function SignInForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const f = useSubmit();
  return (
    <form
      className="card signin"
      data-page="signin"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void f
          .run(LoginRequest, { email, password }, (v) => signIn(v.email, v.password))
          .then((u) => {
            if (u) navigate('/today', undefined, true);
          });
      }}
    >
      <h1>Sign in to Rollcall</h1>
      <FormError errors={f.errors} />
      <Field label="Email" error={f.errors.email}>
        {(p) => (
          <input
            {...p}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="signin-email"
          />
        )}
      </Field>
      <Field label="Password" error={f.errors.password}>
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="signin-password"
          />
        )}
      </Field>
      <button type="submit" className="primary" disabled={f.busy} data-testid="signin-submit">
        {f.busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p>
        <a href={href('/forgot')}>Forgot your password?</a>
      </p>
    </form>
  );
}

function Forgot() {
  const [email, setEmail] = useState('');
  const f = useSubmit();
  return (
    <form
      className="card signin"
      data-page="forgot"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void f.run(
          ForgotPasswordRequest,
          { email },
          (v) => publicPost('/api/auth/forgot-password', v),
          'If that address belongs to an account, an email with a link to set a new password is on its way. The link works once, for one hour.',
        );
      }}
    >
      <h1>Forgot your password?</h1>
      <p>Give the email address you sign in with; we send a one-time link to set a new password.</p>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      <Field label="Email" error={f.errors.email}>
        {(p) => (
          <input
            {...p}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="primary" disabled={f.busy}>
        Send the link
      </button>
      <p>
        <a href={href('/signin')}>Back to sign in</a>
      </p>
    </form>
  );
}

function SetPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [set, setSet] = useState(false);
  const f = useSubmit();
  // The link is used up once it worked: the form would only invite a second try that fails.
  if (set)
    return (
      <div className="card signin" data-page="set-password" data-state="done">
        <h1>Password set</h1>
        <p className="form-ok" role="status" data-testid="password-set">
          Your password is set. You can sign in with it now.
        </p>
        <p>
          <a href={href('/signin')}>Go to sign in</a>
        </p>
      </div>
    );
  return (
    <form
      className="card signin"
      data-page="set-password"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (password !== again) {
          f.setErrors({ again: 'The two passwords are not the same' });
          return;
        }
        void f
          .run(SetPasswordRequest, { token, password }, (v) => publicPost('/api/auth/set-password', v))
          .then((r) => {
            if (!r) return;
            setPassword('');
            setAgain('');
            setSet(true);
          });
      }}
    >
      <h1>Set your password</h1>
      <FormError errors={f.errors} />
      {f.errors.token && <p className="form-error">This link is not valid: {f.errors.token}</p>}
      <Field label="New password" error={f.errors.password} hint="At least 10 characters.">
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <Field label="New password again" error={f.errors.again}>
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="primary" disabled={f.busy}>
        Set password
      </button>
      <p>
        <a href={href('/signin')}>Go to sign in</a>
      </p>
    </form>
  );
}

export function SignIn({ route }: { route: Route }) {
  if (route.parts[0] === 'forgot') return <Forgot />;
  if (route.parts[0] === 'set-password') return <SetPassword token={route.params.get('token') ?? ''} />;
  return <SignInForm />;
}
