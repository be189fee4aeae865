// When and where a lesson is held: its day (weekly) or date (once), room, start and end in the
// site's time, and its grace minutes. One set of fields for adding a schedule and for a new
// version of one, so both forms ask the same questions with the same labels and server fields.
import { DateField, Field, SiteTimeRange } from './ui.js';

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The slot as the form holds it: the inputs' strings. */
export interface LessonSlot {
  weekday: string;
  date: string;
  roomId: string;
  startTime: string;
  endTime: string;
  grace: string;
}

export interface LessonSlotFieldsProps {
  weekly: boolean;
  value: LessonSlot;
  onChange: (next: LessonSlot) => void;
  rooms: readonly { id: string; name: string }[];
  errors: Readonly<Record<string, string>>;
  /** Prefix of the fields' test ids: `${testId}-date`, `-room`, `-start`, `-end`, `-grace`. */
  testId: string;
}

export function LessonSlotFields(p: LessonSlotFieldsProps) {
  const v = p.value;
  const set =
    (key: keyof LessonSlot) =>
    (value: string): void =>
      p.onChange({ ...v, [key]: value });
  return (
    <>
      {p.weekly ? (
        <Field label="Day" error={p.errors.weekday}>
          {(fp) => (
            <select {...fp} value={v.weekday} onChange={(e) => set('weekday')(e.target.value)}>
              {WEEKDAYS.map((d, i) => (
                <option key={d} value={i}>
                  {d}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <DateField
          label="Date"
          error={p.errors.date ?? p.errors.weekday}
          value={v.date}
          onChange={set('date')}
          testId={`${p.testId}-date`}
        />
      )}
      <Field label="Room" error={p.errors.roomId}>
        {(fp) => (
          <select
            {...fp}
            value={v.roomId}
            onChange={(e) => set('roomId')(e.target.value)}
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
        start={v.startTime}
        end={v.endTime}
        onStart={set('startTime')}
        onEnd={set('endTime')}
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
            value={v.grace}
            onChange={(e) => set('grace')(e.target.value)}
            data-testid={`${p.testId}-grace`}
          />
        )}
      </Field>
    </>
  );
}
