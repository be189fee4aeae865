// When and where a lesson is held: its day (weekly) or date (once), room, start and end in the
// site's time, and its grace minutes. One set of fields for adding a schedule and for a new
// version of one, so both forms ask the same questions with the same labels and server fields.
import { Field, SiteTimeRange } from './ui.js';

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface LessonSlotFieldsProps {
  weekly: boolean;
  weekday: string;
  onWeekday: (value: string) => void;
  date: string;
  onDate: (value: string) => void;
  roomId: string;
  onRoom: (value: string) => void;
  rooms: readonly { id: string; name: string }[];
  startTime: string;
  onStart: (value: string) => void;
  endTime: string;
  onEnd: (value: string) => void;
  grace: string;
  onGrace: (value: string) => void;
  errors: Readonly<Record<string, string>>;
  /** Prefix of the fields' test ids: `${testId}-date`, `-room`, `-start`, `-end`, `-grace`. */
  testId: string;
}

export function LessonSlotFields(p: LessonSlotFieldsProps) {
  return (
    <>
      {p.weekly ? (
        <Field label="Day" error={p.errors.weekday}>
          {(fp) => (
            <select {...fp} value={p.weekday} onChange={(e) => p.onWeekday(e.target.value)}>
              {WEEKDAYS.map((d, i) => (
                <option key={d} value={i}>
                  {d}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Field label="Date" error={p.errors.date ?? p.errors.weekday}>
          {(fp) => (
            <input
              {...fp}
              type="date"
              value={p.date}
              onChange={(e) => p.onDate(e.target.value)}
              data-testid={`${p.testId}-date`}
            />
          )}
        </Field>
      )}
      <Field label="Room" error={p.errors.roomId}>
        {(fp) => (
          <select
            {...fp}
            value={p.roomId}
            onChange={(e) => p.onRoom(e.target.value)}
            data-testid={`${p.testId}-room`}
          >
            {p.rooms.length === 0 && <option value="">No room at this site yet</option>}
            {p.rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <SiteTimeRange
        start={p.startTime}
        end={p.endTime}
        onStart={p.onStart}
        onEnd={p.onEnd}
        errors={p.errors}
        testId={p.testId}
      />
      <Field label="Grace (minutes late still present)" error={p.errors.graceMinutes}>
        {(fp) => (
          <input
            {...fp}
            type="number"
            min={0}
            max={240}
            value={p.grace}
            onChange={(e) => p.onGrace(e.target.value)}
            data-testid={`${p.testId}-grace`}
          />
        )}
      </Field>
    </>
  );
}
