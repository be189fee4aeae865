// npm run server:reset-password -- --email admin@school.example [--enable]
// The way back in for an account whose password is lost when nobody can send a reset link: the
// only admin forgot theirs and the server has no SMTP_URL / PUBLIC_URL (a school's first weeks).
// Whoever can run commands on the server computer can read its database anyway, so this gives
// nothing away. The password is typed at a prompt (echo off) or piped on stdin, never given as an
// argument. Every session of the account ends, its sign-in lockout is lifted, and the change is
// audited `user.password_set.cli` in the same transaction.
import { configFromEnv } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { systemClock } from '../clock.js';
import { windowCounters } from '../rate-limit-store.js';
import { writeAudit } from '../repositories/audit.js';
import { findUserByEmail, updateUser } from '../repositories/users.js';
import { Email } from '../schemas/common.js';
import { currentPasswordFailureKey, loginFailureKey } from '../services/auth.js';
import { hashPassword } from '../services/passwords.js';
import { createAdminCommand, serverCommand } from '../startup-hints.js';
import { flags } from './args.js';
import { PASSWORD_ON_COMMAND_LINE, readNewPassword } from './read-secret.js';

const USAGE = `Usage: ${serverCommand('reset-password', '--email <email> [--enable]')}   (new password at the prompt, or piped on stdin)`;

function fail(message: string, code = 2): never {
  console.error(`reset-password: ${message}`);
  if (code === 2) console.error(USAGE);
  process.exit(code);
}

async function main() {
  const { values } = flags(
    process.argv.slice(2),
    { email: { type: 'string' }, enable: { type: 'boolean' }, password: { type: 'string' } },
    USAGE,
    ['password'],
  );
  if (values.password !== undefined) fail(PASSWORD_ON_COMMAND_LINE);
  if (values.email === undefined) fail('--email is required (the address the account signs in with)');
  const email = Email.safeParse(values.email);
  if (!email.success) fail(`--email: ${email.error.issues.map((i) => i.message).join('; ')}`);

  const config = configFromEnv(process.env);
  const database = openDatabase(config.database);
  try {
    await migrate(database);
    // Looked up before the password is asked for: a typo in the email is said at once.
    const user = await findUserByEmail(database.db, email.data);
    if (!user)
      fail(
        `no account has the email ${email.data}; nothing was changed (the Users page lists the accounts; ${createAdminCommand()} makes a new admin)`,
        1,
      );
    if (user.disabled === 1 && values.enable !== true)
      fail(
        `the account ${email.data} is disabled; nothing was changed. Add --enable to enable it with its new password`,
        1,
      );
    const password = await readNewPassword(`New password for ${email.data} (at least 10 characters): `);
    if ('refused' in password) fail(`${password.refused}; nothing was changed, run the command again`, 1);
    const passwordHash = await hashPassword(password.password);
    const now = systemClock.now().toISOString();
    await database.db.transaction().execute(async (trx) => {
      // A new password (and a re-enable) ends every session of the account (token version bump).
      await updateUser(
        trx,
        user.id,
        { passwordHash, ...(values.enable === true ? { disabled: false } : {}) },
        now,
      );
      await writeAudit(
        trx,
        {
          actor: { kind: 'cli', id: null },
          action: 'user.password_set.cli',
          entity: 'user',
          entityId: user.id,
          detail: { enabled: user.disabled === 1 },
        },
        now,
      );
    });
    // Wrong guesses before the reset (theirs, most likely, or a thief's) no longer hold the new
    // password back, at sign-in or at the next password change.
    const counters = windowCounters(database.db, systemClock);
    await counters.reset(loginFailureKey(email.data));
    await counters.reset(currentPasswordFailureKey(user.id));
    console.log(
      JSON.stringify({
        reset: {
          id: user.id,
          email: user.email,
          role: user.role,
          enabled: user.disabled === 1 ? true : undefined,
        },
      }),
    );
    console.error(
      `reset-password: the password of ${email.data} is changed and every session of the account has ended; sign in with the new one.`,
    );
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`reset-password: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
