// Editing a timetable entry is versioned on the server: the change applies from a date on (by
// default the first date none of whose sessions has started), the old version stays in force
// before it, so past sessions and reports never change. This form sends only what changed,
// with that date, checked with the server's UpdateSchedule schema; the server's refusals (a
// date in the past, an end before the start) appear beside their field.
import { useState } from 'react';
import type { z } from 'zod';
import type { Room, Schedule } from '../../../src/schemas/people.js';
import { UpdateSchedule } from '../../../src/schemas/people.js';
import { api } from '../api.js';
import { useSubmit } from '../forms.js';
import { longDate } from '../format.js';
import { DateField, FormError } from '../ui.js';
import { LessonSlotFields, WEEKDAYS, type LessonSlot } from '../lesson-slot.js';

type ScheduleT = z.infer<typeof Schedule>;
type RoomT = z.infer<typeof Room>;
type Version = NonNullable<ScheduleT['versions']>[number];

export const whenOf = (v: Pick<Version, 'weekday' | 'date'>) =>
  v.date ? longDate(v.date) : `Every ${WEEKDAYS[v.weekday ?? 0]}`;

/** "from 1 Sep until 4 Oct" of one version (open ends said in words). */
export function validity(v: Pick<Version, 'validFrom' | 'validUntil'>): string {
  const from = v.validFrom ? `from ${longDate(v.validFrom)}` : 'from the start';
  const until = v.validUntil ? ` until ${longDate(v.validUntil)}` : ' on';
  return `${from}${until}`;
}

/** Every version of a schedule, oldest first, for the schedules table. */
export function VersionList({ schedule, rooms }: { schedule: ScheduleT; rooms: RoomT[] }) {
  const versions = schedule.versions ?? [];
  if (versions.length <= 1) return <span className="muted">one version</span>;
  return (
    <ol className="versions" aria-label="Versions">
      {versions.map((v, i) => (
        <li key={i}>
          {validity(v)}: {whenOf(v)} {v.startTime}–{v.endTime},{' '}
          {rooms.find((r) => r.id === v.roomId)?.name ?? v.roomId}, grace {v.graceMinutes} min
        </li>
      ))}
    </ol>
  );
}

export function ScheduleEditForm({
  schedule,
  rooms,
  onDone,
  onClose,
}: {
  schedule: ScheduleT;
  rooms: RoomT[];
  onDone(): void;
  onClose(): void;
}) {
  const [effectiveFrom, setFrom] = useState('');
  const [slot, setSlot] = useState<LessonSlot>({
    weekday: String(schedule.weekday ?? ''),
    date: schedule.date ?? '',
    roomId: schedule.roomId,
    startTime: schedule.startTime,
    endTime: schedule.endTime,
    grace: String(schedule.graceMinutes),
  });
  const { weekday, date, roomId, startTime, endTime, grace } = slot;
  const f = useSubmit();
  const weekly = schedule.date === null;
  const patch = {
    ...(effectiveFrom ? { effectiveFrom } : {}),
    ...(weekly && weekday !== String(schedule.weekday) ? { weekday: Number(weekday) } : {}),
    ...(!weekly && date !== schedule.date ? { date } : {}),
    ...(roomId !== schedule.roomId ? { roomId } : {}),
    ...(startTime !== schedule.startTime ? { startTime } : {}),
    ...(endTime !== schedule.endTime ? { endTime } : {}),
    ...(grace !== String(schedule.graceMinutes) ? { graceMinutes: Number(grace) } : {}),
  };
  return (
    <form
      className="card"
      noValidate
      aria-labelledby="schedule-edit-title"
      data-testid="schedule-edit-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (Object.keys(patch).every((k) => k === 'effectiveFrom')) {
          f.setErrors({ _form: 'Nothing changed: change the day, time, room or grace first.' });
          return;
        }
        void f
          .run(UpdateSchedule, patch, (v) => api('PATCH', `/api/schedules/${schedule.id}`, { body: v }))
          .then((r) => r && onDone());
      }}
    >
      <h3 id="schedule-edit-title">
        Change {whenOf(schedule)} {schedule.startTime}–{schedule.endTime}
      </h3>
      <p className="muted">
        A new version from the date you choose; sessions before it keep the old times, so past reports do not
        change.
      </p>
      <FormError errors={f.errors} />
      <div className="form-grid">
        <DateField
          label="From (first date it applies)"
          error={f.errors.effectiveFrom}
          hint="Empty: the first day none of whose lessons has started."
          value={effectiveFrom}
          onChange={setFrom}
          testId="schedule-edit-from"
        />
        <LessonSlotFields
          weekly={weekly}
          value={slot}
          onChange={setSlot}
          rooms={rooms}
          errors={f.errors}
          testId="schedule-edit"
        />
      </div>
      <div className="inline-form__actions">
        <button type="submit" className="primary" disabled={f.busy} data-testid="schedule-edit-save">
          Save new version
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
