// npm run server:create-admin -- --email admin@school.example --password '…' [--name 'Ada Admin']
// Creates the first admin (or another one) in the database the server would use (same env).
import { z } from 'zod';
import { configFromEnv } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { writeAudit } from '../repositories/audit.js';
import { insertUser } from '../repositories/users.js';
import { Password } from '../schemas/auth.js';
import { Email } from '../schemas/common.js';
import { hashPassword } from '../services/passwords.js';
import { flags } from './args.js';

const Args = z.object({ email: Email, password: Password, name: z.string().trim().min(1).max(200).optional() });

async function main() {
  const { values } = flags(process.argv.slice(2), { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error('Usage: npm run server:create-admin -- --email <email> --password <at least 10 characters> [--name <name>]');
    for (const i of parsed.error.issues) console.error(`  --${i.path.join('.')}: ${i.message}`);
    process.exit(2);
  }
  const config = configFromEnv(process.env);
  const database = openDatabase(config.database);
  try {
    await migrate(database);
    const now = new Date().toISOString();
    const user = await insertUser(
      database.db,
      { email: parsed.data.email, name: parsed.data.name ?? parsed.data.email, role: 'admin', passwordHash: await hashPassword(parsed.data.password) },
      now,
    );
    await writeAudit(database.db, { actor: { kind: 'cli', id: null }, action: 'user.create', entity: 'user', entityId: user.id, detail: { role: 'admin' } }, now);
    console.log(JSON.stringify({ created: user }));
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
