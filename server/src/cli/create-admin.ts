// npm run server:create-admin -- --email admin@school.example [--name 'Ada Admin']
// Creates the first admin (or another one) in the database the server would use (same env).
// The password is typed at a prompt (echo off) or piped on stdin, never given as an argument.
import { z } from 'zod';
import { configFromEnv } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { HttpError } from '../errors.js';
import { writeAudit } from '../repositories/audit.js';
import { insertUser } from '../repositories/users.js';
import { Email } from '../schemas/common.js';
import { hashPassword } from '../services/passwords.js';
import { serverCommand } from '../startup-hints.js';
import { flags } from './args.js';
import { PASSWORD_ON_COMMAND_LINE, readNewPassword } from './read-secret.js';

const Args = z.object({ email: Email, name: z.string().trim().min(1).max(200).optional() });
const USAGE = `Usage: ${serverCommand('create-admin', '--email <email> [--name <name>]')}   (password at the prompt, or piped on stdin)`;

async function main() {
  const { values } = flags(
    process.argv.slice(2),
    {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
    },
    USAGE,
    ['password'],
  );
  if (values.password !== undefined) {
    console.error(`create-admin: ${PASSWORD_ON_COMMAND_LINE}`);
    console.error(USAGE);
    process.exit(2);
  }
  if (values.email === undefined) {
    console.error('create-admin: --email is required (the address the new admin signs in with)');
    console.error(USAGE);
    process.exit(2);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(USAGE);
    for (const i of parsed.error.issues) console.error(`  --${i.path.join('.')}: ${i.message}`);
    process.exit(2);
  }
  const password = await readNewPassword('Password for the new admin (at least 10 characters): ');
  if ('refused' in password) {
    console.error(`create-admin: ${password.refused}; nothing was created, run the command again`);
    process.exit(2);
  }
  const config = configFromEnv(process.env);
  const database = openDatabase(config.database);
  try {
    await migrate(database);
    const now = new Date().toISOString();
    const passwordHash = await hashPassword(password.password);
    // The account and its audit row in one transaction: neither without the other.
    const user = await database.db.transaction().execute(async (trx) => {
      const created = await insertUser(
        trx,
        {
          email: parsed.data.email,
          name: parsed.data.name ?? parsed.data.email,
          role: 'admin',
          passwordHash,
        },
        now,
      );
      await writeAudit(
        trx,
        {
          actor: { kind: 'cli', id: null },
          action: 'user.create',
          entity: 'user',
          entityId: created.id,
          detail: { role: 'admin' },
        },
        now,
      );
      return created;
    });
    console.log(JSON.stringify({ created: user }));
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof HttpError && err.code === 'email_taken') {
    // Usually someone who already made their admin and lost the password: say where to go.
    console.error(
      `create-admin: ${err.message}; nothing was changed. Sign in with it at the console; for a ` +
        'forgotten password another admin sends a reset link from the Users page (or use "Forgot ' +
        'your password?" when SMTP_URL and PUBLIC_URL are set), or on this computer: ' +
        `${serverCommand('reset-password', '--email <that email>')}.`,
    );
    process.exit(1);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
