import { z } from 'zod';
import { AttendanceStatus, Uuid } from '../../../src/contracts/sync.js';

export const SessionParams = z.object({ sessionId: z.string().min(3).max(200) });

export const SessionStudentRow = z.object({
  studentId: z.string(),
  studentNumber: z.string(),
  name: z.string(),
  status: AttendanceStatus,
  /** How many events arrived for this student in this session (marks, repeats, corrections). */
  eventsCount: z.number().int(),
  /** When the deciding event happened (null for absent). */
  markedAt: z.string().nullable(),
  /** What decided: the kiosk's automatic mark, a manual correction, or nothing (absent). */
  decidedBy: z.enum(['mark', 'manual', 'none']),
  /** The deciding event (what an undo refers to); null for absent. */
  eventId: z.string().nullable(),
  /** The kiosk's match similarity for an automatic mark; null otherwise. */
  similarity: z.number().nullable(),
  /** Who made a manual correction: the user's email, or `device:<id>` for one a kiosk pushed; null for marks. */
  actor: z.string().nullable(),
  /** That user's name as it is now (the console shows it; the email when no user has it any more), or `<kiosk name> (kiosk)`. */
  actorName: z.string().nullable(),
  reason: z.string().nullable(),
});

export const SessionReport = z.object({
  sessionId: z.string(),
  scheduleId: z.string(),
  date: z.string(),
  class: z.object({ id: z.string(), name: z.string() }),
  roomId: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  graceMinutes: z.number().int(),
  /** Cancelled (calendar): marks taken before the cancellation are kept and shown. */
  cancelled: z.boolean(),
  students: z.array(SessionStudentRow),
  counts: z.object({
    present: z.number().int(),
    late: z.number().int(),
    absent: z.number().int(),
    excused: z.number().int(),
  }),
  /**
   * Students of the site seen at the door in this session who are not on its class list
   * (exceptions and stray marks), so the teacher can have an admin fix the list: who, and when
   * last seen. Names as a teacher in the room would see them; nothing more about them.
   */
  notEnrolled: z.array(
    z.object({
      studentId: z.string(),
      studentNumber: z.string(),
      name: z.string(),
      eventsCount: z.number().int(),
      lastSeenAt: z.string(),
    }),
  ),
});
export type SessionReport = z.infer<typeof SessionReport>;

export const CorrectionRequest = z.discriminatedUnion('kind', [
  z.object({
    /** Optional client-made id: a retried correction is then recorded once. */
    id: Uuid.optional(),
    kind: z.literal('manual'),
    sessionId: z.string().min(3).max(200),
    studentId: z.string().min(1),
    status: AttendanceStatus,
    reason: z.string().trim().min(1).max(500),
  }),
  z.object({
    id: Uuid.optional(),
    kind: z.literal('undo'),
    sessionId: z.string().min(3).max(200),
    studentId: z.string().min(1),
    refId: Uuid,
    reason: z.string().trim().min(1).max(500),
  }),
]);
export type CorrectionRequest = z.infer<typeof CorrectionRequest>;
export const CorrectionResponse = z.object({
  id: z.string(),
  status: z.enum(['accepted', 'duplicate']),
  sessionStatus: AttendanceStatus,
});
