// Server-only request/response schemas for sites, rooms, students, classes and schedules.
import { z } from 'zod';
import {
  ArrivalMinutes,
  IanaTimeZone,
  IsoDateTime,
  LocalDate,
  LocalTime,
} from '../../../src/contracts/sync.js';
import { Email, Name } from './common.js';

/** Shared with the kiosk, which validates the zone again when the roster brings it. */
export const TimeZone = IanaTimeZone;

export const Site = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  arrivalMinutes: z.number().int(),
});
export const CreateSite = z.object({
  name: Name,
  timezone: TimeZone,
  arrivalMinutes: ArrivalMinutes.optional(),
});
export const UpdateSite = z.object({
  name: Name.optional(),
  timezone: TimeZone.optional(),
  arrivalMinutes: ArrivalMinutes.optional(),
});

export const Room = z.object({ id: z.string(), siteId: z.string(), name: z.string() });
export const CreateRoom = z.object({ name: Name, siteId: z.string().min(1).default('default') });

export const Student = z.object({
  id: z.string(),
  siteId: z.string(),
  studentNumber: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  guardianEmail: z.string().nullable(),
  consent: z.boolean(),
  consentAt: z.string().nullable(),
  templateCount: z.number().int().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Student = z.infer<typeof Student>;
export const StudentNumber = z.string().trim().min(1).max(64);
export const CreateStudent = z.object({
  siteId: z.string().min(1).default('default'),
  studentNumber: StudentNumber,
  name: Name,
  email: Email.nullable().optional(),
  guardianEmail: Email.nullable().optional(),
  consent: z.boolean().default(false),
  /** When consent was given; defaults to now when consent is true. */
  consentAt: IsoDateTime.optional(),
});
export type CreateStudent = z.infer<typeof CreateStudent>;
export const UpdateStudent = z.object({
  studentNumber: StudentNumber.optional(),
  name: Name.optional(),
  email: Email.nullable().optional(),
  guardianEmail: Email.nullable().optional(),
  consent: z.boolean().optional(),
  consentAt: IsoDateTime.optional(),
});
export type UpdateStudent = z.infer<typeof UpdateStudent>;
/** A face engine's model id as templates carry it (e.g. `faceplugin/v1`). */
export const ModelId = z.string().trim().min(1).max(200);
export const StudentListQuery = z.object({
  siteId: z.string().optional(),
  classId: z.string().optional(),
  q: z.string().max(100).optional(),
  /** Only students with no template of this model: who a kiosk running it cannot recognise. */
  withoutTemplatesFor: ModelId.optional(),
  /** [console] Consent given (yes) or not (no). */
  consent: z.enum(['yes', 'no']).optional(),
  /** [console] Has at least one face template of any model (yes) or none (no). */
  enrolled: z.enum(['yes', 'no']).optional(),
  /** [console] With this: only students that have templates, none of this model (enrolled under another one). */
  withTemplatesButNotFor: ModelId.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

export const TemplateCoverageQuery = z.object({
  modelId: ModelId,
  siteId: z.string().optional(),
  classId: z.string().optional(),
});
export const TemplateCoverage = z.object({
  modelId: z.string(),
  students: z.number().int(),
  withTemplates: z.number().int(),
  needReEnrolment: z.number().int(),
  neverEnrolled: z.number().int(),
});

export const Class = z.object({
  id: z.string(),
  siteId: z.string(),
  name: z.string(),
  code: z.string().nullable(),
  teacherId: z.string().nullable(),
  /** This class's arrival window (minutes before start); null: the site's. */
  arrivalMinutes: z.number().int().nullable(),
  /** When an admin archived it (no new sessions; history kept); null: active. */
  archivedAt: z.string().nullable(),
});
export type Class = z.infer<typeof Class>;
export const CreateClass = z.object({
  siteId: z.string().min(1).default('default'),
  name: Name,
  code: z.string().trim().min(1).max(40).nullable().optional(),
  teacherId: z.string().min(1).nullable().optional(),
  arrivalMinutes: ArrivalMinutes.nullable().optional(),
});
export const UpdateClass = z.object({
  name: Name.optional(),
  code: z.string().trim().min(1).max(40).nullable().optional(),
  teacherId: z.string().min(1).nullable().optional(),
  arrivalMinutes: ArrivalMinutes.nullable().optional(),
});
export const EnrolRequest = z.object({
  studentIds: z.array(z.string().min(1)).min(1).max(1000),
  /** First local date on the class list; default: sessions ending after now. A student who left and re-joins keeps their first date. */
  from: LocalDate.optional(),
});
export const Enrolment = z.object({
  id: z.string(),
  classId: z.string(),
  studentId: z.string(),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
});

export const Schedule = z.object({
  id: z.string(),
  classId: z.string(),
  roomId: z.string(),
  weekday: z.number().int().nullable(),
  date: z.string().nullable(),
  startTime: z.string(),
  endTime: z.string(),
  graceMinutes: z.number().int(),
  /** Every version with its valid from/until local dates (inclusive); the fields above are the latest. */
  versions: z
    .array(
      z.object({
        validFrom: z.string().nullable(),
        validUntil: z.string().nullable(),
        roomId: z.string(),
        weekday: z.number().int().nullable(),
        date: z.string().nullable(),
        startTime: z.string(),
        endTime: z.string(),
        graceMinutes: z.number().int(),
      }),
    )
    .optional(),
  /** Last local date of a removed schedule (kept so its past sessions keep resolving). */
  endedOn: z.string().nullable().optional(),
});
export type Schedule = z.infer<typeof Schedule>;
/**
 * A timetable edit: closes the version in force before `effectiveFrom` and opens a new one
 * from it. `effectiveFrom` defaults to the first date none of whose sessions has started
 * (today, or tomorrow once today's has begun) and may not be earlier: the past is kept.
 */
export const UpdateSchedule = z
  .object({
    effectiveFrom: LocalDate.optional(),
    roomId: z.string().min(1).optional(),
    weekday: z.number().int().min(0).max(6).nullable().optional(),
    date: LocalDate.nullable().optional(),
    startTime: LocalTime.optional(),
    endTime: LocalTime.optional(),
    graceMinutes: z.number().int().min(0).max(240).optional(),
  })
  .refine((s) => !(s.weekday != null && s.date != null), {
    message: 'give at most one of weekday and date',
    path: ['weekday'],
  });
export const CreateSchedule = z
  .object({
    roomId: z.string().min(1),
    /** Weekly entry: 0 = Sunday … 6 = Saturday. */
    weekday: z.number().int().min(0).max(6).nullable().optional(),
    /** One-off entry on this local date. */
    date: LocalDate.nullable().optional(),
    startTime: LocalTime,
    endTime: LocalTime,
    graceMinutes: z.number().int().min(0).max(240).default(5),
  })
  .refine((s) => (s.weekday == null) !== (s.date == null), {
    message: 'give exactly one of weekday and date',
    path: ['weekday'],
  })
  .refine((s) => s.startTime < s.endTime, { message: 'must be after startTime', path: ['endTime'] });
