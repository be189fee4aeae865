import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { userOf } from '../plugins/auth.js';
import { writeAudit } from '../repositories/audit.js';
import { insertUser, listUsers, updateUser } from '../repositories/users.js';
import { CreateUserRequest, Role, UpdateUserRequest, User } from '../schemas/auth.js';
import { IdParams, ListPage } from '../schemas/common.js';
import { badRequest } from '../errors.js';
import { hashPassword } from '../services/passwords.js';
import { typed, type RoutePlugin } from './types.js';

const users: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const security = [{ user: [] }];

  r.get(
    '/api/users',
    {
      ...admin,
      schema: {
        tags: ['people'],
        security,
        summary: 'Users (admins and teachers)',
        querystring: ListPage.extend({ role: Role.optional() }),
        response: { 200: z.array(User), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const { role, limit, offset } = request.query;
      return listUsers(app.ctx.db, role, { limit, offset });
    },
  );

  r.post(
    '/api/users',
    {
      ...admin,
      schema: {
        tags: ['people'],
        security,
        summary: 'Create a teacher or admin account',
        body: CreateUserRequest,
        response: { 201: User, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, name, role, password } = request.body;
      const now = app.ctx.nowIso();
      const actor = userOf(request);
      // Hashed before the transaction: it is slow, and holds no lock.
      const passwordHash = await hashPassword(password);
      // The account and its audit row in one transaction: neither without the other.
      const user = await app.ctx.db.transaction().execute(async (trx) => {
        const created = await insertUser(trx, { email, name, role, passwordHash }, now);
        await writeAudit(
          trx,
          {
            actor: { kind: 'user', id: actor.id },
            action: 'user.create',
            entity: 'user',
            entityId: created.id,
            detail: { role },
          },
          now,
        );
        return created;
      });
      return reply.status(201).send(user);
    },
  );

  r.patch(
    '/api/users/:id',
    {
      ...admin,
      schema: {
        tags: ['people'],
        security,
        summary: 'Rename, change role, reset password or disable (revokes refresh tokens)',
        params: IdParams,
        body: UpdateUserRequest,
        response: { 200: User, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const actor = userOf(request);
      const { password, ...rest } = request.body;
      // An admin cannot lock themselves out (the last way back would be the CLI).
      if (request.params.id === actor.id && (rest.disabled === true || rest.role === 'teacher'))
        throw badRequest('You cannot disable or demote yourself', 'self_lockout');
      const now = app.ctx.nowIso();
      const patch = {
        ...rest,
        ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
      };
      // The change and its audit row in one transaction: neither without the other.
      return app.ctx.db.transaction().execute(async (trx) => {
        const user = await updateUser(trx, request.params.id, patch, now);
        await writeAudit(
          trx,
          {
            actor: { kind: 'user', id: actor.id },
            action: 'user.update',
            entity: 'user',
            entityId: user.id,
            detail: { ...rest, passwordReset: password !== undefined },
          },
          now,
        );
        return user;
      });
    },
  );
};
export default users;
