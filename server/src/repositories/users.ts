import { randomUUID } from 'node:crypto';
import type { UserTable } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
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

export async function updateUser(
  db: Executor,
  id: string,
  patch: { name?: string; role?: UserTable['role']; disabled?: boolean; passwordHash?: string },
  now: string,
): Promise<User> {
  const current = await findUserById(db, id);
  if (!current) throw notFound(`user ${id}`);
  const next: UserTable = {
    ...current,
    name: patch.name ?? current.name,
    role: patch.role ?? current.role,
    disabled: patch.disabled === undefined ? current.disabled : patch.disabled ? 1 : 0,
    password_hash: patch.passwordHash ?? current.password_hash,
  };
  await db.updateTable('users').set({ name: next.name, role: next.role, disabled: next.disabled, password_hash: next.password_hash }).where('id', '=', id).execute();
  // A disabled account or a new password ends every session that could be refreshed.
  if (patch.disabled === true || patch.passwordHash !== undefined) {
    await db.updateTable('refresh_tokens').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
  }
  return toUser(next);
}
