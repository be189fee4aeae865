// Logins, refresh-token rotation, password changes and the principal of a request.
// Refresh tokens are random, stored hashed, single-use: each refresh marks the old one used
// and issues a new one in the same family. Presenting a used token again means it was
// stolen (or replayed): the whole family is revoked.
// Every token carries the user's token_version at issue (migration 005). Disabling a user,
// changing their role or password bumps it, which ends every session at once: access tokens
// in the auth hook (plugins/auth.ts), refresh tokens here.
// The audit log gets each sign-in, sign-out, password change (and one refused for a wrong
// current password), failed sign-in, lockout of an account and session ended for a reused
// refresh token (the password and tokens are never written; an email with no account is not
// written either, see `noteUnknownAccount`). Every row a stranger can cause is bounded: by a
// throttle, or (a reuse) to one per session.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { DB } from '../db/schema.js';
import { forbidden, tooManyRequests, unauthorized, type HttpError } from '../errors.js';
import { windowCounters, type WindowCounters } from '../rate-limit-store.js';
import { writeAudit, writeAudits, type AuditEntry } from '../repositories/audit.js';
import type { Executor } from '../repositories/executor.js';
import { findUserByEmail, findUserById, updateUser } from '../repositories/users.js';
import type { Role } from '../schemas/auth.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { hashToken, randomToken, signAccessToken } from './tokens.js';

export interface AuthConfig {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
}

/**
 * Wrong passwords one account may take in a window, whichever clients send them. The per-client
 * limit (LOGIN_RATE_LIMIT_PER_MINUTE) does not slow a guesser spread over many addresses; this
 * does, at the cost that such a guesser can keep the account's owner out for the window too.
 */
export const ACCOUNT_FAILURES = { max: 10, windowMs: 15 * 60_000 } as const;
/** The per-account count of wrong current passwords on a password change: the CLI reset clears it too. */
export const currentPasswordFailureKey = (userId: string): string => `current password failures\n${userId}`;
/** The per-email count of wrong sign-ins (in `rate_limits`): a password reset from the CLI clears it. */
export const loginFailureKey = (email: string): string => `login failures\n${email.trim().toLowerCase()}`;

/** Which door a sign-in came through: the API's token routes or the console's cookie session. */
export type SignInVia = 'api' | 'console';

/**
 * Failed sign-ins with an email that has no account are counted school-wide per window of
 * ACCOUNT_FAILURES.windowMs and audited at the 1st, 10th, 100th, ... of the window: the per-email
 * throttle does not bound them (a guesser can try a new email each time), so one row each would let
 * anyone flood the log. A key without a newline cannot be a rate-limit or per-email key.
 */
const UNKNOWN_ACCOUNT_KEY = 'sign-in failures without an account';
export const isPowerOfTen = (n: number) => {
  let p = 1;
  while (p < n) p *= 10;
  return p === n;
};

export interface UserPrincipal {
  kind: 'user';
  id: string;
  email: string;
  role: Role;
}

/** The 401s of a token whose user changed since it was issued: clients log in again. */
export const accountDisabled = (): HttpError =>
  unauthorized('Account disabled; ask an admin', 'account_disabled');
export const sessionRevoked = (): HttpError =>
  unauthorized(
    'Session ended: the account was removed or its role or password changed; log in again',
    'session_revoked',
  );

type TokenSubject = { id: string; email: string; name: string; role: Role; token_version: number };

export interface IssuedTokens {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: Role };
}

export class AuthService {
  private dummyHash: Promise<string> | undefined;
  private readonly failures: WindowCounters;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {
    this.failures = windowCounters(db, clock);
  }

  async login(email: string, password: string, via: SignInVia): Promise<IssuedTokens> {
    // Counted per email whether or not the account exists, so the answer says nothing about that.
    // Every attempt takes a slot first, in one atomic increment, and only a right password gives
    // it back: peeking first and counting after the (slow) password check let concurrent guesses
    // all see the same count and slip past the limit together.
    const failureKey = loginFailureKey(email);
    const { current, ttl } = await this.failures.increment(failureKey, ACCOUNT_FAILURES.windowMs);
    if (current > ACCOUNT_FAILURES.max) {
      // Not even a right password is checked now: that is what stops the guessing.
      const minutes = Math.max(1, Math.ceil(ttl / 60_000));
      throw tooManyRequests(
        `Too many wrong passwords for this account; try again in ${minutes} min`,
        'account_throttled',
      );
    }
    const user = await findUserByEmail(this.db, email);
    const badCredentials = () => unauthorized('Wrong email or password', 'bad_credentials');
    if (!user) {
      this.dummyHash ??= dummyPasswordHash();
      await verifyPassword(password, await this.dummyHash);
      await this.noteUnknownAccount(via);
      throw badCredentials();
    }
    const rightPassword = await verifyPassword(password, user.password_hash);
    if (!rightPassword || user.disabled === 1) {
      await this.noteFailure(user.id, rightPassword ? 'account_disabled' : 'wrong_password', via, {
        current,
        ttl,
      });
      throw badCredentials();
    }
    await this.failures.reset(failureKey);
    return this.db.transaction().execute(async (trx) => {
      const tokens = await this.issue(trx, user, randomUUID());
      await writeAudit(
        trx,
        {
          actor: { kind: 'user', id: user.id },
          action: 'auth.sign_in',
          entity: 'user',
          entityId: user.id,
          detail: { via },
        },
        this.clock.now().toISOString(),
      );
      return tokens;
    });
  }

  /**
   * A wrong password (or a right one for a disabled account) for an account: audited with the
   * account's id and how many of the window's failures it is, never what was typed. The failure
   * that reaches the limit also writes `auth.lockout`, once per window: the throttled attempts
   * after it are not written at all, so one account costs at most ACCOUNT_FAILURES.max + 1 rows
   * a window however hard it is tried.
   */
  private async noteFailure(
    userId: string,
    reason: 'wrong_password' | 'account_disabled',
    via: SignInVia,
    count: { current: number; ttl: number },
  ): Promise<void> {
    const now = this.clock.now();
    const failed: AuditEntry = {
      actor: { kind: 'anonymous', id: null },
      action: 'auth.sign_in_failed',
      entity: 'user',
      entityId: userId,
      detail: { reason, via, failures: count.current, limit: ACCOUNT_FAILURES.max },
    };
    const lockout: AuditEntry = {
      actor: { kind: 'system', id: null },
      action: 'auth.lockout',
      entity: 'user',
      entityId: userId,
      detail: {
        failures: count.current,
        minutes: ACCOUNT_FAILURES.windowMs / 60_000,
        until: new Date(now.getTime() + count.ttl).toISOString(),
      },
    };
    // One statement, no transaction of its own: an unknown email's attempt costs one write too,
    // so the two answers do not differ by a BEGIN and a COMMIT.
    await writeAudits(
      this.db,
      count.current === ACCOUNT_FAILURES.max ? [failed, lockout] : [failed],
      now.toISOString(),
    );
  }

  /**
   * A sign-in with an email that has no account. Nothing typed is kept, not even hashed: it is
   * text a stranger chooses (it would be planted in the admins' log), an email is guessed back
   * from its hash by trying the school's address pattern, and people type their password into
   * the email field. Counted instead, and written at the 1st, 10th, 100th, ... of the window.
   */
  private async noteUnknownAccount(via: SignInVia): Promise<void> {
    const { current, ttl } = await this.failures.increment(UNKNOWN_ACCOUNT_KEY, ACCOUNT_FAILURES.windowMs);
    if (!isPowerOfTen(current)) return;
    const now = this.clock.now();
    await writeAudit(
      this.db,
      {
        actor: { kind: 'anonymous', id: null },
        action: 'auth.sign_in_failed',
        entity: 'user',
        entityId: null,
        detail: {
          reason: 'no_account',
          via,
          attempts: current,
          since: new Date(now.getTime() + ttl - ACCOUNT_FAILURES.windowMs).toISOString(),
        },
      },
      now.toISOString(),
    );
  }

  async refresh(refreshToken: string, via: SignInVia): Promise<IssuedTokens> {
    const now = this.clock.now().toISOString();
    const hash = hashToken(refreshToken);
    const row = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.expires_at <= now)
      throw unauthorized('Refresh token invalid or expired', 'bad_refresh_token');
    // Single use, enforced by the conditional update: of two concurrent refreshes one wins.
    const claimed = await this.db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      await this.endReusedSession(row, via, now);
      throw unauthorized('Refresh token reused; please log in again', 'refresh_token_reused');
    }
    const user = await findUserById(this.db, row.user_id);
    if (!user) throw sessionRevoked();
    if (user.disabled === 1) throw accountDisabled();
    // Covers a refresh that raced with the bump: its new token carries the old version.
    if (row.token_version !== user.token_version) throw sessionRevoked();
    return this.issue(this.db, user, row.family_id);
  }

  /**
   * A used refresh token came back: someone holds a copy of the session (or, rarely, one client
   * refreshed twice at once). The whole family (that one sign-in's session) is revoked, and
   * `auth.refresh_reuse` written with the account and what was done, never the token. Written
   * only when a live token was revoked: a family is ended once, so replays (and a race of two)
   * write one row, and presenting the same token again is refused before it gets here.
   */
  private async endReusedSession(
    row: { family_id: string; user_id: string },
    via: SignInVia,
    now: string,
  ): Promise<void> {
    await this.endFamily(
      row.family_id,
      {
        actor: { kind: 'system', id: null },
        action: 'auth.refresh_reuse',
        entity: 'user',
        entityId: row.user_id,
        detail: { via, outcome: 'session_ended' },
      },
      now,
    );
  }

  /**
   * Ends one sign-in's session (its refresh-token family) and writes `entry` in the same
   * transaction, only when a live token was revoked: a family ends once, so it is written once.
   */
  private async endFamily(familyId: string, entry: AuditEntry, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const ended = await trx
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(ended.numUpdatedRows) > 0) await writeAudit(trx, entry, now);
    });
  }

  /**
   * The user changes their own password: every other session ends (version bump), and the
   * caller gets fresh tokens in a new family so that this one goes on. A wrong current password
   * changes nothing and is audited `user.password_change_failed` with the account's id and the
   * door, never what was typed (someone holding a signed-in session is guessing the password,
   * or its owner mistyped). ACCOUNT_FAILURES.max wrong ones in its window, from any client, and
   * the account's password changes are refused (429) until the window ends.
   */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
    via: SignInVia,
  ): Promise<IssuedTokens> {
    const user = await findUserById(this.db, userId);
    if (!user) throw sessionRevoked();
    if (user.disabled === 1) throw accountDisabled();
    // Guesses at the current password are counted per account, like sign-ins, whatever the
    // client: the routes' per-client rate limit alone let a stolen session guess from many
    // addresses, for as long as it could be refreshed. A slot is taken before the check (as in
    // login) and given back by the right password. Its own count, not the sign-in one: whoever
    // holds the session cannot lock its owner out of signing in this way.
    const failureKey = currentPasswordFailureKey(userId);
    const { current, ttl } = await this.failures.increment(failureKey, ACCOUNT_FAILURES.windowMs);
    if (current > ACCOUNT_FAILURES.max) {
      const minutes = Math.max(1, Math.ceil(ttl / 60_000));
      throw tooManyRequests(
        `Too many wrong current passwords for this account; try again in ${minutes} min`,
        'account_throttled',
      );
    }
    // 403, not 401: the session is fine, only the proof is wrong (a client must not log out).
    // The field is named so that a form shows the reason beside it.
    if (!(await verifyPassword(currentPassword, user.password_hash))) {
      await writeAudit(
        this.db,
        {
          actor: { kind: 'user', id: userId },
          action: 'user.password_change_failed',
          entity: 'user',
          entityId: userId,
          detail: { reason: 'wrong_password', via },
        },
        this.clock.now().toISOString(),
      );
      throw forbidden('Current password is wrong', 'wrong_password', 'currentPassword');
    }
    await this.failures.reset(failureKey);
    const passwordHash = await hashPassword(newPassword);
    const now = this.clock.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      await updateUser(trx, userId, { passwordHash }, now);
      await writeAudit(
        trx,
        {
          actor: { kind: 'user', id: userId },
          action: 'user.password_change',
          entity: 'user',
          entityId: userId,
        },
        now,
      );
      const updated = await findUserById(trx, userId);
      if (!updated) throw sessionRevoked();
      return this.issue(trx, updated, randomUUID());
    });
  }

  /**
   * Ends the token's session (its family). Audited `auth.sign_out` only when a live session
   * ended: the route needs no sign-in, and presenting the same token again writes nothing.
   */
  async logout(refreshToken: string, via: SignInVia): Promise<void> {
    const now = this.clock.now().toISOString();
    const row = await this.db
      .selectFrom('refresh_tokens')
      .select(['family_id', 'user_id'])
      .where('token_hash', '=', hashToken(refreshToken))
      .executeTakeFirst();
    if (!row) return;
    await this.endFamily(
      row.family_id,
      {
        actor: { kind: 'user', id: row.user_id },
        action: 'auth.sign_out',
        entity: 'user',
        entityId: row.user_id,
        detail: { via },
      },
      now,
    );
  }

  private async issue(db: Executor, user: TokenSubject, familyId: string): Promise<IssuedTokens> {
    const nowDate = this.clock.now();
    const refreshToken = randomToken();
    await db
      .insertInto('refresh_tokens')
      .values({
        id: randomUUID(),
        user_id: user.id,
        token_hash: hashToken(refreshToken),
        family_id: familyId,
        expires_at: new Date(nowDate.getTime() + this.config.refreshTokenTtlDays * 86_400_000).toISOString(),
        used_at: null,
        revoked_at: null,
        created_at: nowDate.toISOString(),
        token_version: user.token_version,
      })
      .execute();
    return {
      accessToken: signAccessToken(
        this.config.jwtSecret,
        { sub: user.id, role: user.role, email: user.email, ver: user.token_version },
        this.config.accessTokenTtlSeconds,
        nowDate.getTime(),
      ),
      tokenType: 'Bearer',
      expiresIn: this.config.accessTokenTtlSeconds,
      refreshToken,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }
}
