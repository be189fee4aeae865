// The attendance engine: turns analysed frames into decisions and decisions into events.
// Rules (DESIGN.md "Attendance rules"): gates before any match; the same student must win
// on N of the last M frames; one mark per student per session (checked and written in one
// transaction); repeats inside the cooldown only re-greet; a session's door opens its arrival
// window before the start (early arrivals are present) and arrivals after start + grace are
// late; with back-to-back sessions a student goes to the coming one whose list they are on
// (contracts/occurrences.ts); "no class now/today" outside sessions records nothing; not enrolled → told so + an `exception`
// event (one per student and session); unknown faces are never marked, only counted. Every
// decision carries its scores.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { FaceBox, Greeting, Settings } from '../../contracts/kiosk-api.js';
import type { AttendanceStatus, DecisionScores } from '../../contracts/sync.js';
import { decideMatch, TOP_K, type FaceDecision, type Tier } from '../../ml/decision-rule.js';
import { clearsDoorTemplateBar } from '../../ml/door-template.js';
import type { DetectedFace, FrameAnalysis, GateFailure } from '../../ml/types.js';
import type { KioskStore } from '../store/index.js';
import type { LivenessDecision } from '../../ml/liveness/decision.js';
import { LIVENESS_CALIBRATION } from '../../ml/liveness/calibration.js';
import { Gallery } from './gallery.js';
import { DoorLiveness, LIVENESS_HINT } from './liveness-visit.js';
import { isLate, type Occurrence } from '../../contracts/occurrences.js';
import {
  dayOffAt,
  openSessions,
  storedArrivalMinutes,
  storedCalendar,
  toRunning,
  type DoorContext,
  type RunningSession,
} from './sessions.js';
import { coverageByStudent, summariseCoverage, type CoverageSummary } from './template-coverage.js';
import { FaceTracker, type Track } from './tracks.js';

/** The best frame seen for a candidate on a track: the scores its decision reports. */
interface Evidence {
  match: FaceDecision;
  face: DetectedFace;
}

export type GreetingKind = z.infer<typeof Greeting>['kind'];
export type FaceBoxState = z.infer<typeof FaceBox>;

export interface Decision {
  kind: GreetingKind;
  studentId: string | null;
  name: string | null;
  sessionId: string | null;
  /** The event written for it, if any (mark or exception). */
  eventId: string | null;
  scores: DecisionScores | null;
  at: string;
  frameSeq: number;
  message: string;
  /** The face track it was decided on (FaceBox.track): the screen's greeting follows that face. */
  track?: number;
}

export interface FrameOutcome {
  faces: FaceBoxState[];
  decisions: Decision[];
}

export interface EngineCounters {
  framesAnalysed: number;
  unknownFaceFrames: number;
  unknownAppearances: number;
  gatedFaces: number;
}

export interface AttendanceEngineDeps {
  store: KioskStore;
  now: () => Date;
  newId: () => string;
  logger: Logger;
  modelId: () => string | null;
  embeddingSize: () => number;
  /** The kiosk's room and site timezone (from pairing, overridable in settings). */
  placement: () => { roomId: string | null; timezone: string | null };
}

/** What a gate failure asks of the person at the door. */
export const GATE_HINTS: Record<GateFailure, string> = {
  too_small: 'Move closer',
  pose: 'Face the camera',
  blur: 'Hold still',
  too_dark: 'Too dark',
  // Never accuse: a real student in bad light can fail these too.
  spoof: LIVENESS_HINT,
  not_live: LIVENESS_HINT,
};

/** Unknown faces greet at most this often, so a stranger lingering is one appearance. */
const UNKNOWN_REGREET_MS = 5_000;
/** Votes older than this no longer count, and the visit majority looks this far back (see VoteWindow). */
export const VOTE_MAX_AGE_MS = 2_500;
export const VISIT_MS = 4_000;
/** The fewest agreeing frames of one track that may mark a student (the setting cannot go lower). */
export const MIN_VOTES = 2;

export class AttendanceEngine {
  private gallery: Gallery = new Gallery([], 0);
  private templateCoverage: CoverageSummary | null = null;
  private readonly tracker: FaceTracker;
  private readonly lastDecision = new Map<string, { at: number; decision: Decision }>();
  private lastUnknownAt = -Infinity;
  readonly counters: EngineCounters = {
    framesAnalysed: 0,
    unknownFaceFrames: 0,
    unknownAppearances: 0,
    gatedFaces: 0,
  };

  constructor(private readonly deps: AttendanceEngineDeps) {
    this.tracker = new FaceTracker({
      voteWindow: () => this.settings().voteWindow,
      voteMaxAgeMs: VOTE_MAX_AGE_MS,
      visitMs: VISIT_MS,
    });
    this.reloadGallery();
  }

  private settings(): Settings {
    return this.deps.store.settings.get();
  }

  /** Rebuild the gallery from the store; called after a roster pull, an enrolment or a model change. */
  reloadGallery(): void {
    const modelId = this.deps.modelId();
    const templates = modelId ? this.deps.store.templates.forModel(modelId) : [];
    this.gallery = new Gallery(templates, this.deps.embeddingSize());
    const m = this.gallery.model;
    this.deps.logger.info(
      {
        templates: this.gallery.size,
        students: this.gallery.studentCount,
        modelId,
        impostorTail: m && { u: round(m.u), beta: round(m.beta), pU: m.pU },
      },
      'gallery loaded',
    );
    this.templateCoverage = modelId ? this.summariseCoverage(modelId) : null;
    const other = modelId ? this.deps.store.templates.countOtherModels(modelId) : 0;
    const rosterStudents = this.templateCoverage?.students ?? 0;
    if (modelId && this.gallery.studentCount === 0 && rosterStudents > 0 && other === 0)
      // Students on the roster but no face for any of them (photos never imported): the door
      // answers "not recognised" to everyone. The admin area says so too (nobodyRecognisable).
      this.deps.logger.warn(
        { modelId, rosterStudents },
        'no student on the roster has a face template: the door recognises nobody until their photos are imported (staff console, Students) or they are enrolled at a kiosk',
      );
    if (other > 0) {
      // Templates of another model never match: after a model change nobody is recognised
      // until students are re-enrolled (or the server re-embeds their photos). The admin
      // area shows who (roster) and how many (state.templates); this line is for the logs.
      this.deps.logger.warn(
        {
          modelId,
          otherModelTemplates: other,
          templates: this.gallery.size,
          studentsNeedingReEnrolment: this.templateCoverage?.needReEnrolment ?? 0,
        },
        'templates from another face model are ignored',
      );
    }
  }

  /**
   * The store no longer holds the people this engine remembers (pairing with another site wiped
   * them): the faces being followed, their votes and cooldowns go. The caller rebuilds the gallery.
   */
  forgetPeople(): void {
    for (const track of this.tracker.endAll()) this.endVisit(track);
    this.lastDecision.clear();
    this.lastUnknownAt = -Infinity;
  }

  /**
   * Who the running model can recognise, in total; recomputed with the gallery (the only
   * times templates or the model change), so the state stream can carry it at no cost.
   */
  get coverage(): CoverageSummary | null {
    return this.templateCoverage;
  }

  private summariseCoverage(modelId: string): CoverageSummary {
    const { templates, roster } = this.deps.store;
    return summariseCoverage(
      coverageByStudent(templates.countByStudentAndModel(), modelId),
      roster.studentIds(),
      modelId,
    );
  }

  get galleryStats() {
    return { templates: this.gallery.size, students: this.gallery.studentCount };
  }

  /** The stored calendar's text and its parse: the door asks on every frame, the roster rarely changes it. */
  private calendarCache: { raw: string | null; calendar: ReturnType<typeof storedCalendar> } | null = null;

  private currentCalendar(): ReturnType<typeof storedCalendar> {
    const raw = this.deps.store.sync.get('calendar');
    if (this.calendarCache?.raw !== raw) this.calendarCache = { raw, calendar: storedCalendar(raw) };
    return this.calendarCache.calendar;
  }

  /** The site's time zone, calendar and arrival windows, as the roster last brought them. */
  private doorContext(timezone: string): DoorContext {
    const { sync, roster } = this.deps.store;
    return {
      timeZone: timezone,
      calendar: this.currentCalendar(),
      siteArrivalMinutes: storedArrivalMinutes(sync.get('arrivalMinutes')),
      classArrivalMinutes: (classId) => roster.getClass(classId)?.arrivalMinutes ?? null,
    };
  }

  /** Sessions open at this door now, the coming one first; [] when unknown (not placed, bad zone). */
  openSessions(): Occurrence[] {
    const { roomId, timezone } = this.deps.placement();
    if (!roomId || !timezone) return [];
    try {
      return openSessions(
        this.deps.store.roster.allSchedules(),
        this.doorContext(timezone),
        roomId,
        this.deps.now(),
      );
    } catch (err) {
      this.deps.logger.error({ err, timezone }, 'cannot compute the running session (bad timezone?)');
      return [];
    }
  }

  /** The session shown at the door: the one that starts last among the open ones. */
  session(): RunningSession | null {
    const first = this.openSessions()[0];
    return first ? toRunning(first) : null;
  }

  /** True when the site has no class at all today (holiday, closure, outside term). */
  noClassToday(): boolean {
    const { timezone } = this.deps.placement();
    if (!timezone) return false;
    try {
      return dayOffAt(this.doorContext(timezone), this.deps.now()) !== null;
    } catch {
      return false;
    }
  }

  processFrame(analysis: FrameAnalysis, frameSeq: number): FrameOutcome {
    const settings = this.settings();
    this.counters.framesAnalysed++;
    const t = this.deps.now().getTime();
    // Every face is followed across frames; its votes, evidence and decision are its track's.
    // Nobody in view: every visit ends and the next person starts from zero, so one misread
    // frame of the next person cannot complete the previous person's votes. The tracks wait out
    // the tracker's gap, though: a face missed for one frame that comes back clearly the same
    // keeps its track, and so the greeting that names it (tracks.ts).
    let assigned: Track[] = [];
    let visitsOver: Track[];
    if (analysis.faces.length === 0) {
      const { ended, waiting } = this.tracker.emptyDoorway(t);
      visitsOver = [...ended, ...waiting];
    } else {
      ({ assigned, ended: visitsOver } = this.tracker.update(
        analysis.faces.map((f) => ({
          box: normaliseBox(f.box, analysis.width, analysis.height),
          embedding: f.embedding,
        })),
        t,
      ));
    }
    for (const track of visitsOver) this.endVisit(track);

    // The classes in session at this door (back to back: the running one and the coming one):
    // their students are judged at the class tier, everyone else at the school tier.
    const open = analysis.faces.length > 0 ? this.openSessions() : [];
    const session = open.length > 0;
    const classCache = new Map<string, boolean>();
    const inClass = session
      ? (id: string) => {
          let v = classCache.get(id);
          if (v === undefined)
            classCache.set(id, (v = open.some((o) => this.deps.store.roster.isEnrolled(o.classId, id))));
          return v;
        }
      : undefined;
    const point = { threshold: settings.matchThreshold, minMargin: settings.matchMargin };

    let unknownSeen = false;
    // Whom each face matched this frame. Kept off the box: a face is named on screen only once a
    // decision names it (votes and liveness passed), never on a single frame's match. A photo
    // held up to the door would otherwise show whose it is, which the liveness greeting withholds.
    const matchedId: (string | null)[] = analysis.faces.map(() => null);
    const perTrack = new Map<Track, { ids: Set<string>; unknown: boolean; tiers: Map<string, Tier> }>();
    const boxes: FaceBoxState[] = analysis.faces.map((face, i) => {
      const track = assigned[i]!;
      const mine = perTrack.get(track) ?? {
        ids: new Set<string>(),
        unknown: false,
        tiers: new Map<string, Tier>(),
      };
      perTrack.set(track, mine);
      const box = normaliseBox(face.box, analysis.width, analysis.height);
      if (face.gateFailures.length > 0) {
        this.counters.gatedFaces++;
        const first = face.gateFailures[0] as GateFailure;
        return { box, label: null, state: 'gated', hint: GATE_HINTS[first], track: track.id };
      }
      const match = decideMatch(this.gallery.top(face.embedding, TOP_K), {
        point,
        galleryPeople: this.gallery.studentCount,
        model: this.gallery.model,
        inClass,
      });
      if (!match.accepted || !match.personId) {
        unknownSeen = true;
        mine.unknown = true;
        return { box, label: null, state: 'unknown', hint: null, track: track.id };
      }
      mine.ids.add(match.personId);
      livenessOf(track).add(match.personId, face, t);
      mine.tiers.set(match.personId, match.tier ?? 'school');
      const prev = track.evidence.get(match.personId) as Evidence | undefined;
      if (!prev || prev.match.score <= match.score || !track.votes.votesFor(match.personId))
        track.evidence.set(match.personId, { match, face });
      matchedId[i] = match.personId;
      return { box, label: null, state: 'candidate', hint: null, track: track.id };
    });
    for (const [track, f] of perTrack) track.votes.push(f.ids, t, f.unknown && f.ids.size === 0);
    if (unknownSeen) this.counters.unknownFaceFrames++;

    const decisions: Decision[] = [];
    // One lucky frame never marks anyone, whatever the setting says.
    const needed = Math.max(MIN_VOTES, settings.votesNeeded);
    for (const [track, f] of perTrack) {
      let decidedHere = false;
      for (const { id, votes } of track.votes.winners(needed)) {
        // During a class, somebody from elsewhere in the school needs one more agreeing frame
        // than a student of that class (the prior at a classroom door is strong: most people
        // there are its class's). Outside sessions nothing is written, so no extra frame.
        const tier =
          f.tiers.get(id) ?? (track.evidence.get(id) as Evidence | undefined)?.match.tier ?? 'school';
        if (session && tier !== 'class' && votes < needed + 1) continue;
        // Liveness of this track's visit (docs/liveness.md). Not yet decided: the votes stay and
        // the next frame asks again. Rejected: nothing is marked; the votes stay too, so a real
        // student who turns to the camera is marked once the visit's mean passes.
        const live = livenessOf(track).check(id, settings.livenessLevel);
        if (live.verdict !== 'live') {
          if (live.firstRejection) decisions.push(this.rejectVisit(id, live, frameSeq, track));
          analysis.faces.forEach((_, i) => {
            const b = boxes[i];
            if (assigned[i] === track && b && b.state === 'candidate') b.hint = LIVENESS_HINT;
          });
          decidedHere = true;
          continue;
        }
        const decision = this.decide(id, votes, settings, frameSeq, track, live);
        track.votes.clear(id);
        track.evidence.delete(id);
        livenessOf(track).forget(id);
        decisions.push(decision);
        decidedHere = true;
        analysis.faces.forEach((_, i) => {
          const b = boxes[i];
          if (assigned[i] === track && b && b.state === 'candidate' && matchedId[i] === id) {
            b.state = 'recognised';
            b.label = decision.name;
          }
        });
      }
      // The unknown frames stay in the tallies (they are the evidence against a misread); the
      // greeting is throttled by time instead, so a stranger lingering counts once.
      if (
        !decidedHere &&
        track.votes.unknownFrames() >= settings.votesNeeded &&
        t - track.lastUnknownGreetAt >= UNKNOWN_REGREET_MS
      ) {
        const firstGreeting = track.lastUnknownGreetAt === -Infinity;
        track.lastUnknownGreetAt = t;
        // One appearance per stranger's track (re-greeted while they linger, counted once);
        // several strangers in view at once are several appearances.
        if (firstGreeting) this.counters.unknownAppearances++;
        if (t - this.lastUnknownAt >= UNKNOWN_REGREET_MS || firstGreeting) {
          this.lastUnknownAt = t;
          decisions.push({
            kind: 'unknown',
            studentId: null,
            name: null,
            sessionId: null,
            eventId: null,
            scores: null,
            at: this.deps.now().toISOString(),
            frameSeq,
            message: 'Face not recognised',
            track: track.id,
          });
        }
      }
    }
    return { faces: boxes, decisions };
  }

  /**
   * A visit whose liveness did not pass: the audit log gets the candidate and the scores, the
   * screen a kind instruction without a name, and no attendance event is written.
   */
  private rejectVisit(studentId: string, live: LivenessDecision, frameSeq: number, track: Track): Decision {
    const ev = track.evidence.get(studentId) as Evidence | undefined;
    const at = this.deps.now().toISOString();
    this.deps.store.audit.record(at, 'liveness_rejected', {
      studentId,
      level: live.level,
      score: round(live.score),
      threshold: round(live.threshold),
      frames: live.frames,
      calibration: LIVENESS_CALIBRATION.id,
      ...(live.signals
        ? {
            antispoof: round(live.signals.antispoof),
            liveness: round(live.signals.liveness),
            fasnet: round(live.signals.fasnet),
          }
        : {}),
      ...(ev ? { similarity: round(ev.match.score), margin: round(ev.match.margin) } : {}),
    });
    this.deps.logger.info({ studentId, liveness: live }, 'visit failed the liveness check: not marked');
    return {
      kind: 'look_at_camera',
      studentId: null,
      name: null,
      sessionId: null,
      eventId: null,
      scores: null,
      at,
      frameSeq,
      message: LIVENESS_HINT,
      track: track.id,
    };
  }

  /**
   * Template freshness (docs/recognition.md): a visit that has just MARKED the student (so it
   * passed liveness and was of the class in session) offers its best frame's embedding as an
   * extra template when that frame was a class-tier match far above the point
   * (clearsDoorTemplateBar). Only with the admin's setting on (the roster brings it), at most one
   * per student per 24 hours; the server checks all of it again and keeps the cap.
   */
  private offerDoorTemplate(studentId: string, ev: Evidence, settings: Settings, now: Date): void {
    const { store } = this.deps;
    if (store.sync.get('doorTemplates') !== '1') return;
    const modelId = this.deps.modelId();
    if (!modelId || ev.match.personId !== studentId) return;
    if (
      !clearsDoorTemplateBar(ev.match, {
        threshold: settings.matchThreshold,
        minMargin: settings.matchMargin,
      })
    )
      return;
    const since = new Date(now.getTime() - DOOR_CAPTURE_INTERVAL_MS).toISOString();
    if (store.doorCaptures.offeredSince(studentId, since)) return;
    store.doorCaptures.queue({
      id: this.deps.newId(),
      studentId,
      modelId,
      embedding: Float32Array.from(ev.face.embedding),
      similarity: round(ev.match.score),
      margin: round(ev.match.margin),
      createdAt: now.toISOString(),
    });
    this.deps.logger.info(
      { studentId, similarity: round(ev.match.score), margin: round(ev.match.margin) },
      'door capture queued as a template offer',
    );
  }

  /** A track left the door: its visit, votes and evidence end with it. */
  private endVisit(track: Track): void {
    track.votes.reset();
    track.evidence.clear();
    // The visit's liveness too (livenessOf): a track that waits out an empty doorway starts afresh.
    track.extras.clear();
  }

  private decide(
    studentId: string,
    votes: number,
    settings: Settings,
    frameSeq: number,
    track: Track,
    live: LivenessDecision,
  ): Decision {
    const now = this.deps.now();
    const ev = track.evidence.get(studentId) as Evidence | undefined;
    const scores: DecisionScores = {
      similarity: round(ev?.match.score ?? 0),
      margin: round(ev?.match.margin ?? 0),
      votes,
      window: settings.voteWindow,
      ...(ev
        ? {
            liveness: round(ev.face.liveness),
            antispoof: round(ev.face.antispoof),
            faceSize: Math.round(ev.face.quality.size),
          }
        : {}),
      livenessScore: round(live.score),
    };
    const student = this.deps.store.roster.getStudent(studentId);
    const name = student?.name ?? studentId;
    const base = { studentId, name, scores, at: now.toISOString(), frameSeq, track: track.id };

    const recent = this.lastDecision.get(studentId);
    if (recent && now.getTime() - recent.at < settings.cooldownSeconds * 1000) {
      // Inside the cooldown a repeat only re-greets: nothing is written, nothing re-evaluated.
      const kind: GreetingKind =
        recent.decision.kind === 'present' || recent.decision.kind === 'late'
          ? 'already_marked'
          : recent.decision.kind;
      // "No class today" stays "today" on a re-greet.
      const message = kind === 'no_session' ? recent.decision.message : messageFor(kind, name);
      return { ...base, kind, sessionId: recent.decision.sessionId, eventId: null, message };
    }

    const open = this.openSessions();
    // The coming-or-running session whose list they are on (occurrences.ts sessionForStudent);
    // on none of the lists, the exception goes to the session shown at the door.
    const enrolledIn = open.find((o) => this.deps.store.roster.isEnrolled(o.classId, studentId));
    const session = enrolledIn ?? open[0];
    let decision: Decision;
    if (!session) {
      const message = this.noClassToday() ? 'No class today' : messageFor('no_session', name);
      decision = { ...base, kind: 'no_session', sessionId: null, eventId: null, message };
    } else if (!enrolledIn) {
      const eventId = this.deps.newId();
      const { recorded } = this.deps.store.attendance.recordExceptionOnce({
        id: eventId,
        kind: 'exception',
        studentId,
        sessionId: session.sessionId,
        status: null,
        occurredAt: now.toISOString(),
        scores,
        modelId: this.deps.modelId() ?? undefined,
        reason: 'not enrolled in the active class',
      });
      decision = {
        ...base,
        kind: 'not_enrolled',
        sessionId: session.sessionId,
        eventId: recorded ? eventId : null,
        message: messageFor('not_enrolled', name),
      };
    } else {
      // Early (in the arrival window) and up to start + grace inclusive: present.
      const status: AttendanceStatus = isLate(session, now) ? 'late' : 'present';
      const eventId = this.deps.newId();
      const result = this.deps.store.attendance.markOnce({
        id: eventId,
        kind: 'mark',
        studentId,
        sessionId: session.sessionId,
        status,
        occurredAt: now.toISOString(),
        scores,
        modelId: this.deps.modelId() ?? undefined,
      });
      if (result.marked && ev) this.offerDoorTemplate(studentId, ev, settings, now);
      decision = result.marked
        ? { ...base, kind: status, sessionId: session.sessionId, eventId, message: messageFor(status, name) }
        : {
            ...base,
            kind: 'already_marked',
            sessionId: session.sessionId,
            eventId: null,
            message: messageFor('already_marked', name),
          };
    }
    this.lastDecision.set(studentId, { at: now.getTime(), decision });
    this.deps.logger.info({ decision }, 'attendance decision');
    return decision;
  }
}

/** Door templates offered per student at most once in this window (the server holds the same limit). */
export const DOOR_CAPTURE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** The liveness of a track's visit, hosted on the track (it ends with it). */
function livenessOf(track: Track): DoorLiveness {
  let l = track.extras.get('liveness') as DoorLiveness | undefined;
  if (!l) {
    l = new DoorLiveness(VISIT_MS);
    track.extras.set('liveness', l);
  }
  return l;
}

function messageFor(kind: GreetingKind, name: string): string {
  switch (kind) {
    case 'present':
      return `Welcome, ${name}`;
    case 'late':
      return `Welcome, ${name} (late)`;
    case 'already_marked':
      return `Already marked, ${name}`;
    case 'not_enrolled':
      return `${name}, you are not enrolled in this class`;
    case 'no_session':
      return 'No class now';
    case 'unknown':
      return 'Face not recognised';
    case 'look_at_camera':
      return LIVENESS_HINT;
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

function normaliseBox(
  box: [number, number, number, number],
  w: number,
  h: number,
): [number, number, number, number] {
  if (!w || !h) return [0, 0, 0, 0];
  return [box[0] / w, box[1] / h, box[2] / w, box[3] / h];
}
