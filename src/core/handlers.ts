// The typed kiosk API: one handler per channel of the contract's KIOSK_API table. Each parses
// its raw argument with the table's zod schema and answers a Result, never a throw, because
// the caller sits on the other side of IPC or the browser bridge. The handlers' types come
// from the table (KioskHandlerTable); the preload and the bridge expose exactly these.
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  KIOSK_API,
  KIOSK_CHANNELS,
  type KioskAnswer,
  type KioskChannelKey,
  type KioskHandler,
  type KioskHandlerTable,
  type KioskParsedArgs,
  type KioskState,
  type PageCameraReport,
  type Result,
  type ResultErrorValue,
  type Settings,
} from '../contracts/kiosk-api.js';
import { adminPinProblem } from '../contracts/pin-policy.js';
import type { AttendanceStatus, DecisionScores } from '../contracts/sync.js';
import { instantOf, localDateAt } from '../contracts/site-time.js';
import { SyncError, UnsentWorkError, type SyncService } from '../sync/index.js';
import type { AdminSession } from './admin-session.js';
import type { AttendanceEngine } from './attendance/engine.js';
import { CorrectionError, manualMark, undoEvent } from './attendance/corrections.js';
import { coverageByStudent, coverageOf } from './attendance/template-coverage.js';
import { CameraSpecError, parseCameraSpec } from './camera/index.js';
import type { EnrolmentDesk } from './enrolment-desk.js';
import type { EnrolProgress } from './enrolment.js';
import { looserThanFloor } from './recognition-floor.js';
import { KioskError } from './errors.js';
import type { KioskStore } from './store/index.js';
import { DEFAULT_ADMIN_PIN } from './store/admin-pin.js';
import { SYNC_HISTORY_KEPT } from './store/state-repo.js';

export { KioskError } from './errors.js';

/** The parts of the kiosk the handlers work with (composed in kiosk.ts; not public). */
export interface HandlerContext {
  store: KioskStore;
  logger: Logger;
  now: () => Date;
  newId: () => string;
  engine: AttendanceEngine;
  sync: SyncService;
  state: () => KioskState;
  emit: () => void;
  admin: AdminSession;
  enrolment: EnrolmentDesk;
  restartCamera: (spec: string) => void;
  /** The page's report on its own camera; false (refused) while the camera is not the page's. */
  reportPageCamera: (report: PageCameraReport) => boolean;
  /** Whether Settings may choose recorded frames (`replay:`); see KioskOptions.allowReplayCamera. */
  allowReplayCamera: boolean;
  faceEngineReady: () => boolean;
  /** The running face engine's model (null while it loads): the model templates must be of to be usable. */
  faceModelId: () => string | null;
  /** Asks the host to shut down (see Kiosk.onQuitRequest); false when no host listens. */
  requestQuit: () => boolean;
}

/** Why recorded frames are refused outside a demo or test run (Settings, and a stored setting at start). */
export const REPLAY_NOT_ALLOWED =
  'Recorded frames (replay:) are played only by a demo or test run started with a replay camera';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (
  code: string,
  message: string,
  detail: Omit<ResultErrorValue, 'code' | 'message'> = {},
): Result<never> => ({ ok: false, error: { code, message, ...detail } });

/**
 * One channel's handler: parses the raw argument with the channel's schema from KIOSK_API,
 * maps errors to codes, never rejects. `fn` must answer the channel's result shape: the
 * contract types it, so a wrong answer fails typecheck instead of arriving as `bad_answer`.
 */
export function kioskHandler<K extends KioskChannelKey>(
  channel: K,
  fn: (args: KioskParsedArgs<K>) => KioskAnswer<K> | Promise<KioskAnswer<K>>,
  log: Logger,
): KioskHandler<K> {
  const schema: z.ZodTypeAny = KIOSK_API[channel].args;
  return async (rawArgs: unknown): Promise<Result<KioskAnswer<K>>> => {
    const parsed = schema.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      return fail(
        'invalid_args',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; '),
      );
    }
    try {
      return ok(await fn(parsed.data as KioskParsedArgs<K>));
    } catch (err) {
      if (err instanceof KioskError || err instanceof CorrectionError) return fail(err.code, err.message);
      if (err instanceof CameraSpecError) return fail('invalid_args', err.message);
      // The counts as data too: the screen confirms exactly what it showed (PairArgs.discardUnsent).
      if (err instanceof UnsentWorkError) return fail('sync_unsent', err.message, { unsent: err.unsent });
      if (err instanceof SyncError) return fail(`sync_${err.kind}`, err.message);
      if (err instanceof z.ZodError)
        return fail('invalid_args', err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      log.error({ err, channel: KIOSK_CHANNELS[channel] }, 'kiosk handler failed');
      // Internal details (SQL errors, file paths) go to the log above, not to the screen.
      return fail('internal', 'Something went wrong inside the kiosk. The details are in its log.');
    }
  };
}

export interface LogRowValue {
  eventId: string;
  kind: string;
  studentId: string;
  name: string;
  status: AttendanceStatus | null;
  occurredAt: string;
  scores: DecisionScores | null;
  undone: boolean;
  synced: boolean;
}

export function buildHandlers(k: HandlerContext): KioskHandlerTable {
  const requireAdmin = (scope: 'all' | 'pinChange' = 'all') => k.admin.require(scope);
  const audit = (action: string, detail: Record<string, unknown> = {}) =>
    k.store.audit.record(k.now().toISOString(), action, detail);
  const h = <K extends KioskChannelKey>(
    channel: K,
    fn: (args: KioskParsedArgs<K>) => KioskAnswer<K> | Promise<KioskAnswer<K>>,
  ) => kioskHandler(channel, fn, k.logger);

  return {
    getState: h('getState', (): KioskState => k.state()),

    adminUnlock: h('adminUnlock', ({ pin }) => {
      // A recovery code from the server is typed on the same pad: tried when the PIN does not
      // match, burnt when it does, and a miss of both is one failure of the same lockout.
      let recoveryId: string | null = null;
      const r = k.store.pin.verify(
        pin,
        (input) => (recoveryId = k.store.pinRecovery.consume(input)) !== null,
      );
      const recovery = r.unlocked && r.via === 'recovery';
      audit(recovery ? 'admin_unlock_recovery' : r.unlocked ? 'admin_unlock' : 'admin_unlock_failed', {
        lockedUntil: r.lockedUntil,
        ...(recoveryId ? { recoveryId } : {}),
      });
      // It matched, so comparing the typed PIN is exact (and costs no second scrypt).
      if (r.unlocked) k.admin.unlock(recovery, r.via === 'pin' && pin === DEFAULT_ADMIN_PIN);
      // Tell the server at once that the code is spent (sync retries until it is acknowledged).
      if (recovery) k.sync.notifyPinRecoveryUsed();
      return { unlocked: r.unlocked, lockedUntil: r.lockedUntil, recovery };
    }),

    adminLock: h('adminLock', () => {
      k.admin.lock();
      return null;
    }),

    adminStatus: h('adminStatus', () => {
      requireAdmin('pinChange');
      return { factoryPin: k.store.pin.isFactoryDefault(), pinRecovery: k.admin.recovery };
    }),

    adminChangePin: h('adminChangePin', ({ currentPin, newPin, confirmPin }) => {
      requireAdmin('pinChange');
      // Opened with a recovery code: the admin forgot the PIN, so none is asked for (the code was the proof).
      const recovery = k.admin.recovery;
      if (!recovery && currentPin === undefined)
        throw new KioskError('current_pin_required', 'Type the current PIN to change it.');
      // The new PIN is checked first: a typo in it must not cost one of the admin's PIN tries.
      const problem = adminPinProblem(newPin);
      if (problem) throw new KioskError('weak_pin', problem);
      if (newPin !== confirmPin)
        throw new KioskError('pin_mismatch', 'The two new PINs are not the same. Type the new PIN twice.');
      if (newPin === currentPin)
        throw new KioskError(
          'pin_unchanged',
          'The new PIN is the same as the current one. Choose a different PIN.',
        );
      if (recovery) {
        k.store.pin.setPin(newPin);
        k.admin.pinChanged();
        audit('pin_changed', { viaRecovery: true });
        return { factoryPin: false, pinRecovery: false };
      }
      // The current PIN goes through the same counter as the unlock screen, so an open admin
      // session left at the door cannot be used to guess the PIN for later.
      const check = k.store.pin.verify(currentPin ?? '');
      if (!check.unlocked) {
        audit('pin_change_failed', { lockedUntil: check.lockedUntil });
        if (check.lockedUntil) {
          k.admin.expire();
          const minutes = Math.max(
            1,
            Math.ceil((Date.parse(check.lockedUntil) - k.now().getTime()) / 60_000),
          );
          throw new KioskError(
            'pin_locked_out',
            `Too many wrong PINs: the admin area is locked for ${minutes} min. The PIN was not changed.`,
          );
        }
        throw new KioskError('wrong_pin', 'The current PIN is wrong. The PIN was not changed.');
      }
      k.store.pin.setPin(newPin);
      k.admin.pinChanged();
      audit('pin_changed');
      return { factoryPin: false, pinRecovery: false };
    }),

    appQuit: h('appQuit', () => {
      requireAdmin();
      if (!k.requestQuit())
        throw new KioskError(
          'unsupported',
          'This kiosk cannot be quit from the screen; stop it where it was started.',
        );
      // The host is told after QUIT_REPLY_GRACE_MS and then closes the database, so this write lands first.
      audit('app_quit');
      k.admin.expire();
      return { quitting: true };
    }),

    rosterList: h('rosterList', ({ search }) => {
      requireAdmin();
      const session = k.engine.session();
      const coverage = coverageByStudent(k.store.templates.countByStudentAndModel(), k.faceModelId());
      const refused = new Map<string, { count: number; reason: string }>();
      for (const r of k.store.templates.rejected())
        refused.set(r.studentId, { count: (refused.get(r.studentId)?.count ?? 0) + 1, reason: r.reason });
      return k.store.roster.listStudents(search).map((s) => ({
        ...s,
        ...coverageOf(coverage, s.id),
        enrolledInActiveClass: session ? k.store.roster.isEnrolled(session.classId, s.id) : false,
        ...(refused.has(s.id) ? { refused: refused.get(s.id) } : {}),
      }));
    }),

    logToday: h('logToday', (): LogRowValue[] => {
      requireAdmin();
      // "Today" is the site's calendar day when the timezone is known, else the last 24 h.
      const tz = k.store.sync.get('timezone');
      let since: string;
      try {
        since = tz
          ? instantOf(localDateAt(k.now(), tz), '00:00', tz).toISOString()
          : new Date(k.now().getTime() - 86_400_000).toISOString();
      } catch {
        since = new Date(k.now().getTime() - 86_400_000).toISOString();
      }
      return k.store.attendance.since(since).map((e) => ({
        eventId: e.id,
        kind: e.kind,
        studentId: e.studentId,
        name: k.store.roster.getStudent(e.studentId)?.name ?? e.studentId,
        status: e.status,
        occurredAt: e.occurredAt,
        scores: e.scores ?? null,
        undone: e.undone,
        synced: e.synced,
      }));
    }),

    markManual: h('markManual', ({ studentId, status, reason }) => {
      requireAdmin();
      const eventId = manualMark(
        { store: k.store, now: k.now, newId: k.newId, session: () => k.engine.session() },
        { studentId, status, reason, actor: 'kiosk-admin' },
      );
      k.sync.notifyOutbox();
      k.emit();
      return { eventId };
    }),

    markUndo: h('markUndo', ({ eventId, reason }) => {
      requireAdmin();
      const id = undoEvent(
        { store: k.store, now: k.now, newId: k.newId, session: () => k.engine.session() },
        { eventId, reason, actor: 'kiosk-admin' },
      );
      k.sync.notifyOutbox();
      k.emit();
      return { eventId: id };
    }),

    enrolStart: h('enrolStart', ({ studentId, shots }): EnrolProgress => {
      requireAdmin();
      const student = k.store.roster.getStudent(studentId);
      if (!student)
        throw new KioskError('not_found', `No student ${studentId} on this kiosk; sync the roster first.`);
      // Here, not only on the enrolment screen: the channel can be called without it.
      if (!student.consent)
        throw new KioskError(
          'no_consent',
          `${student.name} has no consent on record and cannot be enrolled.`,
        );
      if (!k.faceEngineReady()) throw new KioskError('engine_not_ready', 'The face engine is still loading.');
      // Without a camera the capture could only wait for frames that never come.
      const camera = k.state().camera.status;
      if (camera === 'missing' || camera === 'error' || camera === 'stopped')
        throw new KioskError(
          'camera_unavailable',
          'The camera is not available, so no shots can be taken. Check its cable and the camera setting, then try again.',
        );
      audit('enrol_start', { studentId, shots });
      return k.enrolment.start(studentId, shots).progress();
    }),

    enrolStatus: h('enrolStatus', (): EnrolProgress | null => {
      requireAdmin();
      return k.enrolment.current?.progress() ?? null;
    }),

    enrolCancel: h('enrolCancel', () => {
      requireAdmin();
      if (k.enrolment.current && !k.enrolment.current.done)
        audit('enrol_cancel', { studentId: k.enrolment.current.studentId });
      k.enrolment.current = null;
      return null;
    }),

    syncNow: h('syncNow', async () => {
      requireAdmin();
      await k.sync.syncNow();
      return k.sync.status();
    }),

    syncHistory: h('syncHistory', () => {
      requireAdmin();
      // All that is kept, so the screen's merged lines of repeated failures count every try.
      return k.sync.history(SYNC_HISTORY_KEPT);
    }),

    pair: h('pair', async ({ serverUrl, code, name, serverFingerprint, discardUnsent }) => {
      requireAdmin();
      return k.sync.pair({
        serverUrl,
        code,
        name,
        ...(serverFingerprint ? { serverFingerprint } : {}),
        ...(discardUnsent ? { discardUnsent } : {}),
      });
    }),

    settingsGet: h('settingsGet', (): Settings => {
      requireAdmin();
      return k.store.settings.get();
    }),

    settingsUpdate: h('settingsUpdate', (patch): Settings => {
      requireAdmin();
      // Refuse a bad spec before storing it, and recorded frames on a door (a PIN holder must
      // not be able to play a folder of photos past the recogniser).
      const spec = patch.cameraSpec === undefined ? null : parseCameraSpec(patch.cameraSpec);
      if (spec?.kind === 'replay' && !k.allowReplayCamera)
        throw new KioskError('replay_not_allowed', `${REPLAY_NOT_ALLOWED}; choose push, webcam or none`);
      const looser = looserThanFloor(patch, k.store.settings.floor);
      if (looser !== null) throw new KioskError('looser_than_calibrated', looser);
      const before = k.store.settings.get();
      const next = k.store.settings.update(patch);
      audit('settings_update', { patch });
      if (next.cameraSpec !== before.cameraSpec) k.restartCamera(next.cameraSpec);
      k.emit();
      return next;
    }),

    // No admin session: the door page reports while locked. Least privilege instead: only a
    // problem (or its end) of the page's own camera, refused while the core owns the camera.
    cameraReport: h('cameraReport', (report) => {
      if (!k.reportPageCamera(report))
        throw new KioskError(
          'not_page_camera',
          "The camera is not the page's own (camera setting 'push'), so the page cannot report on it.",
        );
      return null;
    }),
  };
}

export type KioskHandlers = KioskHandlerTable;
