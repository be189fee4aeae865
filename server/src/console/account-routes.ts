// Accounts by email: an admin invites a teacher or admin (a one-time link to set a password),
// sends a reset link, and anyone can ask for one ("forgot password"). Links are signed, not
// stored (password-links.ts). Email goes through nodemailer like the notifications (SMTP_URL);
// without SMTP an admin's invite or reset answers the link instead so it can be handed over,
// and "forgot password" sends nothing (and says nothing different: no account probing).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { badRequest, notFound } from '../errors.js';
import type { Mailer } from '../notifications/mailer.js';
import { userOf } from '../plugins/auth.js';
import { windowCounters } from '../rate-limit-store.js';
import { writeAudit } from '../repositories/audit.js';
import { findUserByEmail, findUserById, insertUser, setPasswordIfUnchanged } from '../repositories/users.js';
import { typed, type RoutePlugin } from '../routes/types.js';
import { Role, User } from '../schemas/auth.js';
import { Email, IdParams, Name, Ok } from '../schemas/common.js';
import { ForgotPasswordRequest, SetPasswordRequest } from '../schemas/console.js';
import { hashPassword } from '../services/passwords.js';
import { randomToken } from '../services/tokens.js';
import {
  LINK_TTL_SECONDS,
  readPasswordLink,
  signPasswordLink,
  stillValidFor,
  type PasswordLinkKind,
} from './password-links.js';

export const InviteRequest = z.object({ email: Email, name: Name, role: Role.default('teacher') });
export const LinkAnswer = z.object({
  /** True when the link went out by email. */
  emailed: z.boolean(),
  /** The link itself, only when it could not be emailed (no SMTP): hand it to the person. */
  setPasswordUrl: z.string().optional(),
  expiresInSeconds: z.number().int(),
});

/**
 * Reset emails one account gets from "forgot password" in an hour. The route's limit counts per
 * client address, so many addresses could otherwise fill one person's inbox with links; a person
 * who lost the first emails still gets a few.
 */
export const RESET_EMAILS_PER_ACCOUNT_PER_HOUR = 3;

export interface AccountRoutesOptions {
  /** Null: no SMTP configured. */
  mailer: Mailer | null;
}

const MESSAGES: Record<
  PasswordLinkKind,
  { subject: string; body: (name: string, url: string, hours: number) => string }
> = {
  invite: {
    subject: 'Your Rollcall account',
    body: (name, url, hours) =>
      `Hello ${name},\n\nAn account was made for you on Rollcall, the school's attendance system. Set your password with this link (it works once, within ${hours} hours):\n\n${url}\n\nIf you did not expect this, ignore this email.\n`,
  },
  reset: {
    subject: 'Set a new Rollcall password',
    body: (name, url, hours) =>
      `Hello ${name},\n\nSomeone (hopefully you, or your school's admin) asked to set a new password for your Rollcall account. Use this link within ${hours} hour(s); it works once:\n\n${url}\n\nIf you did not ask, ignore this email: your password stays as it is.\n`,
  },
};

const accountRoutes = (opts: AccountRoutesOptions): RoutePlugin =>
  async function accounts(app) {
    const r = typed(app);
    const admin = { onRequest: app.requireUser('admin') };
    const security = [{ user: [] }];
    const limited = { rateLimit: { max: app.ctx.config.loginRateLimitPerMinute, timeWindow: '1 minute' } };
    const tags = ['people'];
    const resetEmails = windowCounters(app.ctx.db, app.ctx.clock);

    /** An admin's own request may use the origin their browser used; anonymous ones only PUBLIC_URL. */
    const baseUrl = (request: FastifyRequest | null) =>
      app.ctx.config.publicUrl ?? (request ? `${request.protocol}://${request.host}` : null);

    /**
     * A user's link, signed but not yet sent: where it will go is known before it leaves the
     * server, so its audit row can be written first. `url` null: no address to build it on (an
     * anonymous request without PUBLIC_URL).
     */
    async function makeLink(request: FastifyRequest | null, userId: string, kind: PasswordLinkKind) {
      const user = await findUserById(app.ctx.db, userId);
      if (!user) throw notFound(`user ${userId}`);
      const base = baseUrl(request);
      const url =
        base === null
          ? null
          : `${base}/#/set-password?token=${signPasswordLink(app.ctx.config.jwtSecret, user, kind, app.ctx.clock.now().getTime())}`;
      return { user, kind, url, emailed: url !== null && opts.mailer !== null };
    }

    /** Sends the link by email, or (no SMTP) answers it so the admin can hand it over. */
    async function deliver(link: Awaited<ReturnType<typeof makeLink>>): Promise<z.infer<typeof LinkAnswer>> {
      const ttl = LINK_TTL_SECONDS[link.kind];
      if (link.url === null) return { emailed: false, expiresInSeconds: ttl };
      if (opts.mailer) {
        const m = MESSAGES[link.kind];
        await opts.mailer.send({
          to: [link.user.email],
          subject: m.subject,
          text: m.body(link.user.name, link.url, Math.round(ttl / 3600)),
          notificationKey: `password-link:${link.kind}:${link.user.id}:${Date.now()}`,
        });
        return { emailed: true, expiresInSeconds: ttl };
      }
      return { emailed: false, setPasswordUrl: link.url, expiresInSeconds: ttl };
    }

    const sendLink = async (request: FastifyRequest | null, userId: string, kind: PasswordLinkKind) =>
      deliver(await makeLink(request, userId, kind));

    r.post(
      '/api/users/invite',
      {
        ...admin,
        schema: {
          tags,
          security,
          summary: 'Create an account without a password and email its holder a one-time link to set one',
          body: InviteRequest,
          response: { 201: z.object({ user: User, link: LinkAnswer }), 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const actor = userOf(request);
        const now = app.ctx.nowIso();
        // A password nobody knows: the account cannot sign in until the link is used.
        const passwordHash = await hashPassword(randomToken());
        // The account and its audit row in one transaction; the link goes out after it commits.
        const user = await app.ctx.db.transaction().execute(async (trx) => {
          const created = await insertUser(trx, { ...request.body, passwordHash }, now);
          await writeAudit(
            trx,
            {
              actor: { kind: 'user', id: actor.id },
              action: 'user.invite',
              entity: 'user',
              entityId: created.id,
              detail: { role: created.role },
            },
            now,
          );
          return created;
        });
        const link = await sendLink(request, user.id, 'invite');
        return reply.status(201).send({ user, link });
      },
    );

    r.post(
      '/api/users/:id/password-link',
      {
        ...admin,
        schema: {
          tags,
          security,
          summary:
            'Email a user a one-time link to set a new password (their current one keeps working until it is used)',
          params: IdParams,
          response: { 200: LinkAnswer, 404: ErrorBody },
        },
      },
      async (request) => {
        const actor = userOf(request);
        const link = await makeLink(request, request.params.id, 'reset');
        // A link is stored nowhere (it is signed): the change this row records is the link leaving
        // the server, so the row is written before it does. A row that cannot be written sends
        // no email and answers no link (a link handed to an admin can take the account). Not one
        // transaction with the email: that would hold the database's writers while SMTP answers;
        // an email that then fails leaves a row for a link that never arrived (the admin gets the error).
        await writeAudit(
          app.ctx.db,
          {
            actor: { kind: 'user', id: actor.id },
            action: 'user.password_link',
            entity: 'user',
            entityId: link.user.id,
            detail: { emailed: link.emailed },
          },
          app.ctx.nowIso(),
        );
        return deliver(link);
      },
    );

    r.post(
      '/api/auth/forgot-password',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          summary:
            'Email a one-time link to set a new password, if the address has an account (the answer is the same either way)',
          body: ForgotPasswordRequest,
          response: { 200: Ok, 429: ErrorBody },
        },
      },
      async (request) => {
        const user = await findUserByEmail(app.ctx.db, request.body.email);
        if (user && user.disabled === 0 && opts.mailer && app.ctx.config.publicUrl) {
          // Not awaited: the answer's timing must not tell a known address from an unknown one.
          void (async () => {
            const { current } = await resetEmails.increment(`reset-email\n${user.id}`, 3_600_000);
            if (current > RESET_EMAILS_PER_ACCOUNT_PER_HOUR) {
              request.log.warn(
                { component: 'accounts', userId: user.id, requests: current },
                'forgot-password: no email sent (hourly limit for this account)',
              );
              return;
            }
            await sendLink(null, user.id, 'reset');
          })().catch((err: unknown) =>
            request.log.error({ component: 'accounts', err, userId: user.id }, 'password link email failed'),
          );
        } else if (user && (!opts.mailer || !app.ctx.config.publicUrl)) {
          request.log.warn(
            { component: 'accounts', userId: user.id },
            'forgot-password: no email sent (needs SMTP_URL and PUBLIC_URL)',
          );
        }
        return { ok: true as const };
      },
    );

    r.post(
      '/api/auth/set-password',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          summary:
            'Set a password with a one-time link (invitation or reset); every session of the account ends',
          body: SetPasswordRequest,
          response: { 200: Ok, 400: ErrorBody, 429: ErrorBody },
        },
      },
      async (request) => {
        const claims = readPasswordLink(
          app.ctx.config.jwtSecret,
          request.body.token,
          app.ctx.clock.now().getTime(),
        );
        const user = claims ? await findUserById(app.ctx.db, claims.sub) : undefined;
        if (!claims || !user || !stillValidFor(claims, user)) {
          throw badRequest(
            'This link has expired or was already used; ask for a new one',
            'bad_password_link',
          );
        }
        const now = app.ctx.nowIso();
        const passwordHash = await hashPassword(request.body.password);
        // The new password and its audit row in one transaction: neither without the other.
        await app.ctx.db.transaction().execute(async (trx) => {
          // The link is used up by a conditional write, not by the check above: two uses at the
          // same moment both passed that check, and both "set" the password (the last one won,
          // while the first person was told theirs was set). Only the user as the link knew
          // them (same password hash and version, still enabled) is changed, and their sessions
          // end with it; the other use is refused like a used link.
          if (!(await setPasswordIfUnchanged(trx, user, passwordHash, now)))
            throw badRequest(
              'This link has expired or was already used; ask for a new one',
              'bad_password_link',
            );
          await writeAudit(
            trx,
            {
              actor: { kind: 'user', id: user.id },
              action: `user.password_set.${claims.kind}`,
              entity: 'user',
              entityId: user.id,
            },
            now,
          );
        });
        return { ok: true as const };
      },
    );
  };

export default accountRoutes;
