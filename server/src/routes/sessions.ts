// The sessions of a day (what the console's Today page lists) and a live stream of one
// session's report (server-sent events), both scoped like the session report: teachers
// their own classes, admins all. Sessions are derived from schedules by the reports'
// `sessionsOf` (one occurrence rule), in each class's site time zone.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { forbidden, tooManyRequests } from '../errors.js';
import { userOf } from '../plugins/auth.js';
import { resolveSession, sessionReport, type ResolvedSession } from '../repositories/attendance.js';
import { findSessionState } from '../repositories/users.js';
import { addDays, localDateAt } from '../../../src/contracts/site-time.js';
import { loadCalendar, scheduleSpecs } from '../repositories/calendar.js';
import { sessionsOf } from '../reports/service.js';
import { SessionParams } from '../schemas/attendance.js';
import { DaySessions, DaySessionsQuery, NEXT_LESSON_DAYS, type DaySession } from '../schemas/console.js';
import { verifyAccessToken } from '../services/tokens.js';
import { slotLeases, type SlotLease } from '../rate-limit-store.js';
import { typed, type RoutePlugin } from './types.js';

/** How often an open stream looks at the database for events another instance received. */
export const LIVE_POLL_MS = 2_000;
/** Even without new events the report is rebuilt this often (enrolments, names). */
const LIVE_REFRESH_MS = 30_000;
const HEARTBEAT_MS = 20_000;
/**
 * Live streams one user may hold open, across all server instances. Each stream polls the
 * database every LIVE_POLL_MS and rebuilds its report on every change, so without a bound one
 * account (or one stolen access token) could open thousands and make the server do unbounded
 * work. A person watches a few sessions in a few tabs; the console retries a refused stream with
 * a back-off.
 */
export const LIVE_STREAMS_PER_USER = 8;
/**
 * A stream's slot is a row in the database (`slotLeases`), so the limit holds across instances
 * (counted per instance, N instances gave N x 8). The stream renews it at each heartbeat; one
 * not renewed for this long (its instance crashed) is free again.
 */
export const LIVE_SLOT_TTL_MS = 3 * HEARTBEAT_MS;
/** The slots' kind in `rate_limits` (their keys: `live-stream\n<user id>\n<slot>`). */
export const LIVE_STREAM_SLOTS = 'live-stream';

const sessions: RoutePlugin = async (app) => {
  const r = typed(app);
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['attendance'];
  const open = new Set<(reason: string) => void>();
  const slots = slotLeases(app.ctx.db, app.ctx.clock, LIVE_STREAM_SLOTS, LIVE_SLOT_TTL_MS);
  /** Slots being given back: a closing server waits for them (onClose), so it leaves none held behind it. */
  const releasing = new Set<Promise<void>>();
  const release = (lease: SlotLease, log: FastifyBaseLogger) => {
    const done = slots
      .release(lease)
      .catch((err: unknown) =>
        log.warn(
          { component: 'sessions', err },
          'a live stream slot was not given back; it lapses by itself',
        ),
      )
      .finally(() => releasing.delete(done));
    releasing.add(done);
  };
  app.addHook('preClose', async () => {
    for (const end of [...open]) end('server_closing');
  });
  // Not in preClose: waiting there holds back the server's own close, and the connections of the
  // streams just ended then stay open for the keep-alive timeout. A route plugin's onClose runs
  // before the app's, which closes the database.
  app.addHook('onClose', async () => {
    await Promise.all([...releasing]);
  });

  /** The class's teacher now (null: none, or the class is gone). */
  const classTeacher = async (classId: string): Promise<string | null> =>
    (await app.ctx.db.selectFrom('classes').select('teacher_id').where('id', '=', classId).executeTakeFirst())
      ?.teacher_id ?? null;

  function assertOwnClass(request: FastifyRequest, session: ResolvedSession) {
    const user = userOf(request);
    if (user.role !== 'admin' && session.cls.teacher_id !== user.id) throw forbidden('Not your class');
  }

  r.get(
    '/api/sessions',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: "The day's sessions of your classes (admins: all), in start order",
        querystring: DaySessionsQuery,
        response: { 200: DaySessions },
      },
    },
    async (request) => {
      const user = userOf(request);
      const db = app.ctx.db;
      let q = db
        .selectFrom('classes')
        .innerJoin('sites', 'sites.id', 'classes.site_id')
        .select(['classes.id', 'classes.name', 'classes.site_id', 'classes.archived_at', 'sites.timezone']);
      if (user.role !== 'admin') q = q.where('classes.teacher_id', '=', user.id);
      if (request.query.classId !== undefined) q = q.where('classes.id', '=', request.query.classId);
      const classes = await q.execute();
      const now = app.ctx.clock.now();
      if (classes.length === 0) {
        // Still name a day, so the console's day picker shows one: today at the school's sites.
        const sites = await db.selectFrom('sites').select('timezone').execute();
        const days = new Set(sites.map((x) => localDateAt(now, x.timezone)));
        const date = request.query.date ?? (days.size === 1 ? [...days][0]! : null);
        return {
          date,
          total: 0,
          sessions: [],
          hasClasses: false,
          nextDate: null,
          closures: [],
          outsideTerms: false,
        };
      }
      const [schedules, rooms] = await Promise.all([
        scheduleSpecs(db, { classIds: classes.map((c) => c.id) }),
        db.selectFrom('rooms').select(['id', 'name']).execute(),
      ]);
      const nowIso = now.toISOString();
      const roomName = new Map(rooms.map((x) => [x.id, x.name]));
      const out: DaySession[] = [];
      // Moved sessions, per site: the occurrence says where it is held, the calendar whether it moved.
      const calendars = new Map<string, ReturnType<typeof loadCalendar>>();
      const calendarOf = (siteId: string) => {
        let known = calendars.get(siteId);
        if (!known) {
          known = loadCalendar(db, siteId);
          calendars.set(siteId, known);
        }
        return known;
      };
      const movedAt = async (siteId: string) =>
        new Set(
          (await calendarOf(siteId)).changes
            .filter((c) => c.kind === 'moved')
            .map((c) => `${c.scheduleId}@${c.date}`),
        );
      for (const cls of classes) {
        const moved = await movedAt(cls.site_id);
        const date = request.query.date ?? localDateAt(now, cls.timezone);
        const own = schedules.filter((s) => s.classId === cls.id);
        // The shared occurrence rule: no session on a day off; cancelled ones flagged.
        for (const s of await sessionsOf(db, cls.site_id, own, date, date, cls.timezone)) {
          out.push({
            sessionId: s.sessionId,
            date: s.date,
            timezone: cls.timezone,
            class: { id: cls.id, name: cls.name },
            room: { id: s.roomId, name: roomName.get(s.roomId) ?? s.roomId },
            startTime: s.startTime,
            endTime: s.endTime,
            startsAt: s.startsAt,
            endsAt: s.endsAt,
            state: nowIso < s.startsAt ? 'upcoming' : nowIso < s.endsAt ? 'current' : 'over',
            cancelled: s.cancelled,
            moved: moved.has(s.sessionId),
            note: s.note,
            archived: cls.archived_at !== null,
          });
        }
      }
      out.sort((a, b) =>
        a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.class.name.localeCompare(b.class.name),
      );
      const { limit, offset } = request.query;
      const days = new Set(classes.map((c) => request.query.date ?? localDateAt(now, c.timezone)));
      let nextDate: string | null = null;
      if (out.length === 0) {
        // One occurrence pass per site over the weeks ahead (a calendar load each), not per class.
        const bySite = new Map<string, { timezone: string; from: string; classIds: Set<string> }>();
        for (const cls of classes) {
          const from = addDays(request.query.date ?? localDateAt(now, cls.timezone), 1);
          const site = bySite.get(cls.site_id) ?? { timezone: cls.timezone, from, classIds: new Set() };
          site.classIds.add(cls.id);
          bySite.set(cls.site_id, site);
        }
        for (const [siteId, site] of bySite) {
          const specs = schedules.filter((x) => site.classIds.has(x.classId));
          const ahead = await sessionsOf(
            db,
            siteId,
            specs,
            site.from,
            addDays(site.from, NEXT_LESSON_DAYS - 1),
            site.timezone,
          );
          for (const o of ahead)
            if (!o.cancelled && (nextDate === null || o.date < nextDate)) nextDate = o.date;
        }
      }
      // Why a day has no lesson, when the calendar says: its holidays and closures at these
      // classes' sites, or a day outside every term of a site that has terms.
      const closures: DaySessions['closures'] = [];
      let outsideTerms = false;
      if (out.length === 0) {
        const seen = new Set<string>();
        for (const cls of classes) {
          if (seen.has(cls.site_id)) continue;
          seen.add(cls.site_id);
          const date = request.query.date ?? localDateAt(now, cls.timezone);
          const cal = await calendarOf(cls.site_id);
          for (const c of cal.closures)
            if (c.startDate <= date && date <= c.endDate)
              closures.push({ name: c.name, startDate: c.startDate, endDate: c.endDate });
          if (cal.terms.length > 0 && !cal.terms.some((t) => t.startDate <= date && date <= t.endDate))
            outsideTerms = true;
        }
      }
      return {
        date: days.size === 1 ? [...days][0]! : null,
        total: out.length,
        sessions: out.slice(offset, offset + limit),
        hasClasses: true,
        nextDate,
        closures,
        outsideTerms,
      };
    },
  );

  r.get(
    '/api/sessions/:sessionId/live',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary:
          'Server-sent events: `report` (the session report) at once and after every change; `end` with a reason when the stream stops',
        description:
          'Changes received by this instance are sent at once, others within a few seconds. The stream ends when the access token expires or the session is revoked: reconnect with a fresh token. A user holds at most LIVE_STREAMS_PER_USER (8) streams across all server instances; another is refused 429 `too_many_streams` until one closes (the slot of a stream whose instance stopped without closing it lapses within LIVE_SLOT_TTL_MS, 60 s). A stream whose instance could not renew its slot in time ends with `slot_expired`; the stream of a teacher ends with `not_your_class` when the class is given to another teacher. Archiving the class does not end it: its teacher still reads the sessions it held.',
        params: SessionParams,
        response: { 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const session = await resolveSession(app.ctx.db, request.params.sessionId);
      assertOwnClass(request, session);
      // requireUser verified the token; its expiry bounds the stream's life.
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const verified = verifyAccessToken(app.ctx.config.jwtSecret, token, app.ctx.clock.now().getTime());
      if (!verified.ok) throw forbidden('Token no longer valid');
      const { exp, ver } = verified.claims;
      const lease = await slots.claim(user.id, LIVE_STREAMS_PER_USER);
      if (lease === null)
        throw tooManyRequests(
          `You already have ${LIVE_STREAMS_PER_USER} live session streams open; close one (another tab or window) first. If a server stopped suddenly, the streams it held are freed within a minute.`,
          'too_many_streams',
        );

      reply.hijack();
      const res = reply.raw;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(reply.getHeaders())) if (typeof v === 'string') headers[k] = v;
      // `connection: close`: a stream's socket is not reused, and an ended stream must not sit as
      // a keep-alive connection that a graceful shutdown would wait out (72 s).
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'close',
      });
      res.write('retry: 2000\n\n');

      let closed = false;
      let busy = false;
      let again = false;
      let lastReport = '';
      let lastFingerprint = '';
      let lastBuilt = 0;
      const timers: NodeJS.Timeout[] = [];
      let unsubscribe = () => {};
      const end = (reason: string) => {
        if (closed) return;
        closed = true;
        open.delete(end);
        release(lease, request.log);
        unsubscribe();
        for (const t of timers) clearInterval(t);
        if (!res.writableEnded) res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      };
      open.add(end);
      res.on('close', () => end('client_closed'));
      // A client gone while the checks above awaited closed before the listener was there: free its slot now.
      if (res.socket?.destroyed === true) return end('client_closed');

      const fingerprint = async () => {
        const row = await app.ctx.db
          .selectFrom('attendance_events')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('received_at').as('last')])
          .where('session_id', '=', session.sessionId)
          .executeTakeFirst();
        return `${row?.n ?? 0}|${row?.last ?? ''}`;
      };
      const check = async (force: boolean) => {
        if (closed) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            if (app.ctx.clock.now().getTime() >= exp * 1000) return end('token_expired');
            const state = await findSessionState(app.ctx.db, user.id);
            if (!state || state.disabled === 1 || state.token_version !== ver) return end('session_revoked');
            // Checked at every poll, not only at the open: a teacher an admin took off the class
            // reads no more of it than a new request would. An archive keeps the teacher (they
            // still read the class's history), so it does not end the stream either.
            if (user.role !== 'admin' && (await classTeacher(session.cls.id)) !== user.id)
              return end('not_your_class');
            const fp = await fingerprint();
            const stale = Date.now() - lastBuilt >= LIVE_REFRESH_MS;
            if (!force && !stale && fp === lastFingerprint) continue;
            lastFingerprint = fp;
            lastBuilt = Date.now();
            const json = JSON.stringify(await sessionReport(app.ctx.db, session));
            if (json !== lastReport && !closed) {
              lastReport = json;
              res.write(`event: report\ndata: ${json}\n\n`);
            }
          } while (again && !closed);
        } catch (err) {
          request.log.error(
            { component: 'sessions', err, sessionId: session.sessionId },
            'live session stream failed',
          );
          end('error');
        } finally {
          busy = false;
        }
      };
      unsubscribe = app.ctx.attendanceFeed.subscribe(session.sessionId, () => void check(true));
      timers.push(setInterval(() => void check(false), LIVE_POLL_MS));
      timers.push(
        setInterval(() => {
          if (closed) return;
          res.write(': keep-alive\n\n');
          // Still ours? A slot left unrenewed past its lifetime (this instance stalled) may be
          // another stream's now: this one stops rather than run beyond the limit.
          slots.renew(lease).then(
            (held) => {
              if (!held) end('slot_expired');
            },
            (err: unknown) =>
              request.log.warn(
                { component: 'sessions', err },
                'a live stream slot was not renewed; tried again',
              ),
          );
        }, HEARTBEAT_MS),
      );
      await check(true);
    },
  );
};
export default sessions;
