import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { userOf } from '../plugins/auth.js';
import { writeAudit } from '../repositories/audit.js';
import { insertUser, listUsers } from '../repositories/users.js';
import { CreateUserRequest, Role, User } from '../schemas/auth.js';
import { hashPassword } from '../services/passwords.js';
import { typed, type RoutePlugin } from './types.js';

const users: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { preHandler: app.requireUser('admin') };
  const security = [{ user: [] }];

  r.get(
    '/api/users',
    { ...admin, schema: { tags: ['people'], security, summary: 'Users (admins and teachers)', querystring: z.object({ role: Role.optional() }), response: { 200: z.array(User), 401: ErrorBody, 403: ErrorBody } } },
    async (request) => listUsers(app.ctx.db, request.query.role),
  );

  r.post(
    '/api/users',
    { ...admin, schema: { tags: ['people'], security, summary: 'Create a teacher or admin account', body: CreateUserRequest, response: { 201: User, 409: ErrorBody } } },
    async (request, reply) => {
      const { email, name, role, password } = request.body;
      const now = app.ctx.nowIso();
      const user = await insertUser(app.ctx.db, { email, name, role, passwordHash: await hashPassword(password) }, now);
      const actor = userOf(request);
      await writeAudit(app.ctx.db, { actor: { kind: 'user', id: actor.id }, action: 'user.create', entity: 'user', entityId: user.id, detail: { role } }, now);
      return reply.status(201).send(user);
    },
  );
};
export default users;
