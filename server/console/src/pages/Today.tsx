// Today: the signed-in teacher's sessions of the day (admins: every class), and for the
// chosen one (the current session by default) a live list that the server pushes after each
// kiosk upload or correction. Corrections and undos are events with the user's name; the
// derived status comes back from the server, nothing is decided here.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SessionReport } from '../../../src/schemas/attendance.js';
import { CorrectionRequest } from '../../../src/schemas/attendance.js';
import { NEXT_LESSON_DAYS, type DaySession, type DaySessions } from '../../../src/schemas/console.js';
import { api, apiAll, currentUser } from '../api.js';
import { defaultCorrection } from '../correction-default.js';
import { downloadCsv } from '../csv.js';
import { useSubmit } from '../forms.js';
import { addDays } from '../../../../src/contracts/site-time.js';
import { dayTitle } from '../day-title.js';
import { longDate, score, siteDateOf, timeIn } from '../format.js';
import { liveBadge } from '../live-badge.js';
import { markTime } from '../mark-time.js';
import { href, navigate, type Route } from '../router.js';
import { openLiveStream, type LiveStatus } from '../sse.js';
import {
  ArchivedBadge,
  DateField,
  Empty,
  ErrorBox,
  Field,
  FormError,
  FormOk,
  Loaded,
  Loading,
  Page,
  STATUS_LABEL,
  StatusBadge,
  useQuery,
} from '../ui.js';

import { SessionActions, SessionChangeForm, type ChangeMode } from './session-changes.js';
import { studentHistoryPath } from './StudentHistory.js';

type Row = SessionReport['students'][number];
const STATUSES = ['present', 'late', 'absent', 'excused'] as const;

/** The row's status as the page shows it: a student with no event yet is "not yet seen" until the session ends. */
export function shownStatus(row: Row, session: Pick<DaySession, 'state'>): string {
  if (row.decidedBy === 'none' && session.state !== 'over') return 'unseen';
  return row.status;
}

const GROUPS = [
  { key: 'present', label: 'Present' },
  { key: 'late', label: 'Late' },
  { key: 'unseen', label: 'Not yet seen' },
  { key: 'absent', label: 'Absent' },
  { key: 'excused', label: 'Excused' },
] as const;

function useLiveReport(sessionId: string) {
  const [report, setReport] = useState<SessionReport | null>(null);
  const [status, setStatus] = useState<{ s: LiveStatus; detail?: string | undefined }>({ s: 'connecting' });
  useEffect(() => {
    setReport(null);
    return openLiveStream(`/api/sessions/${encodeURIComponent(sessionId)}/live`, {
      onEvent(e) {
        if (e.event === 'report') setReport(JSON.parse(e.data) as SessionReport);
      },
      onStatus(s, detail) {
        setStatus({ s, detail });
      },
    });
  }, [sessionId]);
  return { report, status: status.s, detail: status.detail, setReport };
}

/**
 * The students of a class the door cannot recognise: no face template of the model the kiosks
 * run (no photo yet, or no consent to face recognition, so none may be kept). Without this a
 * teacher waits for a mark that cannot come. `consent` says which of the two it is. A failed
 * look-up only leaves the notes out: the list itself does not depend on it.
 */
function useDoorCannotRecognise(classId: string): Map<string, { consent: boolean }> {
  const [found, setFound] = useState(new Map<string, { consent: boolean }>());
  useEffect(() => {
    let live = true;
    void (async () => {
      const { modelId } = await api<{ modelId: string }>('GET', '/api/face-models/current');
      const rows = await apiAll<{ id: string; consent: boolean }>('/api/students', {
        classId,
        withoutTemplatesFor: modelId,
      });
      if (live) setFound(new Map(rows.map((r) => [r.id, { consent: r.consent }])));
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [classId]);
  return found;
}

/** Under a student's name: why the door will not mark them. */
function DoorNote({ consent }: { consent: boolean }) {
  return (
    <span className="row-note" data-testid="door-cannot-recognise">
      {consent
        ? 'No face photo yet: the door cannot recognise them.'
        : 'No consent to face recognition: the door cannot recognise them.'}
    </span>
  );
}

function CorrectionForm({
  session,
  row,
  mode,
  onDone,
}: {
  session: DaySession;
  row: Row;
  mode: 'correct' | 'undo';
  onDone(): void;
}) {
  const [status, setStatus] = useState<string>(defaultCorrection(shownStatus(row, session)));
  const [reason, setReason] = useState(mode === 'undo' ? 'Correction undone' : '');
  const f = useSubmit();
  // Opened from the row's button: the keyboard goes on in the form (else focus falls to <body>).
  const first = useRef<HTMLSelectElement & HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = () => {
    const body =
      mode === 'undo'
        ? {
            kind: 'undo',
            sessionId: session.sessionId,
            studentId: row.studentId,
            refId: row.eventId ?? '',
            reason,
          }
        : { kind: 'manual', sessionId: session.sessionId, studentId: row.studentId, status, reason };
    void f
      .run(CorrectionRequest, body, (v) =>
        api('POST', '/api/attendance/corrections', { body: { ...v, id: crypto.randomUUID() } }),
      )
      .then((r) => {
        if (r) onDone();
      });
  };
  return (
    <form
      className="inline-form"
      noValidate
      aria-label={mode === 'undo' ? `Undo the correction of ${row.name}` : `Correct ${row.name}`}
      data-testid="correction-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <FormError errors={f.errors} />
      {mode === 'correct' && (
        <Field label="New status" error={f.errors.status}>
          {(p) => (
            <select
              {...p}
              ref={first}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
              data-testid="correction-status"
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s[0]?.toUpperCase() + s.slice(1)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Reason" error={f.errors.reason} hint="Kept in the audit trail with your name.">
        {(p) => (
          <input
            {...p}
            ref={mode === 'undo' ? first : undefined}
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
            data-testid="correction-reason"
          />
        )}
      </Field>
      <div className="inline-form__actions">
        <button type="submit" className="primary" disabled={f.busy} data-testid="correction-save">
          {mode === 'undo' ? 'Undo correction' : 'Save correction'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The manual correction's status and reason, as the server checks them, for several students at once. */
const BulkCorrection = CorrectionRequest.options[0].pick({ status: true, reason: true });

/**
 * One status and one reason for the students ticked in the list (a door that was down, a class
 * on a trip): one correction per student, each with the teacher's name in the audit trail, sent
 * one after another. If one is refused the others stay saved, and the message says how many.
 */
function BulkForm({
  session,
  selected,
  names,
  onSaved,
  onClose,
}: {
  session: DaySession;
  selected: readonly string[];
  names: ReadonlyMap<string, string>;
  onSaved(studentIds: readonly string[]): void;
  onClose(): void;
}) {
  const [status, setStatus] = useState<string>('present');
  const [reason, setReason] = useState('');
  const f = useSubmit();
  const n = selected.length;
  return (
    <form
      className="card bulk"
      noValidate
      aria-labelledby="bulk-title"
      data-testid="bulk-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (n === 0) {
          f.setErrors({ _form: 'Tick the students to correct in the list first.' });
          return;
        }
        void f.run(BulkCorrection, { status, reason }, async (v) => {
          const saved: string[] = [];
          try {
            for (const studentId of selected) {
              await api('POST', '/api/attendance/corrections', {
                body: {
                  kind: 'manual',
                  sessionId: session.sessionId,
                  studentId,
                  ...v,
                  id: crypto.randomUUID(),
                },
              });
              saved.push(studentId);
            }
          } catch (err) {
            const failed = selected[saved.length] ?? '';
            onSaved(saved);
            throw new Error(
              `Saved for ${saved.length} of ${n}; not for ${names.get(failed) ?? 'a student'} and any after: ${
                err instanceof Error ? err.message : String(err)
              }`,
            );
          }
          onSaved(saved);
          f.setDone(`Saved for ${n} ${n === 1 ? 'student' : 'students'}.`);
        });
      }}
    >
      <h3 id="bulk-title">Correct several students</h3>
      <p className="muted small">
        Tick them in the list below ({n} ticked), then choose the new status and one reason for all of them.
      </p>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      <div className="form-grid">
        <Field label="New status" error={f.errors.status}>
          {(p) => (
            <select
              {...p}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
              data-testid="bulk-status"
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Reason"
          error={f.errors.reason}
          hint="Kept in the audit trail with your name, for each student."
        >
          {(p) => (
            <input
              {...p}
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
              data-testid="bulk-reason"
            />
          )}
        </Field>
      </div>
      <div className="inline-form__actions">
        <button type="submit" className="primary" disabled={f.busy} data-testid="bulk-save">
          {f.busy ? 'Saving…' : `Save for ${n} ${n === 1 ? 'student' : 'students'}`}
        </button>
        <button type="button" onClick={onClose} data-testid="bulk-close">
          Done
        </button>
      </div>
    </form>
  );
}

function LiveList({ session }: { session: DaySession }) {
  const live = useLiveReport(session.sessionId);
  const [editing, setEditing] = useState<{ id: string; mode: 'correct' | 'undo' } | null>(null);
  // When a form closes, focus goes back to that student's Correct button (the row may have moved).
  const [focusBack, setFocusBack] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focusBack === null || editing !== null) return;
    section.current
      ?.querySelector<HTMLButtonElement>(
        `[data-student-id="${CSS.escape(focusBack)}"] [data-testid="correct"]`,
      )
      ?.focus();
    setFocusBack(null);
  }, [focusBack, editing]);
  const report = live.report;
  const noFace = useDoorCannotRecognise(session.class.id);
  // Correcting several at once: the list shows a tick box per student instead of its buttons.
  const [bulk, setBulk] = useState(false);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const tick = (id: string, on: boolean) =>
    setTicked((t) => {
      const next = new Set(t);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const rows = useMemo(() => {
    if (!report) return [];
    const order = new Map<string, number>(GROUPS.map((g, i) => [g.key, i]));
    return [...report.students].sort(
      (a, b) =>
        (order.get(shownStatus(a, session)) ?? 9) - (order.get(shownStatus(b, session)) ?? 9) ||
        a.name.localeCompare(b.name),
    );
  }, [report, session]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const r of rows) c[shownStatus(r, session)] = (c[shownStatus(r, session)] ?? 0) + 1;
    return c;
  }, [rows, session]);
  const tz = session.timezone;
  // Re-drawn each half minute so the badge stops saying Live when the lesson ends on screen.
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const badge = liveBadge(live.status, live.detail, session, now);
  // The door's match score (cosine similarity, e.g. 0.80) means nothing to a teacher and is no
  // percentage ("match 80%" would mislead: 0.55 is a sure match): the CSV keeps it for IT, the
  // table on screen leaves it out.
  const header = ['student_number', 'name', 'status', 'time', 'score', 'by', 'reason'];
  const csvRows = rows.map((r) => [
    r.studentNumber,
    r.name,
    STATUS_LABEL[shownStatus(r, session)] ?? shownStatus(r, session),
    markTime(r, session.date, tz),
    score(r.similarity),
    r.decidedBy === 'manual' ? (r.actorName ?? r.actor ?? '') : r.decidedBy === 'mark' ? 'kiosk' : '',
    r.reason ?? '',
  ]);

  return (
    <section
      ref={section}
      className="live"
      aria-labelledby="live-title"
      data-testid="live-list"
      data-live={live.status}
    >
      <header className="live__header">
        <h2 id="live-title">
          {session.class.name}, {session.startTime}–{session.endTime} in {session.room.name}
        </h2>
        <span className={`live-badge live-badge--${badge.tone}`} role="status" data-testid="live-status">
          {badge.label}
        </span>
        <button
          type="button"
          disabled={!report}
          onClick={() =>
            downloadCsv(`${session.class.name}-${session.date}-${session.startTime}.csv`, header, csvRows)
          }
          data-testid="today-csv"
        >
          Download CSV
        </button>
      </header>
      {!report && live.status === 'stopped' && (
        <ErrorBox title="The live list stopped." error={live.detail ?? 'Reload the page to try again.'} />
      )}
      {!report && live.status !== 'stopped' && <Loading label="Loading the class list…" />}
      {report && report.students.length === 0 && <Empty>No students are enrolled in this class yet.</Empty>}
      {session.archived && (
        <p className="muted" data-testid="live-archived">
          This class is archived, so its attendance is read-only. An admin can unarchive it to correct marks.
        </p>
      )}
      {report && report.students.length > 0 && (
        <>
          <ul className="counts" aria-label="Counts">
            {GROUPS.map((g) => (
              <li key={g.key} data-testid={`count-${g.key}`}>
                <StatusBadge status={g.key} /> {counts[g.key] ?? 0}
              </li>
            ))}
          </ul>
          {!session.archived && !bulk && (
            <button type="button" onClick={() => setBulk(true)} data-testid="bulk-open">
              Correct several…
            </button>
          )}
          {!session.archived && bulk && (
            <>
              <div className="bulk-pick" role="group" aria-label="Tick at once">
                {(['unseen', 'absent'] as const)
                  .filter((k) => (counts[k] ?? 0) > 0)
                  .map((k) => (
                    <button
                      key={k}
                      type="button"
                      onClick={() =>
                        setTicked(
                          new Set(rows.filter((r) => shownStatus(r, session) === k).map((r) => r.studentId)),
                        )
                      }
                      data-testid={`bulk-tick-${k}`}
                    >
                      Tick everyone {STATUS_LABEL[k]?.toLowerCase()} ({counts[k]})
                    </button>
                  ))}
                <button type="button" onClick={() => setTicked(new Set())} data-testid="bulk-untick">
                  Untick all
                </button>
              </div>
              <BulkForm
                session={session}
                selected={rows.filter((r) => ticked.has(r.studentId)).map((r) => r.studentId)}
                names={new Map(rows.map((r) => [r.studentId, r.name]))}
                onSaved={(ids) => setTicked((t) => new Set([...t].filter((id) => !ids.includes(id))))}
                onClose={() => {
                  setBulk(false);
                  setTicked(new Set());
                }}
              />
            </>
          )}
          <div className="table-wrap">
            <table className="table" data-testid="today-table">
              <caption className="sr-only">Students of this session, by status; times in {tz}</caption>
              <thead>
                <tr>
                  {['Number', 'Name', 'Status', 'Time', 'By', 'Reason'].map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => {
                  const cells = csvRows[i] ?? [];
                  const open = editing?.id === r.studentId ? editing : null;
                  return (
                    <tr
                      key={r.studentId}
                      data-testid="today-row"
                      data-student={r.name}
                      data-student-id={r.studentId}
                      data-status={shownStatus(r, session)}
                    >
                      <td>{cells[0]}</td>
                      <th scope="row">
                        <a href={href(studentHistoryPath(r.studentId))} data-testid="student-history-link">
                          {cells[1]}
                        </a>
                        {r.decidedBy !== 'mark' && noFace.has(r.studentId) && (
                          <DoorNote consent={noFace.get(r.studentId)?.consent ?? true} />
                        )}
                      </th>
                      <td>
                        <StatusBadge status={shownStatus(r, session)} />
                      </td>
                      <td>{cells[3]}</td>
                      {/* cells[4], the door's match score, is for the CSV only (below). */}
                      <td>{cells[5]}</td>
                      <td>{cells[6]}</td>
                      <td className="actions">
                        {session.archived ? null : bulk ? (
                          <label className="bulk-tick">
                            <input
                              type="checkbox"
                              checked={ticked.has(r.studentId)}
                              onChange={(e) => tick(r.studentId, e.target.checked)}
                              data-testid="bulk-tick"
                            />{' '}
                            Tick<span className="sr-only"> {r.name}</span>
                          </label>
                        ) : open ? (
                          <CorrectionForm
                            session={session}
                            row={r}
                            mode={open.mode}
                            onDone={() => {
                              setEditing(null);
                              setFocusBack(r.studentId);
                            }}
                          />
                        ) : (
                          <>
                            <button
                              type="button"
                              onClick={() => setEditing({ id: r.studentId, mode: 'correct' })}
                              aria-label={`Correct ${r.name}`}
                              data-testid="correct"
                            >
                              Correct
                            </button>
                            {r.decidedBy === 'manual' && r.eventId && (
                              <button
                                type="button"
                                onClick={() => setEditing({ id: r.studentId, mode: 'undo' })}
                                aria-label={`Undo the correction of ${r.name}`}
                                data-testid="undo"
                              >
                                Undo
                              </button>
                            )}
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            Times in {tz}. The CSV also gives each door mark’s face-match score (a similarity, not a
            percentage), for IT.
            {rows.some((r) => noFace.has(r.studentId)) &&
              ' A student the door cannot recognise is marked only by hand; an admin adds their photos (and a consent) on the student’s page.'}
          </p>
        </>
      )}
      {report && report.notEnrolled.length > 0 && <SeenNotOnList seen={report.notEnrolled} timeZone={tz} />}
    </section>
  );
}

/**
 * Students the kiosk recognised at this session's door who are not on its class list: a student
 * who joined the class but was never enrolled shows up here instead of staying "absent".
 */
function SeenNotOnList({ seen, timeZone }: { seen: SessionReport['notEnrolled']; timeZone: string }) {
  return (
    <section className="not-on-list" aria-labelledby="not-on-list-title" data-testid="not-on-list">
      <h3 id="not-on-list-title">Also at the door, not on this class list</h3>
      <ul>
        {seen.map((s) => (
          <li key={s.studentId} data-testid="not-on-list-row" data-student={s.name}>
            {s.name} ({s.studentNumber}), {s.eventsCount > 1 ? 'last seen' : 'seen'} at{' '}
            {timeIn(s.lastSeenAt, timeZone)}
          </li>
        ))}
      </ul>
      <p className="muted small">
        They are not marked for this class. If they belong in it, an admin adds them to the class list, and
        the door marks them from then on.
      </p>
    </section>
  );
}

/**
 * What an empty day says: by role (a teacher sees their own classes, an admin the whole school,
 * so "your classes" would be wrong for an admin, who usually teaches none), where lessons come
 * from when there are none at all, and the next day that has some.
 */
function NoLessons({ day, data, isAdmin }: { day: string; data: DaySessions; isAdmin: boolean }) {
  const when = day ? `on ${longDate(day)}` : 'today';
  if (!data.hasClasses)
    return (
      <div className="state state--empty" data-state="empty" data-testid="no-lessons">
        {isAdmin ? (
          <p>
            This school has no classes yet, so there are no lessons to show. Lessons come from each
            class&apos;s timetable: add a class and its lessons on the <a href={href('/classes')}>Classes</a>{' '}
            page.
          </p>
        ) : (
          <p>
            You have no classes yet, so there are no lessons to show. An admin makes you the teacher of your
            classes.
          </p>
        )}
      </div>
    );
  return (
    <div className="state state--empty" data-state="empty" data-testid="no-lessons">
      <p>{isAdmin ? `No lessons at this school ${when}.` : `No lessons of your classes ${when}.`}</p>
      {data.closures.length > 0 && (
        <p data-testid="day-closures">
          The school calendar has{' '}
          {data.closures
            .map(
              (c) =>
                `${c.name} (${c.startDate === c.endDate ? longDate(c.startDate) : `${longDate(c.startDate)} to ${longDate(c.endDate)}`})`,
            )
            .join(', ')}
          : no lessons and no attendance that day.
        </p>
      )}
      {data.closures.length === 0 && data.outsideTerms && (
        <p data-testid="day-outside-terms">
          This day is outside the school&apos;s terms: no lessons and no attendance.
        </p>
      )}
      {data.nextDate ? (
        <p>
          Next lessons:{' '}
          <a href={href('/today', { date: data.nextDate })} data-testid="next-lessons">
            {longDate(data.nextDate)}
          </a>
          .
        </p>
      ) : (
        <p data-testid="no-next-lessons">
          None in the next {Math.floor(NEXT_LESSON_DAYS / 7)} weeks either.{' '}
          {isAdmin ? (
            <>
              Lessons come from each class&apos;s timetable (<a href={href('/classes')}>Classes</a>), on the
              school days of the <a href={href('/calendar')}>Calendar</a> (its terms and closures).
            </>
          ) : (
            <>
              Lessons come from your classes&apos; timetables (<a href={href('/classes')}>Classes</a>) and the
              school calendar an admin keeps.
            </>
          )}
        </p>
      )}
    </div>
  );
}

/**
 * The day being looked at, always on screen: the date box (drawn in the laptop's locale), the
 * same day in words under it, and a step to the day before or after. The day is the one asked
 * for, else the one the server listed (today at the school); the server names it even when no
 * class or lesson exists, so the box is never blank once the page has loaded.
 */
function DayPicker({ chosen, listed, loaded }: { chosen?: string; listed: string | null; loaded: boolean }) {
  const day = chosen ?? listed ?? '';
  const go = (d: string) => navigate('/today', { date: d });
  return (
    <form
      className="filters day-nav"
      aria-label="Day"
      onSubmit={(e) => e.preventDefault()}
      data-testid="day-form"
    >
      <button
        type="button"
        disabled={!day}
        onClick={() => go(addDays(day, -1))}
        aria-label={day ? `Previous day, ${longDate(addDays(day, -1))}` : 'Previous day'}
        data-testid="day-previous"
      >
        ← Previous day
      </button>
      <DateField
        label="Day (site date)"
        value={day}
        // A half-typed date reads as empty: stay on the day shown until it is a whole one.
        onChange={(v) => {
          if (v) go(v);
        }}
        hint={!day && loaded ? "Today at each site: the sites' dates differ right now." : undefined}
        testId="day-picker"
      />
      <button
        type="button"
        disabled={!day}
        onClick={() => go(addDays(day, 1))}
        aria-label={day ? `Next day, ${longDate(addDays(day, 1))}` : 'Next day'}
        data-testid="day-next"
      >
        Next day →
      </button>
      {chosen && (
        <a href={href('/today')} data-testid="day-today">
          Back to today
        </a>
      )}
    </form>
  );
}

export function Today({ route }: { route: Route }) {
  const date = route.params.get('date') ?? undefined;
  const q = useQuery(() => api<DaySessions>('GET', '/api/sessions', { query: { date, limit: 100 } }), [date]);
  const chosenId = route.params.get('session');
  const sessions = q.data?.sessions ?? [];
  const chosen =
    sessions.find((s) => s.sessionId === chosenId) ??
    sessions.find((s) => s.state === 'current' && !s.cancelled) ??
    sessions.find((s) => s.state === 'upcoming' && !s.cancelled) ??
    sessions[0];
  // Today at the school, read in a listed lesson's zone (the day asked for may be today).
  const zone = sessions[0]?.timezone;
  const todayAtSchool = zone ? siteDateOf(new Date().toISOString(), zone) : null;
  const isAdmin = currentUser()?.role === 'admin';
  const [changing, setChanging] = useState<{ session: DaySession; mode: ChangeMode } | null>(null);
  const [changed, setChanged] = useState<string | null>(null);
  const afterChange = (message: string) => {
    setChanging(null);
    setChanged(message);
    q.reload();
  };
  return (
    <Page title={dayTitle(date, todayAtSchool)} testId="today">
      <DayPicker chosen={date} listed={q.data?.date ?? null} loaded={q.data !== null} />
      <FormOk message={changed} />
      <Loaded q={q}>
        {(d) =>
          d.sessions.length === 0 ? (
            <NoLessons day={date ?? d.date ?? ''} data={d} isAdmin={isAdmin} />
          ) : (
            <>
              {d.total > d.sessions.length && (
                <p className="muted">
                  First {d.sessions.length} of {d.total} sessions
                </p>
              )}
              <ul
                className="session-list"
                aria-label={`Sessions on ${longDate(date ?? d.date ?? d.sessions[0]?.date)}`}
              >
                {d.sessions.map((s) => (
                  <li key={s.sessionId}>
                    <a
                      className={`session-card session-card--${s.state}`}
                      href={href('/today', { session: s.sessionId, date })}
                      aria-current={chosen?.sessionId === s.sessionId ? 'true' : undefined}
                      data-testid="session-card"
                    >
                      <span className="session-card__time">
                        {timeIn(s.startsAt, s.timezone)}–{timeIn(s.endsAt, s.timezone)}
                      </span>
                      <span className="session-card__class">{s.class.name}</span>
                      <span className="muted">{s.room.name}</span>
                      <span className={`state-tag state-tag--${s.state}`}>
                        {s.state === 'current' ? 'Now' : s.state === 'upcoming' ? 'Later' : 'Over'}
                      </span>
                      {(s.cancelled || s.moved) && (
                        <span className="state-tag state-tag--changed" data-testid="session-changed">
                          {s.cancelled ? 'Cancelled' : 'Moved'}
                          {s.note ? `: ${s.note}` : ''}
                        </span>
                      )}
                      {s.archived && <ArchivedBadge />}
                    </a>
                    <a className="small" href={href(`/classes/${s.class.id}/history`)}>
                      History of {s.class.name}
                    </a>
                    {isAdmin && !s.archived && (
                      <SessionActions
                        session={s}
                        onOpen={(mode) => {
                          setChanged(null);
                          setChanging({ session: s, mode });
                        }}
                        onUndone={afterChange}
                      />
                    )}
                  </li>
                ))}
              </ul>
              {changing && (
                <SessionChangeForm
                  key={`${changing.session.sessionId}-${changing.mode}`}
                  session={changing.session}
                  mode={changing.mode}
                  onDone={afterChange}
                  onClose={() => setChanging(null)}
                />
              )}
              {chosen && <LiveList key={chosen.sessionId} session={chosen} />}
            </>
          )
        }
      </Loaded>
    </Page>
  );
}
