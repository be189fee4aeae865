// The HTTP sync API between kiosks and the central server (DESIGN.md "Sync protocol").
// Shared by server/ (which parses requests) and src/sync/ (which parses responses):
// every body crossing HTTP is parsed with these schemas on the receiving side.
// Types and zod only: no Node, no DOM.
import { z } from 'zod';

export const MAX_ATTENDANCE_BATCH = 500;
export const MAX_TEMPLATE_BATCH = 200;
export const MAX_ROSTER_PAGE = 2000;

export const Uuid = z.string().uuid();
export const IsoDateTime = z.string().datetime({ offset: true });
/** Local calendar date at the site, YYYY-MM-DD. */
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Wall-clock time at the site, HH:MM (24h). */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

/** True when this runtime's Intl (ICU tz data) knows the zone: the same Intl that computes sessions. */
export const isIanaTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
/**
 * An IANA time zone name (Europe/Berlin). Checked against the receiving side's own Intl, so
 * the server refuses a zone it cannot compute reports in, and a kiosk refuses one it cannot
 * compute sessions in (older tz data) and keeps the zone it has.
 */
export const IanaTimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isIanaTimeZone, {
    error: (issue) =>
      `"${String(issue.input)}" is not an IANA time zone this system knows (e.g. Europe/Berlin, America/New_York)`,
  });

// ---------------------------------------------------------------- pairing
export const PairRequest = z.object({
  code: z.string().min(4).max(64),
  name: z.string().min(1).max(120),
  appVersion: z.string().max(40).optional(),
  /**
   * Sent by a kiosk pairing again while work for its current site waits: a code of another site
   * is then answered 409 `site_mismatch` and stays unused, so the kiosk can ask its admin before
   * pairing would delete that work. Absent (older kiosks, nothing waiting): any site pairs.
   */
  expectedSiteId: z.string().min(1).max(200).optional(),
});
export type PairRequest = z.infer<typeof PairRequest>;

export const PairResponse = z.object({
  deviceId: z.string(),
  token: z.string().min(20),
  siteId: z.string(),
  roomId: z.string(),
  /** IANA time zone of the site, used to turn schedules into sessions. */
  timezone: z.string(),
  serverTime: IsoDateTime,
  /** The device's name on the server (an admin's is kept at pairing) and its room's, for people. Optional: older servers send neither. */
  name: z.string().optional(),
  roomName: z.string().optional(),
});
export type PairResponse = z.infer<typeof PairResponse>;

// ---------------------------------------------------------------- attendance push
export const AttendanceStatus = z.enum(['present', 'late', 'absent', 'excused']);
export type AttendanceStatus = z.infer<typeof AttendanceStatus>;

/** The evidence behind an automatic mark, kept for audit and threshold tuning. */
export const DecisionScores = z.object({
  similarity: z.number(),
  margin: z.number(),
  votes: z.number().int().nonnegative(),
  window: z.number().int().positive(),
  liveness: z.number().optional(),
  antispoof: z.number().optional(),
  faceSize: z.number().optional(),
  /** The visit's fused liveness score (a logit; src/ml/liveness), when the check ran. */
  livenessScore: z.number().optional(),
});
export type DecisionScores = z.infer<typeof DecisionScores>;

/**
 * Attendance events are append-only facts made at the kiosk, each with its own UUID.
 * - `mark`: the kiosk recognised the student (status present/late).
 * - `manual`: an admin/teacher marked a status by hand (at the kiosk or on the server).
 * - `undo`: cancels an earlier event (`refId`); corrections are events, never edits.
 * - `exception`: a recognised student not enrolled in the active class (no status).
 */
export const AttendanceEventKind = z.enum(['mark', 'manual', 'undo', 'exception']);
export type AttendanceEventKind = z.infer<typeof AttendanceEventKind>;

export const AttendanceEvent = z.object({
  id: Uuid,
  kind: AttendanceEventKind,
  studentId: z.string().min(1),
  /** `${scheduleId}@${YYYY-MM-DD}`, see sessionIdFor(); null for an exception outside sessions. */
  sessionId: z.string().min(1).nullable(),
  status: AttendanceStatus.nullable(),
  occurredAt: IsoDateTime,
  refId: Uuid.optional(),
  scores: DecisionScores.optional(),
  modelId: z.string().optional(),
  actor: z.string().max(120).optional(),
  reason: z.string().max(500).optional(),
});
export type AttendanceEvent = z.infer<typeof AttendanceEvent>;

/**
 * A face model id as the engine names it (`faceres-aligned+mobileface/v1`). Bounded but not
 * patterned: it rides on every push, and a push must never be refused over its health report.
 */
export const FaceModelId = z.string().min(1).max(200);

/** What a kiosk reports of its own health on every push, so the server can see who falls behind. */
export const KioskHealth = z.object({
  appVersion: z.string().max(40),
  /** Marks still waiting on the kiosk once this push is delivered (the batch it carries not counted). */
  queueDepth: z.number().int().nonnegative(),
  fps: z.number().nonnegative().optional(),
  recognitionMsP50: z.number().nonnegative().optional(),
  recognitionMsP95: z.number().nonnegative().optional(),
  droppedFrames: z.number().int().nonnegative().optional(),
  backend: z.string().max(20).optional(),
  /** The face model the kiosk's engine runs (`FaceEngine.modelId`); absent while it loads and from older kiosks. */
  modelId: FaceModelId.optional(),
  /**
   * The kiosk's camera status at the push (a CameraStatus; `fps` 0 with `error` says why).
   * A bounded string, not the enum: a status this server does not know must not refuse a push.
   * The roster pull reports it too, every sync (RosterQuery `camera`); absent from older kiosks.
   */
  camera: z.string().max(20).optional(),
});
export type KioskHealth = z.infer<typeof KioskHealth>;

export const PushAttendanceRequest = z.object({
  events: z.array(AttendanceEvent).min(1).max(MAX_ATTENDANCE_BATCH),
  health: KioskHealth.optional(),
});
export type PushAttendanceRequest = z.infer<typeof PushAttendanceRequest>;

export const ItemResult = z.object({
  id: z.string(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.string().optional(),
});
export type ItemResult = z.infer<typeof ItemResult>;

export const PushResponse = z.object({ results: z.array(ItemResult) });
export type PushResponse = z.infer<typeof PushResponse>;

// ---------------------------------------------------------------- template push
/** Float32 little-endian embedding, base64; L2-normalised by the engine that made it. */
export const EmbeddingB64 = z.string().min(8).max(64_000);

export const TemplateUpload = z.object({
  id: Uuid,
  studentId: z.string().min(1),
  modelId: z.string().min(1),
  embedding: EmbeddingB64,
  quality: z.number().min(0).max(1).optional(),
  createdAt: IsoDateTime,
});
export type TemplateUpload = z.infer<typeof TemplateUpload>;

export const PushTemplatesRequest = z.object({
  templates: z.array(TemplateUpload).min(1).max(MAX_TEMPLATE_BATCH),
});
export type PushTemplatesRequest = z.infer<typeof PushTemplatesRequest>;

// ---------------------------------------------------------------- door templates
/**
 * A door capture offered as an extra template of a student (template freshness,
 * docs/recognition.md): the embedding of a visit that marked them at the class tier, passed
 * liveness and cleared the freshness bar, with that visit's evidence. Embeddings only, never a
 * photo. One per request: the server answers each refusal with its own status.
 */
export const DoorTemplateUpload = TemplateUpload.omit({ quality: true }).extend({
  /** The visit's best similarity and its margin over the class's second-best. */
  similarity: z.number().min(-1).max(1),
  margin: z.number().min(0).max(2),
});
export type DoorTemplateUpload = z.infer<typeof DoorTemplateUpload>;

/**
 * `accepted`: stored (and `replaced`, the door template it displaced, tombstoned);
 * `duplicate`: this id was stored before; `rejected` (not an error: the kiosk drops it) with
 * `reason`: `daily_limit`, the student already got a door template in the last 24 hours;
 * `unlike_enrolment`, the face no longer matches the student's enrolment templates at the
 * model's class threshold; `uncalibrated_model`, the model has no calibrated point.
 */
export const DoorTemplateResult = ItemResult.extend({ replaced: Uuid.nullable().optional() });
export type DoorTemplateResult = z.infer<typeof DoorTemplateResult>;

// ---------------------------------------------------------------- roster pull
export const RosterStudent = z.object({
  id: z.string(),
  studentNumber: z.string(),
  name: z.string(),
  consent: z.boolean(),
});
/** Minutes before a session's start from which arrivals count for it (occurrences.ts). */
export const ArrivalMinutes = z.number().int().min(0).max(120);
export const RosterClass = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  /** Feed 2: this class's arrival window; null/absent: the site's. */
  arrivalMinutes: ArrivalMinutes.nullable().optional(),
});
export const RosterEnrolment = z.object({ id: z.string(), classId: z.string(), studentId: z.string() });
export const RosterRoom = z.object({ id: z.string(), name: z.string() });
/**
 * A schedule entry yields sessions: weekly on `weekday` (0 = Sunday), or once on `date`.
 * Times are wall-clock at the site's timezone. Session ids are derived, not stored:
 * sessionIdFor(scheduleId, date), so kiosk and server agree without materialising rows.
 */
export const RosterScheduleVersion = z
  .object({
    validFrom: LocalDate.nullable(),
    validUntil: LocalDate.nullable(),
    roomId: z.string(),
    weekday: z.number().int().min(0).max(6).nullable(),
    date: LocalDate.nullable(),
    startTime: LocalTime,
    endTime: LocalTime,
    graceMinutes: z.number().int().min(0).max(240),
  })
  .refine((s) => (s.weekday === null) !== (s.date === null), 'exactly one of weekday and date');
export type RosterScheduleVersion = z.infer<typeof RosterScheduleVersion>;
/**
 * The top-level fields are the schedule's LATEST version (all a feed-1 kiosk reads). Feed 2
 * adds `versions` (every version with its valid from/until dates, see contracts/occurrences.ts),
 * so a kiosk runs the version in force on each date, and `createdAt`.
 */
export const RosterSchedule = z
  .object({
    id: z.string(),
    classId: z.string(),
    roomId: z.string(),
    weekday: z.number().int().min(0).max(6).nullable(),
    date: LocalDate.nullable(),
    startTime: LocalTime,
    endTime: LocalTime,
    graceMinutes: z.number().int().min(0).max(240),
    versions: z.array(RosterScheduleVersion).max(500).optional(),
  })
  .refine((s) => (s.weekday === null) !== (s.date === null), 'exactly one of weekday and date');
/**
 * The kiosk's site settings. Sent when a site is created or its name or time zone changes (and
 * in every first pull), only to that site's kiosks: session ids and "which class is on now"
 * are computed in `timezone`, so a kiosk must follow a corrected zone without re-pairing.
 * Sites are never deleted; a kiosk refuses (skips) a site tombstone and keeps its zone.
 */
export const RosterSite = z.object({
  id: z.string(),
  name: z.string().optional(),
  timezone: IanaTimeZone,
  /** Feed 2: the site's default arrival window (minutes before start); absent: 10. */
  arrivalMinutes: ArrivalMinutes.optional(),
});
export type RosterSite = z.infer<typeof RosterSite>;
export const RosterTemplate = z.object({
  id: z.string(),
  studentId: z.string(),
  modelId: z.string(),
  embedding: EmbeddingB64,
});

/**
 * Feed 2: the site's school calendar as one record (id = site id), re-sent whole on every
 * change: terms, closures (holidays, single days or ranges) and cancelled or moved sessions.
 * A kiosk keeps it offline and says "No class today" on a day off (contracts/occurrences.ts).
 */
export const RosterTerm = z.object({
  id: z.string(),
  name: z.string().max(120),
  startDate: LocalDate,
  endDate: LocalDate,
});
export const RosterClosure = z.object({
  id: z.string(),
  name: z.string().max(120),
  startDate: LocalDate,
  endDate: LocalDate,
});
export const RosterSessionChange = z.object({
  scheduleId: z.string(),
  date: LocalDate,
  kind: z.enum(['cancelled', 'moved']),
  toDate: LocalDate.nullable().optional(),
  startTime: LocalTime.nullable().optional(),
  endTime: LocalTime.nullable().optional(),
  roomId: z.string().nullable().optional(),
  reason: z.string().max(500).nullable().optional(),
});
export const RosterCalendar = z.object({
  siteId: z.string(),
  /** Bumped by every calendar edit at the site. */
  version: z.number().int().nonnegative(),
  terms: z.array(RosterTerm).max(100),
  closures: z.array(RosterClosure).max(2000),
  changes: z.array(RosterSessionChange).max(20_000),
});
export type RosterCalendar = z.infer<typeof RosterCalendar>;

/**
 * Version of the roster feed a kiosk understands, sent as `?feed=` on every pull. Feed 1 (no
 * parameter: kiosks built before it existed) never receives `calendar` records; feed 2 gets
 * them, plus schedule versions and arrival windows (extra fields a feed-1 kiosk strips).
 */
export const ROSTER_FEED_VERSION = 2;

const change = <E extends string, T extends z.ZodTypeAny>(entity: E, data: T) =>
  z.discriminatedUnion('op', [
    z.object({
      seq: z.number().int().positive(),
      entity: z.literal(entity),
      op: z.literal('upsert'),
      id: z.string(),
      data,
    }),
    z.object({
      seq: z.number().int().positive(),
      entity: z.literal(entity),
      op: z.literal('delete'),
      id: z.string(),
    }),
  ]);

export const RosterChange = z.union([
  change('student', RosterStudent),
  change('class', RosterClass),
  change('enrolment', RosterEnrolment),
  change('room', RosterRoom),
  change('schedule', RosterSchedule),
  change('template', RosterTemplate),
  // Added after the first kiosk release: a kiosk without it fails RosterChange for the record,
  // reports it as skipped and moves its cursor past it (src/sync/roster-apply.ts), so older
  // kiosks keep syncing and just keep their paired time zone.
  change('site', RosterSite),
  // Feed 2 only (see ROSTER_FEED_VERSION).
  change('calendar', RosterCalendar),
]);
export type RosterChange = z.infer<typeof RosterChange>;
export type RosterEntity = RosterChange['entity'];

// ---------------------------------------------------------------- admin PIN recovery
/** Digits of a recovery code (typed on the kiosk's PIN pad, which takes up to 12 digits). */
export const PIN_RECOVERY_CODE_DIGITS = 12;
/**
 * The server's salted slow hash of a recovery code, in the server's password format
 * `scrypt$N$r$p$salt$hash` (server/src/services/passwords.ts). The kiosk refuses cost
 * parameters above these bounds, so a bad answer cannot make an unlock attempt take minutes.
 */
export const PIN_RECOVERY_MAX_SCRYPT = { N: 2 ** 17, r: 16, p: 4 } as const;
export const ScryptHash = z
  .string()
  .max(400)
  .regex(
    /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{16,}$/,
    'not a scrypt$N$r$p$salt$hash string',
  );
/**
 * A one-time admin-PIN recovery code issued for this device on the server, as the kiosk sees
 * it: the hash only (the code itself is shown once, to the admin who asked for it).
 */
export const PinRecoveryOffer = z.object({ id: Uuid, codeHash: ScryptHash, expiresAt: IsoDateTime });
export type PinRecoveryOffer = z.infer<typeof PinRecoveryOffer>;

/** The kiosk burnt a recovery code (it opened the admin area with it): the server marks it used. */
export const PinRecoveryUsedRequest = z.object({ id: Uuid, usedAt: IsoDateTime });
export type PinRecoveryUsedRequest = z.infer<typeof PinRecoveryUsedRequest>;
export const PinRecoveryUsedResponse = z.object({ id: Uuid, usedAt: IsoDateTime });
export type PinRecoveryUsedResponse = z.infer<typeof PinRecoveryUsedResponse>;

/**
 * The device's name and room on the server. Unbounded strings, like the pairing answer's: a
 * longer name than this kiosk expects must not make it refuse the whole roster page; nor may
 * anything else wrong here (RosterPage.device ignores a `device` that does not parse).
 */
export const DeviceIdentity = z.object({
  name: z.string().min(1),
  roomId: z.string().min(1),
  roomName: z.string(),
});
export type DeviceIdentity = z.infer<typeof DeviceIdentity>;

/**
 * A page of changes. `changes` is parsed item by item at the kiosk (RosterChange), so one
 * invalid record is reported and skipped instead of poisoning the page; hence `unknown` here.
 */
export const RosterPage = z.object({
  changes: z.array(z.unknown()),
  /** Opaque to the kiosk: send back as `since`. */
  cursor: z.string(),
  hasMore: z.boolean(),
  /**
   * State, not a change: this device's live PIN recovery code (null: none), on every page.
   * Per device, so it is not in the site's change log. Absent from older servers (the kiosk
   * then keeps what it has); older kiosks strip the unknown key (z.object is not strict).
   */
  pinRecovery: PinRecoveryOffer.nullable().optional(),
  /**
   * State, not a change: whether the admin turned template freshness on (door captures may be
   * offered as templates; default off). Absent from older servers: the kiosk then offers none.
   */
  doorTemplates: z.boolean().optional(),
  /**
   * State, not a change: this device as the server knows it now, on every page, so a kiosk an
   * admin renamed in the console (or whose room was renamed) shows the new names at its next
   * sync instead of the ones from pairing. Absent from older servers: the kiosk keeps what it has.
   * One that does not parse (an empty name, a missing field) is taken as absent: a name is not
   * worth refusing the page's roster changes for, and so failing every pull.
   */
  device: DeviceIdentity.optional().catch(undefined),
});
export type RosterPage = z.infer<typeof RosterPage>;

/** A camera's status as the kiosk shows it (KioskState.camera), and reports it to the server. */
export const CameraStatus = z.enum(['starting', 'running', 'missing', 'error', 'stopped']);
export type CameraStatus = z.infer<typeof CameraStatus>;
/**
 * A camera that cannot give the door pictures: missing or failing (not `stopped`, a door an admin
 * turned off, nor `starting`, which becomes `error` by itself). The door pauses, the kiosk's
 * admin area and the console's Kiosks page flag it, /metrics counts it.
 */
export const cameraNotWorking = (status: string | null | undefined): boolean =>
  status === 'missing' || status === 'error';
/** The longest camera detail a kiosk reports with its pull (it cuts longer ones). */
export const CAMERA_DETAIL_MAX = 200;

export const RosterQuery = z.object({
  since: z.string().regex(/^\d+$/).default('0'),
  limit: z.coerce.number().int().min(1).max(MAX_ROSTER_PAGE).default(1000),
  /** The feed version the kiosk understands (absent: 1). */
  feed: z.coerce.number().int().min(1).max(99).default(1),
  /** The kiosk's face model, so the server knows it even when no mark is pushed (absent: not loaded yet, or an older kiosk). */
  model: FaceModelId.optional(),
  /**
   * The kiosk clock's lead over the server's in ms, as the kiosk measured it off the server's
   * `Date` header (src/sync/clock-offset.ts); absent: not measured yet, or an older kiosk. Sent
   * with every pull, so a kiosk that marks nobody (its wrong clock may be why) still reports it.
   */
  clock: z.coerce.number().int().min(-1e13).max(1e13).optional(),
  /**
   * The kiosk's camera status (KioskState.camera.status) and its detail, with every pull, so the
   * console's Kiosks page can flag a door whose camera is not working: such a door marks nobody,
   * so it pushes no health. Absent from older kiosks. A status this server does not know is
   * ignored (never a refused pull), as is a detail without a status.
   */
  camera: z.string().max(20).optional(),
  cameraDetail: z.string().max(CAMERA_DETAIL_MAX).optional(),
});

// ---------------------------------------------------------------- errors
/** Every 4xx/5xx body. `issues` lists failing field paths on 400. */
export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------- helpers
export const sessionIdFor = (scheduleId: string, date: string): string => `${scheduleId}@${date}`;

export const SYNC_PATHS = {
  pair: '/api/devices/pair',
  attendance: '/api/sync/attendance',
  templates: '/api/sync/templates',
  doorTemplates: '/api/sync/door-templates',
  roster: '/api/sync/roster',
  pinRecoveryUsed: '/api/sync/pin-recovery/used',
} as const;
