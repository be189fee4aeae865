// Pure functions that turn kiosk state into what the screens say. Kept apart from React so
// the wording (which matters at the door) is unit-tested.
import type { z } from 'zod';
import type { ActiveSession, Greeting, SyncStatus } from '../../contracts/kiosk-api';

export type Tone = 'good' | 'warn' | 'info' | 'bad' | 'neutral';

export interface GreetingView {
  /** Small line above the name ("Welcome"), or null. */
  salutation: string | null;
  /** The name, or what happened when there is no name. */
  headline: string;
  status: string;
  detail: string | null;
  tone: Tone;
}

type GreetingT = z.infer<typeof Greeting>;

const hhmm = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '--:--' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
};

/** How long a greeting stays on screen; long enough to read while walking through the door. */
export const GREETING_VISIBLE_MS = 8_000;

/**
 * The core's own message repeats what the screen already says in bigger type, so the small
 * detail line carries what is NOT said yet: which class got the mark and when.
 */
export function greetingView(g: GreetingT, className: string | null = null): GreetingView {
  const name = g.name ?? 'Student';
  const at = hhmm(g.at);
  const marked = className ? `${className} · ${at}` : at;
  switch (g.kind) {
    case 'present':
      return { salutation: 'Welcome', headline: name, status: 'Marked present', detail: marked, tone: 'good' };
    case 'late':
      return { salutation: 'Hello', headline: name, status: 'Marked late', detail: marked, tone: 'warn' };
    case 'already_marked':
      return { salutation: 'Hi again', headline: name, status: 'Already marked', detail: className ? `You are on today's ${className} list` : null, tone: 'info' };
    case 'not_enrolled':
      return { salutation: 'Hello', headline: name, status: "Not on this class's list — please see your teacher", detail: 'Your teacher will see this at the office', tone: 'warn' };
    case 'unknown':
      return { salutation: null, headline: 'Not recognised', status: 'Please see your teacher', detail: 'Nothing was recorded', tone: 'bad' };
    case 'no_session':
      return { salutation: 'Hello', headline: g.name ?? 'there', status: 'No class now — nothing recorded', detail: null, tone: 'neutral' };
  }
}

export function isGreetingFresh(g: GreetingT | null, nowMs: number): g is GreetingT {
  if (!g) return false;
  const at = Date.parse(g.at);
  // A greeting with an unreadable time is shown rather than silently dropped.
  return Number.isNaN(at) || nowMs - at < GREETING_VISIBLE_MS;
}

export function sessionLine(session: z.infer<typeof ActiveSession> | null, nowMs: number, noClassToday = false): { title: string; detail: string } {
  if (!session && noClassToday) return { title: 'No class today', detail: 'Attendance is not being taken today' };
  if (!session) return { title: 'No class now', detail: 'Attendance is not being taken' };
  const minutesLeft = Math.max(0, Math.ceil((Date.parse(session.endsAt) - nowMs) / 60_000));
  const left = minutesLeft >= 60 ? `${Math.floor(minutesLeft / 60)} h ${minutesLeft % 60} min left` : `${minutesLeft} min left`;
  const lateAt = Date.parse(session.lateAfter);
  const lateNote = nowMs < lateAt ? `on time until ${hhmm(session.lateAfter)}` : 'arrivals now count as late';
  return { title: session.className, detail: `${hhmm(session.startsAt)}–${hhmm(session.endsAt)} · ${left} · ${lateNote}` };
}

export function syncBadge(sync: z.infer<typeof SyncStatus>): { text: string; tone: Tone } | null {
  const waiting = sync.queueDepth + sync.templateQueueDepth;
  const marks = `${waiting} ${waiting === 1 ? 'mark' : 'marks'} waiting`;
  if (!sync.paired) return { text: `Not paired${waiting ? ` · ${marks}` : ''}`, tone: 'warn' };
  if (!sync.online) return { text: `Offline · ${marks}`, tone: 'bad' };
  if (waiting > 0) return { text: `Uploading · ${marks}`, tone: 'info' };
  return null;
}

const HINTS: Record<string, string> = {
  too_small: 'Move closer',
  move_closer: 'Move closer',
  pose: 'Face the camera',
  face_camera: 'Face the camera',
  blur: 'Hold still',
  hold_still: 'Hold still',
  too_dark: 'Too dark — find more light',
  spoof: 'Real faces only',
  not_live: 'Real faces only',
  no_face: 'Step in front of the camera',
  multiple_faces: 'One person at a time',
};

/** Core hints may be gate codes or sentences; codes get a friendly phrase. */
export function hintText(hint: string | null): string | null {
  if (!hint) return null;
  return HINTS[hint] ?? hint;
}

export function formatScore(x: number | undefined): string {
  return x === undefined ? '–' : x.toFixed(2);
}

export function lockoutText(lockedUntil: string, nowMs: number): string {
  const secs = Math.max(0, Math.ceil((Date.parse(lockedUntil) - nowMs) / 1000));
  if (secs === 0) return 'You can try again now.';
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return `Too many wrong PINs. Try again in ${m > 0 ? `${m} min ${s} s` : `${s} s`}.`;
}
