// Logins, refresh-token rotation and the principal of a request.
// Refresh tokens are random, stored hashed, single-use: each refresh marks the old one used
// and issues a new one in the same family. Presenting a used token again means it was
// stolen (or replayed): the whole family is revoked.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { DB } from '../db/schema.js';
import { unauthorized } from '../errors.js';
import { findUserByEmail, findUserById } from '../repositories/users.js';
import type { Role } from '../schemas/auth.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { hashToken, randomToken, signAccessToken } from './tokens.js';

export interface AuthConfig {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
}

export interface UserPrincipal {
  kind: 'user';
  id: string;
  email: string;
  role: Role;
}

export interface IssuedTokens {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: Role };
}

export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {}

  async login(email: string, password: string): Promise<IssuedTokens> {
    const user = await findUserByEmail(this.db, email);
    if (!user) {
      this.dummyHash ??= dummyPasswordHash();
      await verifyPassword(password, await this.dummyHash);
      throw unauthorized('Wrong email or password', 'bad_credentials');
    }
    const ok = await verifyPassword(password, user.password_hash);
    if (!ok || user.disabled === 1) throw unauthorized('Wrong email or password', 'bad_credentials');
    return this.issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const now = this.clock.now().toISOString();
    const hash = hashToken(refreshToken);
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!row || row.revoked_at !== null || row.expires_at <= now) throw unauthorized('Refresh token invalid or expired', 'bad_refresh_token');
    // Single use, enforced by the conditional update: of two concurrent refreshes one wins.
    const claimed = await this.db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      await this.db.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', row.family_id).where('revoked_at', 'is', null).execute();
      throw unauthorized('Refresh token reused; please log in again', 'refresh_token_reused');
    }
    const user = await findUserById(this.db, row.user_id);
    if (!user || user.disabled === 1) throw unauthorized('Account disabled', 'bad_refresh_token');
    return this.issue(user, row.family_id);
  }

  async logout(refreshToken: string): Promise<void> {
    const now = this.clock.now().toISOString();
    const row = await this.db.selectFrom('refresh_tokens').select('family_id').where('token_hash', '=', hashToken(refreshToken)).executeTakeFirst();
    if (row) await this.db.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', row.family_id).execute();
  }

  private async issue(user: { id: string; email: string; name: string; role: Role }, familyId: string): Promise<IssuedTokens> {
    const nowDate = this.clock.now();
    const refreshToken = randomToken();
    await this.db
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
      })
      .execute();
    return {
      accessToken: signAccessToken(this.config.jwtSecret, { sub: user.id, role: user.role, email: user.email }, this.config.accessTokenTtlSeconds, nowDate.getTime()),
      tokenType: 'Bearer',
      expiresIn: this.config.accessTokenTtlSeconds,
      refreshToken,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }
}
