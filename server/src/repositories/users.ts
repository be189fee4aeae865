import { randomUUID } from 'node:crypto';
import type { UserTable } from '../db/schema.js';
import { conflict } from '../errors.js';
import type { User } from '../schemas/auth.js';
import type { Executor } from './executor.js';

export const toUser = (r: UserTable): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

export async function findUserByEmail(db: Executor, email: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Executor, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(
  db: Executor,
  input: { email: string; name: string; role: UserTable['role']; passwordHash: string },
  now: string,
): Promise<User> {
  if (await findUserByEmail(db, input.email)) throw conflict(`a user with email ${input.email} exists`, 'email_taken');
  const row: UserTable = {
    id: randomUUID(),
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    password_hash: input.passwordHash,
    disabled: 0,
    created_at: now,
  };
  await db.insertInto('users').values(row).execute();
  return toUser(row);
}

export async function listUsers(db: Executor, role?: UserTable['role']): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().orderBy('email');
  if (role) q = q.where('role', '=', role);
  return (await q.execute()).map(toUser);
}
