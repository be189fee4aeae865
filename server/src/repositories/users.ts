import { randomUUID } from 'node:crypto';
import type { UserTable } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { User } from '../schemas/auth.js';
import { paged, type Executor, type Page } from './executor.js';

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
  if (await findUserByEmail(db, input.email))
    throw conflict(`a user with email ${input.email} exists`, 'email_taken');
  const row: UserTable = {
    id: randomUUID(),
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    password_hash: input.passwordHash,
    disabled: 0,
    created_at: now,
    token_version: 0,
  };
  await db.insertInto('users').values(row).execute();
  return toUser(row);
}

export async function listUsers(db: Executor, role?: UserTable['role'], page?: Page): Promise<User[]> {
  let q = paged(db.selectFrom('users').selectAll().orderBy('email').orderBy('id'), page);
  if (role) q = q.where('role', '=', role);
  return (await q.execute()).map(toUser);
}

/** What the auth hook needs of a user on every request: one primary-key lookup. */
export type SessionState = Pick<UserTable, 'id' | 'email' | 'role' | 'disabled' | 'token_version'>;

export async function findSessionState(db: Executor, id: string): Promise<SessionState | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'disabled', 'token_version'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * A change that ends the user's sessions: the tokens they hold were granted to an account that
 * no longer exists in that form (disabled, other role, password no longer secret).
 */
export function endsSessions(
  current: Pick<UserTable, 'role'>,
  patch: { role?: UserTable['role']; disabled?: boolean; passwordHash?: string },
): boolean {
  return (
    patch.disabled === true ||
    patch.passwordHash !== undefined ||
    (patch.role !== undefined && patch.role !== current.role)
  );
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: { name?: string; role?: UserTable['role']; disabled?: boolean; passwordHash?: string },
  now: string,
): Promise<User> {
  const current = await findUserById(db, id);
  if (!current) throw notFound(`user ${id}`);
  const revoke = endsSessions(current, patch);
  // Only the columns the patch names, and the version bump in SQL: `current` may already be
  // stale, and writing it back would undo a concurrent change (a rename racing a "disable"
  // would re-enable the account). Two concurrent bumps both count.
  const changes = {
    ...(patch.name === undefined ? {} : { name: patch.name }),
    ...(patch.role === undefined ? {} : { role: patch.role }),
    ...(patch.disabled === undefined ? {} : { disabled: patch.disabled ? 1 : 0 }),
    ...(patch.passwordHash === undefined ? {} : { password_hash: patch.passwordHash }),
  };
  if (Object.keys(changes).length > 0) {
    await db
      .updateTable('users')
      .set((eb) => ({ ...changes, ...(revoke ? { token_version: eb('token_version', '+', 1) } : {}) }))
      .where('id', '=', id)
      .execute();
  }
  if (revoke) await revokeRefreshTokens(db, id, now);
  const updated = await findUserById(db, id);
  if (!updated) throw notFound(`user ${id}`);
  return toUser(updated);
}

/**
 * The version bump alone refuses every older access and refresh token (plugins/auth.ts,
 * services/auth.ts); marking the refresh tokens revoked keeps the table truthful as well.
 */
async function revokeRefreshTokens(db: Executor, userId: string, now: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * A new password, written only if the account is still as `seen` (same password hash and token
 * version, still enabled): a one-time link's use (docs/security.md, finding 42). Two uses at the
 * same moment both passed the link's check; this one conditional write (the hash and the version
 * bump that ends the sessions, together) lets only one of them through. False: the account
 * changed since (the link was used, or the account disabled), and nothing was written.
 */
export async function setPasswordIfUnchanged(
  db: Executor,
  seen: Pick<UserTable, 'id' | 'password_hash' | 'token_version'>,
  passwordHash: string,
  now: string,
): Promise<boolean> {
  const claimed = await db
    .updateTable('users')
    .set((eb) => ({ password_hash: passwordHash, token_version: eb('token_version', '+', 1) }))
    .where('id', '=', seen.id)
    .where('password_hash', '=', seen.password_hash)
    .where('token_version', '=', seen.token_version)
    .where('disabled', '=', 0)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return false;
  await revokeRefreshTokens(db, seen.id, now);
  return true;
}
