import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { userActor } from '../plugins/auth.js';
import {
  createRoom,
  createSite,
  deleteRoom,
  listRooms,
  listSites,
  toRoom,
  getRoom,
  updateSite,
} from '../repositories/rooms.js';
import { IdParams, ListPage } from '../schemas/common.js';
import { CreateRoom, CreateSite, Room, Site, UpdateSite } from '../schemas/people.js';
import { typed, type RoutePlugin } from './types.js';

const sites: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['sites and rooms'];

  r.get(
    '/api/sites',
    { ...anyUser, schema: { tags, security, querystring: ListPage, response: { 200: z.array(Site) } } },
    async (request) => listSites(app.ctx.db, request.query),
  );
  r.post(
    '/api/sites',
    { ...admin, schema: { tags, security, body: CreateSite, response: { 201: Site, 400: ErrorBody } } },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createSite(app.ctx.db, request.body, userActor(request), app.ctx.nowIso())),
  );
  r.patch(
    '/api/sites/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          "Rename a site or set its IANA time zone; the site's kiosks follow on their next roster pull",
        params: IdParams,
        body: UpdateSite,
        response: { 200: Site, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) =>
      updateSite(app.ctx.db, request.params.id, request.body, userActor(request), app.ctx.nowIso()),
  );

  r.get(
    '/api/rooms',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        querystring: ListPage.extend({ siteId: z.string().optional() }),
        response: { 200: z.array(Room) },
      },
    },
    async (request) => {
      const { siteId, limit, offset } = request.query;
      return listRooms(app.ctx.db, siteId, { limit, offset });
    },
  );
  r.get(
    '/api/rooms/:id',
    { ...anyUser, schema: { tags, security, params: IdParams, response: { 200: Room, 404: ErrorBody } } },
    async (request) => toRoom(await getRoom(app.ctx.db, request.params.id)),
  );
  r.post(
    '/api/rooms',
    { ...admin, schema: { tags, security, body: CreateRoom, response: { 201: Room, 404: ErrorBody } } },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createRoom(app.ctx.db, request.body, userActor(request), app.ctx.nowIso())),
  );
  r.delete(
    '/api/rooms/:id',
    { ...admin, schema: { tags, security, params: IdParams, response: { 204: z.null(), 409: ErrorBody } } },
    async (request, reply) => {
      await deleteRoom(app.ctx.db, request.params.id, userActor(request), app.ctx.nowIso());
      return reply.status(204).send(null);
    },
  );
};
export default sites;
