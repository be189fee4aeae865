// The typed kiosk API: the one surface the UI uses, over Electron IPC (preload) or the
// localhost browser bridge. Channels are `domain:action`; every argument is parsed with the
// zod schema below at the receiving side; every answer is a Result (never a throw across
// the bridge). Types and zod only: no Node, no DOM.
//
// Each channel is one row of KIOSK_API (argument schema, result schema); the KioskApi type,
// the core's handler types, the preload, the IPC binding, the bridge and the renderer's
// checked client are derived from that table.
import { z } from 'zod';
import { AttendanceStatus, CameraStatus, DecisionScores } from './sync.js';
import { CameraSpecString } from './camera-spec.js';

/**
 * What still waits for the paired server (marks and corrections, kiosk enrolments, door
 * captures): carried by a `sync_unsent` refusal, and sent back as the admin's confirmation.
 */
export const UnsentCounts = z.object({
  /** Attendance marks and corrections (manual marks, undos, exceptions) in the outbox. */
  marks: z.number().int().min(0),
  /** Students enrolled at this kiosk whose templates the server has not acknowledged. */
  enrolments: z.number().int().min(0),
  /** Door captures waiting to be offered as templates. */
  doorCaptures: z.number().int().min(0),
});
export type UnsentCounts = z.infer<typeof UnsentCounts>;
export const unsentTotal = (u: UnsentCounts): number => u.marks + u.enrolments + u.doorCaptures;

/** `unsent`: only on `sync_unsent`, the counts its message names, for the screen to confirm. */
export type ResultErrorValue = { code: string; message: string; unsent?: UnsentCounts };
export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultErrorValue };

// ---------------------------------------------------------------- state stream
// One list with what the kiosk reports to the server (sync.ts).
export { CameraStatus };
export const EngineStatus = z.object({
  state: z.enum(['loading', 'ready', 'error']),
  /** 0..1 while loading. */
  progress: z.number(),
  backend: z.string().nullable(),
  modelId: z.string().nullable(),
  error: z.string().nullable(),
});

export const FaceBox = z.object({
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  /** Normalised to the frame: box / [w, h, w, h] for easy overlay at any size. */
  label: z.string().nullable(),
  state: z.enum(['gated', 'unknown', 'candidate', 'recognised']),
  hint: z.string().nullable(),
  /**
   * Optional (added for the greeting rule): the face's track, the same person followed across
   * frames (core attendance/tracks.ts). Greeting.track names the face a greeting is for.
   */
  track: z.number().int().optional(),
});

/** What just happened at the door, for the big greeting. */
export const Greeting = z.object({
  kind: z.enum([
    'present',
    'late',
    'already_marked',
    'not_enrolled',
    'unknown',
    'no_session',
    'look_at_camera',
  ]),
  studentId: z.string().nullable(),
  name: z.string().nullable(),
  message: z.string(),
  at: z.string(),
  scores: DecisionScores.nullable(),
  /**
   * Optional (added for the greeting rule): the track of the face it is for (FaceBox.track). The
   * door keeps a greeting up while that face is in view and takes it down when someone else's
   * face is (docs/ui.md, "How long a greeting stays").
   */
  track: z.number().int().nullable().optional(),
});

/**
 * The longest a greeting is shown, from its decision; the door takes it down sooner when its face
 * has left (renderer view-model greetingOnScreen). The core forgets a greeting after this too.
 * Short on purpose: "its face" is a face track, and the tracker can hand a track to the next
 * person who steps into the same place without an empty frame between them; 4 s is enough to
 * read a name and "Marked present", and bounds how long anyone else could see it.
 */
export const GREETING_MAX_MS = 4_000;

/** The most greetings held at once (KioskState.greetings): a door's width holds three people. */
export const GREETINGS_MAX = 3;

export const ActiveSession = z.object({
  sessionId: z.string(),
  className: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  lateAfter: z.string(),
});

export const SyncStatus = z.object({
  paired: z.boolean(),
  serverUrl: z.string().nullable(),
  online: z.boolean(),
  queueDepth: z.number().int(),
  templateQueueDepth: z.number().int(),
  lastPushAt: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  lastError: z.string().nullable(),
  syncing: z.boolean(),
  /** 0..1 during a manual sync. */
  progress: z.number(),
  /** Events the server rejected (kept aside at the kiosk with the reason, never re-sent); see sync:history. */
  rejectedCount: z.number().int().optional(),
  /** Face templates enrolled here that the server refused (no longer matched; the roster says why). */
  rejectedTemplateCount: z.number().int().optional(),
  /**
   * How far this kiosk's clock was ahead of the server's (negative: behind) at the last contact, in
   * ms; null before any. The Sync screen warns from CLOCK_WARNING_MS on (contracts/clock-offset.ts).
   */
  clockOffsetMs: z.number().nullable().optional(),
  /**
   * This kiosk as the server last named it (at pairing, then on every sync: an admin may rename
   * it in the console), and its paired room by the roster's name for it (the pairing answer's
   * name until the first pull brings the room); null while not paired. `name` and `roomName` are
   * null from a server too old to send them (the ids stand in).
   */
  kiosk: z
    .object({
      deviceId: z.string(),
      roomId: z.string(),
      timezone: z.string().nullable(),
      name: z.string().nullable(),
      roomName: z.string().nullable(),
    })
    .nullable()
    .optional(),
});

/**
 * Who the running face engine can recognise. Templates carry the modelId of the engine that
 * made them and other models' templates cannot be compared, so after a model upgrade the
 * students enrolled under the old one are not recognised until enrolled again. Admin-only
 * information: the door screen does not show it.
 */
export const TemplateCoverage = z.object({
  /** The running engine's model. */
  modelId: z.string(),
  /** Students with at least one template of that model. */
  recognisable: z.number().int(),
  /** Students enrolled only under other models: re-enrol them (RosterRow.needsReEnrolment). */
  needReEnrolment: z.number().int(),
  /** Students on the roster (optional, added for the nobody-recognisable notice). */
  students: z.number().int().optional(),
});

/**
 * Why the page's own camera (camera spec `push`) gives no picture, as the page tells from
 * getUserMedia, its video track and its frames (renderer camera/page-camera.ts,
 * camera/picture-watch.ts). The core cannot see that camera fail: it only waits for frames.
 * The core says `no-picture`, `frozen` and `covered` of its own cameras too (camera-controller.ts).
 */
export const PageCameraReason = z.enum([
  'permission',
  'not-found',
  'busy',
  'unsuitable',
  'no-picture',
  'no-answer',
  'unplugged',
  'failed',
  'frozen',
  'covered',
]);
export type PageCameraReason = z.infer<typeof PageCameraReason>;
/** What happened, in the admin's words: the admin notice and the core's camera detail start with it. */
export const PAGE_CAMERA_REASON_WORDS: Record<PageCameraReason, string> = {
  permission: 'The kiosk is not allowed to use the camera',
  'not-found': 'No camera was found',
  busy: 'The camera could not be started',
  unsuitable: 'The chosen camera is not connected or cannot give a picture',
  'no-picture': 'The camera was opened but gives no picture',
  // getUserMedia neither opened the camera nor failed: a permission prompt nobody answered, or a
  // hung driver. Not "no picture": the camera was never opened.
  'no-answer': 'The camera did not answer',
  unplugged: 'The camera stopped giving pictures (unplugged?)',
  failed: 'The camera could not be opened',
  // Frames keep coming but never change: a live sensor always has some noise, so a stuck
  // driver or pipeline (renderer camera/picture-watch.ts, core camera-controller.ts).
  frozen: 'The camera keeps sending the same picture',
  // A picture of one even colour for as long: the camera works, but sees nothing (its clipped
  // noise makes the frames identical too; renderer camera/picture-watch.ts, core
  // camera/flat-picture.ts). Not `frozen`: "unplug it" would send the admin the wrong way.
  covered: 'The camera sees only darkness or one flat colour',
};
/**
 * What to check when the camera sees nothing (`covered`): the page's admin notice (renderer
 * camera/page-camera.ts) and the core's detail for its webcam (camera-controller.ts) both say it.
 */
export const COVERED_CHECK =
  'Is the lens covered, or the room dark? Uncover it or turn on the light: this clears by itself as soon as the camera sees something.';
export const KioskState = z.object({
  engine: EngineStatus,
  camera: z.object({
    status: CameraStatus,
    detail: z.string().nullable(),
    fps: z.number(),
    /**
     * Optional (added for the admin notice): set when `detail` is the kiosk's own whole sentence
     * about a problem it found itself, the page camera's (camera:report, or the page's own
     * check) or a camera of the core's without a picture (`no-picture`). The admin notice shows
     * such a detail as it is; without it, the detail is the camera's own words ("Camera
     * problem: …").
     */
    reason: PageCameraReason.optional(),
  }),
  /**
   * The last analysed frame. `epoch` (optional, added for the preview) changes with every launch
   * and camera (re)start while `seq` restarts per camera: the preview URL names both, so an
   * image cache can never answer with a picture from before the current one.
   */
  frame: z
    .object({ width: z.number(), height: z.number(), seq: z.number(), epoch: z.string().optional() })
    .nullable(),
  faces: z.array(FaceBox),
  greeting: Greeting.nullable(),
  /**
   * Optional (added for people arriving together): the greetings still within GREETING_MAX_MS,
   * newest first, one per face track, at most GREETINGS_MAX; `greeting` is the first. Two
   * students marked a moment apart each read their own; the door shows each only while its face
   * is in view (docs/ui.md, "How long a greeting stays").
   */
  greetings: z.array(Greeting).optional(),
  session: ActiveSession.nullable(),
  /** No class at all today at the site (holiday, closure, outside term): the door says "No class today". */
  noClassToday: z.boolean().optional(),
  room: z.object({ id: z.string(), name: z.string() }).nullable(),
  sync: SyncStatus,
  droppedFrames: z.number().int(),
  /** Optional (added for the UI): play a short sound on each greeting. */
  soundCue: z.boolean().optional(),
  /**
   * Optional (added for the UI): set by the core when the camera spec is `push`, i.e. the page
   * must open getUserMedia (deviceId null = default camera) and push frames through
   * cameraPushFrame; null/absent = the core owns the camera and serves the preview.
   */
  browserCamera: z.object({ deviceId: z.string().nullable() }).nullable().optional(),
  /** Optional (added for re-enrolment after a model change): null until the face engine has loaded. */
  templateCoverage: TemplateCoverage.nullable().optional(),
  /**
   * Optional (added for the PIN pad): when the admin PIN's lockout ends (ISO), null when there is
   * none. The core keeps the lockout; a pad opened again during one shows its countdown at once,
   * before anyone types (the unlock answer's `lockedUntil` says the same after a try).
   */
  pinLockedUntil: z.string().nullable().optional(),
});
export type KioskState = z.infer<typeof KioskState>;

// ---------------------------------------------------------------- requests
export const PinArgs = z.object({ pin: z.string().regex(/^\d{4,12}$/) });
/**
 * Changing the admin PIN (admin session required). `newPin` is checked against the PIN policy
 * (contracts/pin-policy.ts) by the core, which answers `weak_pin` / `pin_mismatch` /
 * `pin_unchanged` / `wrong_pin` / `pin_locked_out` with a sentence for the admin. A wrong
 * `currentPin` counts towards the same lockout as the unlock screen. `currentPin` may be left
 * out only in an admin session opened with a recovery code (AdminStatus.pinRecovery), else the
 * core answers `current_pin_required`.
 */
export const ChangePinArgs = z.object({
  currentPin: PinArgs.shape.pin.optional(),
  newPin: z.string().max(64),
  confirmPin: z.string().max(64),
});
/** Quitting stops the door; the literal makes an accidental call (a bare POST) do nothing. */
export const QuitArgs = z.object({ confirm: z.literal(true) });
export const EnrolArgs = z.object({
  studentId: z.string().min(1),
  shots: z.number().int().min(1).max(10).default(5),
});
export const ManualMarkArgs = z.object({
  studentId: z.string().min(1),
  status: AttendanceStatus,
  reason: z.string().max(500).optional(),
});
export const UndoArgs = z.object({ eventId: z.string().uuid(), reason: z.string().max(500).optional() });
export const PairArgs = z.object({
  serverUrl: z.string().url(),
  code: z.string().min(4).max(64),
  name: z.string().min(1).max(120),
  /** The server certificate's SHA-256 fingerprint, when given with the pairing details; else trusted on first contact. */
  serverFingerprint: z
    .string()
    .regex(/^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'a SHA-256 fingerprint: 64 hex digits, colons allowed')
    .optional(),
  /**
   * Pairing with another server or site while marks, enrolments or door captures still wait for
   * the old one is refused (`sync_unsent` with the counts, nothing changed) unless this confirms
   * discarding them: the counts the admin was shown. More waiting now than confirmed (the door
   * kept marking while the question was open) is refused again with the new counts.
   */
  discardUnsent: UnsentCounts.optional(),
});
export const RosterQueryArgs = z.object({ search: z.string().max(100).default('') });
export const Settings = z.object({
  cameraSpec: z.string(),
  roomId: z.string().nullable(),
  /** Cosine-similarity threshold for accepting a match. */
  matchThreshold: z.number().min(0).max(1),
  /** Required lead of the best student over the second best. */
  matchMargin: z.number().min(0).max(1),
  votesNeeded: z.number().int().min(1).max(20),
  voteWindow: z.number().int().min(1).max(30),
  cooldownSeconds: z.number().int().min(0).max(86_400),
  /**
   * Presentation-attack check before marking (docs/liveness.md): `standard` turns away fewer
   * real students, `strict` stops more photos and screens but asks more students to look again.
   */
  livenessLevel: z.enum(['standard', 'strict']),
  soundCue: z.boolean(),
  /**
   * Allow pairing with / syncing to a plain http:// server that is not on this machine. Off by
   * default: device tokens and face templates would cross the network in clear. (The update
   * feed is no longer a setting: it is fixed at build time, src/main/update-key.ts.)
   */
  allowInsecureServer: z.boolean().default(false),
});
export type Settings = z.infer<typeof Settings>;
/** A camera spec outside the closed set (see camera-spec.ts) is refused here, before it is stored. */
export const SettingsPatch = Settings.partial().extend({ cameraSpec: CameraSpecString.optional() });

export const RosterRow = z.object({
  id: z.string(),
  studentNumber: z.string(),
  name: z.string(),
  consent: z.boolean(),
  /** All of the student's templates, whatever model made them. */
  templates: z.number().int(),
  /** Templates of the running engine's model: the only ones the door compares with (0 while it loads). */
  usableTemplates: z.number().int(),
  /** Has templates, none of the running model: not recognised until enrolled again. */
  needsReEnrolment: z.boolean(),
  enrolledInActiveClass: z.boolean(),
  /**
   * Templates enrolled at this kiosk that the server refused (never matched, not counted above)
   * and the latest refusal's reason, e.g. `unlike_enrolment`; absent when none was refused.
   */
  refused: z.object({ count: z.number().int().min(1), reason: z.string() }).optional(),
});
export const LogRow = z.object({
  eventId: z.string(),
  kind: z.string(),
  studentId: z.string(),
  name: z.string(),
  status: AttendanceStatus.nullable(),
  occurredAt: z.string(),
  scores: DecisionScores.nullable(),
  undone: z.boolean(),
  synced: z.boolean(),
});
export const EnrolProgress = z.object({
  studentId: z.string(),
  kept: z.number().int(),
  wanted: z.number().int(),
  hint: z.string().nullable(),
  qualities: z.array(z.number()),
  done: z.boolean(),
});
/** The longest `detail` of a page camera report (getUserMedia's error name and message, cut). */
export const PAGE_CAMERA_DETAIL_MAX = 200;
/**
 * The page's camera as the page sees it, for the core's own state (its log, the CLI, the server's
 * Kiosks page). Narrow on purpose: only a problem or its end, only for the page's camera (the core
 * refuses it while another camera is configured), and `running` does not make the core say the
 * camera runs (only pushed frames do); it only takes back the page's last problem.
 */
export const PageCameraReport = z.discriminatedUnion('status', [
  z.object({ status: z.literal('running') }).strict(),
  z
    .object({
      status: z.literal('missing'),
      reason: PageCameraReason,
      detail: z.string().max(PAGE_CAMERA_DETAIL_MAX),
    })
    .strict(),
  z
    .object({
      status: z.literal('error'),
      reason: PageCameraReason,
      detail: z.string().max(PAGE_CAMERA_DETAIL_MAX),
    })
    .strict(),
]);
export type PageCameraReport = z.infer<typeof PageCameraReport>;

export const SyncHistoryRow = z.object({
  at: z.string(),
  kind: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});

// ---------------------------------------------------------------- results
/**
 * `recovery`: the admin area was opened with a one-time recovery code from the server (typed on
 * the PIN pad instead of the PIN); the UI goes straight to "change PIN".
 */
export const UnlockResult = z.object({
  unlocked: z.boolean(),
  lockedUntil: z.string().nullable(),
  recovery: z.boolean(),
});
export const EventIdResult = z.object({ eventId: z.string() });
/**
 * The admin area's own status. `factoryPin`: the PIN is still the shipped default, so the UI nags.
 * `pinRecovery`: this session was opened with a recovery code and the PIN has not been changed
 * since, so "change PIN" asks for no current PIN (the admin forgot it).
 */
export const AdminStatus = z.object({ factoryPin: z.boolean(), pinRecovery: z.boolean() });
/** `quitting`: the host (Electron main, the headless runner) was asked to shut the kiosk down. */
export const QuitResult = z.object({ quitting: z.boolean() });

// ---------------------------------------------------------------- the API, declared once
// The channel NAMES live in a zod-free module so the sandboxed preload stays small; they are
// re-exported here unchanged. Everything else about a channel is its row in KIOSK_API.
export { KIOSK_CAMERA_FRAME_CHANNEL, KIOSK_CHANNELS, KIOSK_STATE_EVENT } from './kiosk-channels.js';
import type { KIOSK_CHANNELS } from './kiosk-channels.js';

export type KioskChannelKey = keyof typeof KIOSK_CHANNELS;

/** Channels without an argument accept nothing, null or {} (IPC sends undefined, the bridge null). */
export const NoArgs = z.union([z.undefined(), z.null(), z.object({}).strict()]).transform(() => ({}));

/**
 * Every channel: the zod schema of its one argument (NoArgs: none) and of its answer's value.
 * The KioskApi type, the core's handler types, the preload, the IPC binding, the browser bridge
 * and the renderer's checked client are all derived from this table, so adding a channel is a
 * name in kiosk-channels.ts, a row here and its handler; a handler answering another shape
 * fails `npm run typecheck` (see src/core/handlers.typetest.ts).
 */
export const KIOSK_API = {
  getState: { args: NoArgs, result: KioskState },
  adminUnlock: { args: PinArgs, result: UnlockResult },
  adminLock: { args: NoArgs, result: z.null() },
  adminStatus: { args: NoArgs, result: AdminStatus },
  adminChangePin: { args: ChangePinArgs, result: AdminStatus },
  appQuit: { args: QuitArgs, result: QuitResult },
  rosterList: { args: RosterQueryArgs, result: z.array(RosterRow) },
  logToday: { args: NoArgs, result: z.array(LogRow) },
  markManual: { args: ManualMarkArgs, result: EventIdResult },
  markUndo: { args: UndoArgs, result: EventIdResult },
  enrolStart: { args: EnrolArgs, result: EnrolProgress },
  enrolStatus: { args: NoArgs, result: EnrolProgress.nullable() },
  enrolCancel: { args: NoArgs, result: z.null() },
  syncNow: { args: NoArgs, result: SyncStatus },
  syncHistory: { args: NoArgs, result: z.array(SyncHistoryRow) },
  pair: { args: PairArgs, result: SyncStatus },
  settingsGet: { args: NoArgs, result: Settings },
  settingsUpdate: { args: SettingsPatch, result: Settings },
  cameraReport: { args: PageCameraReport, result: z.null() },
} as const satisfies Record<KioskChannelKey, { args: z.ZodTypeAny; result: z.ZodTypeAny }>;

type Row<K extends KioskChannelKey> = (typeof KIOSK_API)[K];
/** What the caller passes on channel K (before the receiving side's defaults). */
export type KioskArgs<K extends KioskChannelKey> = z.input<Row<K>['args']>;
/** What the receiving side's handler gets on channel K, parsed. */
export type KioskParsedArgs<K extends KioskChannelKey> = z.output<Row<K>['args']>;
/** What a handler must answer on channel K (the schema's input: the caller parses it). */
export type KioskAnswer<K extends KioskChannelKey> = z.input<Row<K>['result']>;
/** What the caller gets on channel K after parsing the answer. */
export type KioskValue<K extends KioskChannelKey> = z.output<Row<K>['result']>;

/** True when channel K takes an argument (its row's schema is not NoArgs). */
export const takesArgs = (key: KioskChannelKey): boolean => (KIOSK_API[key].args as z.ZodTypeAny) !== NoArgs;

type Call<K extends KioskChannelKey> = Row<K>['args'] extends typeof NoArgs
  ? () => Promise<Result<KioskValue<K>>>
  : (args: KioskArgs<K>) => Promise<Result<KioskValue<K>>>;

/** What the renderer sees (window.rollcall). Admin calls need an unlocked admin session. */
export type KioskApi = { [K in KioskChannelKey]: Call<K> } & {
  onState(listener: (state: KioskState) => void): () => void;
};

/** The core's side of channel K: parses its raw argument, answers a Result, never throws. */
export type KioskHandler<K extends KioskChannelKey> = (rawArgs: unknown) => Promise<Result<KioskAnswer<K>>>;
export type KioskHandlerTable = { [K in KioskChannelKey]: KioskHandler<K> };

export const ResultError = z.object({
  code: z.string(),
  message: z.string(),
  unsent: UnsentCounts.optional(),
}) satisfies z.ZodType<ResultErrorValue>;

// ---------------------------------------------------------------- camera media (added for the UI)
/**
 * The live preview is served as a JPEG at this path relative to the page, in both shells:
 * the browser bridge serves `GET /frame.jpg?epoch=E&seq=N`, Electron serves it on its `app://`
 * protocol. `epoch`/`seq` are KioskState.frame's, so the <img> refetches when a frame is new
 * and never reuses a cached picture of an earlier camera start (seq restarts, epoch does not
 * repeat); both shells also answer `Cache-Control: no-store`.
 */
export const FRAME_PREVIEW_PATH = 'frame.jpg';

/**
 * Frames pushed by the UI (camera spec `push`): the page opens getUserMedia and hands JPEG
 * frames to the core, over IPC in Electron (this channel) or `POST /api/camera/frame` on the
 * browser bridge. KioskState.browserCamera tells the page when to do so.
 */
/** A pushed frame: an encoded JPEG, bounded so one message cannot exhaust memory. */
export const CameraFrameBytes = z
  .instanceof(Uint8Array)
  .refine((b) => b.byteLength > 0 && b.byteLength <= 8 * 1024 * 1024, 'frame must be 1 B..8 MiB');

/** Extras beyond the handler-backed API; optional members exist only in some shells. */
export interface KioskMediaApi {
  /** Frames the page captured with getUserMedia, as JPEG bytes (camera spec `push`). */
  cameraPushFrame?(jpeg: Uint8Array): void;
}
