// Cancel or move ONE session (admins), from its card on the Today page: the server's calendar
// rules decide (a cancelled session keeps its marks and is nobody's absence; a moved one keeps
// its id and may not land on a day off). Forms check the server's Cancel / Move schemas first
// and show the server's refusals beside the field they are about.
import { useState } from 'react';
import type { z } from 'zod';
import { Cancel, Move } from '../../../src/schemas/calendar.js';
import type { DaySession } from '../../../src/schemas/console.js';
import type { Room } from '../../../src/schemas/people.js';
import { api, apiAll } from '../api.js';
import { useSubmit } from '../forms.js';
import { longDate } from '../format.js';
import { DateField, Field, FormError, Loaded, SiteTimeRange, useQuery } from '../ui.js';

type RoomT = z.infer<typeof Room>;
export type ChangeMode = 'cancel' | 'move';

const sessionPath = (s: DaySession, action: string) =>
  `/api/sessions/${encodeURIComponent(s.sessionId)}/${action}`;

export const describeSession = (s: DaySession) =>
  `${s.class.name}, ${longDate(s.date)} ${s.startTime}–${s.endTime}`;

/** The admin's buttons under a session card: cancel or move it, or undo the change it has. */
export function SessionActions({
  session,
  onOpen,
  onUndone,
}: {
  session: DaySession;
  onOpen(mode: ChangeMode): void;
  onUndone(message: string): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const undo = () => {
    setError(null);
    api('DELETE', sessionPath(session, 'change')).then(
      () => onUndone(`${describeSession(session)}: back to its timetable.`),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };
  const changed = session.cancelled || session.moved;
  return (
    <div className="session-actions" data-testid="session-actions">
      {changed ? (
        <button
          type="button"
          onClick={undo}
          aria-label={`${session.cancelled ? 'Undo cancellation' : 'Undo move'} of ${describeSession(session)}`}
          data-testid="session-undo"
        >
          {session.cancelled ? 'Undo cancellation' : 'Undo move'}
        </button>
      ) : (
        <>
          <button
            type="button"
            onClick={() => onOpen('cancel')}
            aria-label={`Cancel lesson ${describeSession(session)}`}
            data-testid="session-cancel"
          >
            Cancel lesson
          </button>
          <button
            type="button"
            onClick={() => onOpen('move')}
            aria-label={`Move ${describeSession(session)}`}
            data-testid="session-move"
          >
            Move
          </button>
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The form of one change, shown under the session list. */
export function SessionChangeForm({
  session,
  mode,
  onDone,
  onClose,
}: {
  session: DaySession;
  mode: ChangeMode;
  onDone(message: string): void;
  onClose(): void;
}) {
  const rooms = useQuery(() => apiAll<RoomT>('/api/rooms'), []);
  const [reason, setReason] = useState('');
  const [toDate, setToDate] = useState(session.date);
  const [startTime, setStart] = useState(session.startTime);
  const [endTime, setEnd] = useState(session.endTime);
  const [roomId, setRoom] = useState(session.room.id);
  const f = useSubmit();
  const title = `${mode === 'cancel' ? 'Cancel' : 'Move'} ${describeSession(session)}`;

  const submit = () => {
    const why = reason.trim() === '' ? {} : { reason };
    if (mode === 'cancel') {
      void f
        .run(Cancel, why, (v) => api('POST', sessionPath(session, 'cancel'), { body: v }))
        .then((r) => r && onDone(`${describeSession(session)} is cancelled.`));
      return;
    }
    // Only what changed is sent: the rest stays as the timetable says.
    const move = {
      ...(toDate !== session.date ? { toDate } : {}),
      ...(startTime !== session.startTime ? { startTime } : {}),
      ...(endTime !== session.endTime ? { endTime } : {}),
      ...(roomId !== session.room.id ? { roomId } : {}),
      ...why,
    };
    if (Object.keys(move).every((k) => k === 'reason')) {
      f.setErrors({ toDate: 'Change the date, the time or the room' });
      return;
    }
    void f
      .run(Move, move, (v) => api('POST', sessionPath(session, 'move'), { body: v }))
      .then((r) => r && onDone(`${describeSession(session)} is moved.`));
  };

  return (
    <form
      className="card"
      noValidate
      aria-labelledby="session-change-title"
      data-testid="session-change-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2 id="session-change-title">{title}</h2>
      <p className="muted">
        {mode === 'cancel'
          ? 'Kiosks stop taking attendance for it at their next sync. Marks already taken are kept; nobody is absent from a cancelled lesson and no absence email is sent.'
          : 'The lesson keeps its place in the reports. Kiosks learn the new date, time or room at their next sync. Times are the site’s.'}
      </p>
      <FormError errors={f.errors} />
      <div className="form-grid">
        {mode === 'move' && (
          <>
            <DateField
              label="New date"
              error={f.errors.toDate}
              value={toDate}
              onChange={setToDate}
              testId="move-date"
            />
            <SiteTimeRange
              start={startTime}
              end={endTime}
              onStart={setStart}
              onEnd={setEnd}
              errors={f.errors}
              testId="move"
            />
            <Loaded q={rooms}>
              {(list) => (
                <Field label="Room" error={f.errors.roomId}>
                  {(p) => (
                    <select
                      {...p}
                      value={roomId}
                      onChange={(e) => setRoom(e.target.value)}
                      data-testid="move-room"
                    >
                      {list.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              )}
            </Loaded>
          </>
        )}
        <Field
          label="Reason (optional)"
          error={f.errors.reason}
          hint="Shown on the calendar and in the audit log."
        >
          {(p) => (
            <input
              {...p}
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
              data-testid="change-reason"
            />
          )}
        </Field>
      </div>
      <div className="inline-form__actions">
        <button
          type="submit"
          className={mode === 'cancel' ? 'danger' : 'primary'}
          disabled={f.busy}
          data-testid="change-save"
        >
          {mode === 'cancel' ? 'Cancel this lesson' : 'Move this lesson'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
