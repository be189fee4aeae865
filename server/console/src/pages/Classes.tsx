// Classes: everyone sees their classes with a link to the history; admins also create and
// edit classes, their schedules (weekly or one-off) and their enrolments, and archive a class
// (never delete it: its sessions and marks stay readable) or bring it back.
import { useState } from 'react';
import type { z } from 'zod';
import type { Class, Room, Schedule, Site, Student } from '../../../src/schemas/people.js';
import { CreateClass, CreateSchedule, EnrolRequest, UpdateClass } from '../../../src/schemas/people.js';
import { IdParams } from '../../../src/schemas/common.js';
import type { User } from '../../../src/schemas/auth.js';
import { api, currentUser, apiAll } from '../api.js';
import { failureErrors, useSubmit } from '../forms.js';
import { dateIn, longDate } from '../format.js';
import { href, type Route } from '../router.js';
import { ArchivedBadge, Confirm, Empty, Field, FormError, FormOk, Loaded, Page, useQuery } from '../ui.js';
import { LessonSlotFields, WEEKDAYS, type LessonSlot } from '../lesson-slot.js';
import { ScheduleEditForm, VersionList } from './schedule-edit.js';

type ClassT = z.infer<typeof Class>;
type ScheduleT = z.infer<typeof Schedule>;
type RoomT = z.infer<typeof Room>;
type SiteT = z.infer<typeof Site>;
type StudentT = z.infer<typeof Student>;
type UserT = z.infer<typeof User>;

const nullIfEmpty = (s: string) => (s.trim() === '' ? null : s);

function CreateClassForm({ sites, teachers, onDone }: { sites: SiteT[]; teachers: UserT[]; onDone(): void }) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [siteId, setSite] = useState(sites[0]?.id ?? 'default');
  const [teacherId, setTeacher] = useState('');
  const f = useSubmit();
  return (
    <form
      className="card"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void f
          .run(
            CreateClass,
            { name, code: nullIfEmpty(code), siteId, teacherId: nullIfEmpty(teacherId) },
            (v) => api('POST', '/api/classes', { body: v }),
            'Class created.',
          )
          .then((r) => {
            if (r) {
              setName('');
              setCode('');
              onDone();
            }
          });
      }}
    >
      <h2>New class</h2>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      <div className="form-grid">
        <Field label="Name" error={f.errors.name}>
          {(p) => (
            <input {...p} value={name} onChange={(e) => setName(e.target.value)} data-testid="class-name" />
          )}
        </Field>
        <Field label="Code (optional)" error={f.errors.code}>
          {(p) => <input {...p} value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        <Field label="Site" error={f.errors.siteId}>
          {(p) => (
            <select {...p} value={siteId} onChange={(e) => setSite(e.target.value)}>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Teacher" error={f.errors.teacherId}>
          {(p) => (
            <select
              {...p}
              value={teacherId}
              onChange={(e) => setTeacher(e.target.value)}
              data-testid="class-teacher"
            >
              {/* "None yet" only while there is no teacher to choose. */}
              <option value="">{teachers.length > 0 ? 'No teacher' : 'None yet'}</option>
              {teachers.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.email})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <button type="submit" className="primary" disabled={f.busy}>
        Create class
      </button>
    </form>
  );
}

export function ClassesList() {
  const admin = currentUser()?.role === 'admin';
  const [showArchived, setShowArchived] = useState(false);
  const q = useQuery(async () => {
    const [classes, sites, teachers] = await Promise.all([
      apiAll<ClassT>('/api/classes', showArchived ? { archived: 'true' } : {}),
      apiAll<SiteT>('/api/sites'),
      admin ? apiAll<UserT>('/api/users', { role: 'teacher' }) : Promise.resolve([] as UserT[]),
    ]);
    return { classes, sites, teachers };
  }, [admin, showArchived]);
  return (
    <Page title="Classes" testId="classes">
      <label className="check">
        <input
          type="checkbox"
          checked={showArchived}
          onChange={(e) => setShowArchived(e.target.checked)}
          data-testid="classes-show-archived"
        />
        Show archived classes
      </label>
      <Loaded q={q}>
        {(d) => (
          <>
            {d.classes.length === 0 ? (
              <Empty>
                {admin
                  ? 'No classes yet: create the first one below.'
                  : 'You teach no class yet; an admin assigns classes to teachers.'}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="classes-table">
                  <thead>
                    <tr>
                      <th scope="col">Class</th>
                      <th scope="col">Code</th>
                      <th scope="col">Site</th>
                      <th scope="col">Teacher</th>
                      <th scope="col">
                        <span className="sr-only">Links</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.classes.map((c) => (
                      <tr key={c.id}>
                        <th scope="row">
                          {admin ? <a href={href(`/classes/${c.id}`)}>{c.name}</a> : c.name}
                          {c.archivedAt && (
                            <>
                              {' '}
                              <ArchivedBadge />
                            </>
                          )}
                        </th>
                        <td>{c.code}</td>
                        <td>{d.sites.find((s) => s.id === c.siteId)?.name ?? c.siteId}</td>
                        <td>
                          {c.teacherId
                            ? (d.teachers.find((t) => t.id === c.teacherId)?.name ??
                              (admin ? 'unknown' : 'you'))
                            : 'none'}
                        </td>
                        <td>
                          <a href={href(`/classes/${c.id}/history`)}>History</a>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {admin && <CreateClassForm sites={d.sites} teachers={d.teachers} onDone={q.reload} />}
          </>
        )}
      </Loaded>
    </Page>
  );
}

function ScheduleForm({ classId, rooms, onDone }: { classId: string; rooms: RoomT[]; onDone(): void }) {
  const [kind, setKind] = useState<'weekly' | 'once'>('weekly');
  const [slot, setSlot] = useState<LessonSlot>({
    weekday: '1',
    date: '',
    roomId: rooms[0]?.id ?? '',
    startTime: '08:30',
    endTime: '09:30',
    grace: '5',
  });
  const f = useSubmit();
  return (
    <form
      className="card"
      noValidate
      data-testid="schedule-form"
      onSubmit={(e) => {
        e.preventDefault();
        const body = {
          roomId: slot.roomId,
          startTime: slot.startTime,
          endTime: slot.endTime,
          graceMinutes: Number(slot.grace),
          ...(kind === 'weekly' ? { weekday: Number(slot.weekday) } : { date: slot.date }),
        };
        void f
          .run(
            CreateSchedule,
            body,
            (v) => api('POST', `/api/classes/${classId}/schedules`, { body: v }),
            'Schedule added.',
          )
          .then((r) => {
            if (r) onDone();
          });
      }}
    >
      <h3>Add a schedule</h3>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      <fieldset className="radio-row">
        <legend>Repeats</legend>
        <label>
          <input type="radio" name="kind" checked={kind === 'weekly'} onChange={() => setKind('weekly')} />{' '}
          Every week
        </label>
        <label>
          <input
            type="radio"
            name="kind"
            checked={kind === 'once'}
            onChange={() => setKind('once')}
            data-testid="schedule-once"
          />{' '}
          Once
        </label>
      </fieldset>
      <div className="form-grid">
        <LessonSlotFields
          weekly={kind === 'weekly'}
          value={slot}
          onChange={setSlot}
          rooms={rooms}
          errors={f.errors}
          testId="schedule"
        />
      </div>
      <button type="submit" className="primary" disabled={f.busy} data-testid="schedule-add">
        Add schedule
      </button>
    </form>
  );
}

function EnrolForm({
  classId,
  siteId,
  enrolledIds,
  onDone,
}: {
  classId: string;
  siteId: string;
  /** The class's students now: a search finds them too, and they get no Enrol button. */
  enrolledIds: ReadonlySet<string>;
  onDone(): void;
}) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<StudentT[] | null>(null);
  const f = useSubmit();
  return (
    <div className="card">
      <h3>Enrol students</h3>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void api<StudentT[]>('GET', '/api/students', { query: { siteId, q: search, limit: 20 } }).then(
            setFound,
            (err: unknown) => f.setErrors(failureErrors(err)),
          );
        }}
      >
        <Field label="Find by name or number">
          {(p) => (
            <input
              {...p}
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="enrol-search"
            />
          )}
        </Field>
        <button type="submit">Search</button>
      </form>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      {found && found.length === 0 && <Empty>No student matches.</Empty>}
      {found && found.length > 0 && (
        <ul className="plain-list" data-testid="enrol-results">
          {found.map((s) =>
            enrolledIds.has(s.id) ? (
              <li key={s.id} data-enrolled="true">
                {s.name} ({s.studentNumber}) <span className="muted">· in this class</span>
              </li>
            ) : (
              <li key={s.id} data-enrolled="false">
                {s.name} ({s.studentNumber}){' '}
                <button
                  type="button"
                  onClick={() =>
                    void f
                      .run(
                        EnrolRequest,
                        { studentIds: [s.id] },
                        (v) => api('POST', `/api/classes/${classId}/enrolments`, { body: v }),
                        `${s.name} enrolled.`,
                      )
                      .then(onDone)
                  }
                >
                  Enrol
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}

export function ClassDetail({ classId }: { classId: string }) {
  const q = useQuery(async () => {
    const cls = await api<ClassT>('GET', `/api/classes/${classId}`);
    const [schedules, rooms, students, teachers, sites] = await Promise.all([
      apiAll<ScheduleT>(`/api/classes/${classId}/schedules`),
      apiAll<RoomT>('/api/rooms', { siteId: cls.siteId }),
      api<StudentT[]>('GET', '/api/students', { query: { classId, limit: 1000 } }),
      apiAll<UserT>('/api/users', { role: 'teacher' }),
      apiAll<SiteT>('/api/sites'),
    ]);
    // The archive's day on the class's own site calendar, not the laptop's or UTC's.
    const timezone = sites.find((x) => x.id === cls.siteId)?.timezone ?? 'UTC';
    return { cls, schedules, rooms, students, teachers, timezone };
  }, [classId]);
  const [name, setName] = useState<string | null>(null);
  const [teacherId, setTeacher] = useState<string | null>(null);
  const [arrival, setArrival] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ScheduleT | null>(null);
  const [editing, setEditing] = useState<ScheduleT | null>(null);
  const [archiving, setArchiving] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const f = useSubmit();
  const archive = useSubmit();
  /**
   * A button's call (no form to show a refusal beside): its error goes at the top of the page,
   * and the page reloads either way, so a class another admin archived meanwhile shows as
   * archived under the server's reason (409 `class_archived`).
   */
  const act = (call: Promise<unknown>, after?: () => void) => {
    setActionError(null);
    void call
      .then(
        () => undefined,
        (err: unknown) => setActionError(err instanceof Error ? err.message : String(err)),
      )
      .finally(() => {
        after?.();
        q.reload();
      });
  };
  const archived = q.data?.cls.archivedAt != null;
  const setArchived = async (on: boolean) => {
    const r = await archive.run(
      IdParams,
      { id: classId },
      (v) => api<ClassT>('POST', `/api/classes/${encodeURIComponent(v.id)}/${on ? 'archive' : 'unarchive'}`),
      on ? 'Class archived.' : 'Class unarchived: its schedules meet again from today.',
    );
    setArchiving(false);
    if (r) q.reload();
  };
  return (
    <Page
      title={q.data ? q.data.cls.name : 'Class'}
      testId="class-detail"
      actions={
        <>
          <a href={href(`/classes/${classId}/history`)}>History</a>
          {q.data &&
            (archived ? (
              <button type="button" onClick={() => void setArchived(false)} data-testid="class-unarchive">
                Unarchive
              </button>
            ) : (
              <button
                type="button"
                className="danger"
                onClick={() => setArchiving(true)}
                data-testid="class-archive"
              >
                Archive
              </button>
            ))}
        </>
      }
    >
      <FormError errors={archive.errors} />
      <FormOk message={archive.done} />
      {actionError && (
        <p className="form-error" role="alert" data-testid="class-action-error">
          {actionError}
        </p>
      )}
      <Loaded
        q={q}
        isEmpty={(d) => d.cls.archivedAt !== null}
        empty={
          <span data-testid="class-archived">
            <ArchivedBadge /> since {dateIn(q.data?.cls.archivedAt, q.data?.timezone ?? 'UTC')}. This class
            holds no sessions and is on no kiosk. Its past sessions, marks and reports stay in its{' '}
            <a href={href(`/classes/${classId}/history`)}>history</a>. Unarchive it to change it or to have
            its lessons again.
          </span>
        }
      >
        {(d) => (
          <>
            <form
              className="card"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                void f
                  .run(
                    UpdateClass,
                    {
                      name: name ?? d.cls.name,
                      teacherId: nullIfEmpty(teacherId ?? d.cls.teacherId ?? ''),
                      // Empty: the site's arrival window.
                      arrivalMinutes:
                        (arrival ?? String(d.cls.arrivalMinutes ?? '')).trim() === ''
                          ? null
                          : Number(arrival ?? d.cls.arrivalMinutes),
                    },
                    (v) => api('PATCH', `/api/classes/${classId}`, { body: v }),
                    'Saved.',
                  )
                  .then(q.reload);
              }}
            >
              <h2>Class</h2>
              <FormError errors={f.errors} />
              <FormOk message={f.done} />
              <div className="form-grid">
                <Field label="Name" error={f.errors.name}>
                  {(p) => (
                    <input {...p} value={name ?? d.cls.name} onChange={(e) => setName(e.target.value)} />
                  )}
                </Field>
                <Field label="Teacher" error={f.errors.teacherId}>
                  {(p) => (
                    <select
                      {...p}
                      value={teacherId ?? d.cls.teacherId ?? ''}
                      onChange={(e) => setTeacher(e.target.value)}
                    >
                      <option value="">No teacher</option>
                      {d.teachers.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.name}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field
                  label="Arrival window (minutes before start)"
                  error={f.errors.arrivalMinutes}
                  hint="Empty: the site’s. Students seen this early count for the lesson."
                >
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      min={0}
                      max={120}
                      value={arrival ?? String(d.cls.arrivalMinutes ?? '')}
                      onChange={(e) => setArrival(e.target.value)}
                      data-testid="class-arrival"
                    />
                  )}
                </Field>
              </div>
              <button type="submit" data-testid="class-save">
                Save
              </button>
            </form>
            <h2>Schedules</h2>
            {d.schedules.length === 0 ? (
              <Empty>No schedule: the class never meets until you add one.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="schedules-table">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Time (site)</th>
                      <th scope="col">Room</th>
                      <th scope="col">Grace</th>
                      <th scope="col">Versions</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.schedules.map((s) => (
                      <tr key={s.id}>
                        <td>{s.date ? longDate(s.date) : `Every ${WEEKDAYS[s.weekday ?? 0]}`}</td>
                        <td>
                          {s.startTime}–{s.endTime}
                        </td>
                        <td>{d.rooms.find((r) => r.id === s.roomId)?.name ?? s.roomId}</td>
                        <td>{s.graceMinutes} min</td>
                        <td>
                          <VersionList schedule={s} rooms={d.rooms} />
                        </td>
                        <td className="actions actions--wrap">
                          <button
                            type="button"
                            onClick={() => setEditing(s)}
                            aria-label={`Change the schedule ${s.date ? longDate(s.date) : WEEKDAYS[s.weekday ?? 0]} ${s.startTime}`}
                            data-testid="schedule-edit"
                          >
                            Change
                          </button>
                          <button
                            type="button"
                            onClick={() => setDeleting(s)}
                            aria-label={`Delete the schedule ${s.date ? longDate(s.date) : WEEKDAYS[s.weekday ?? 0]} ${s.startTime}`}
                          >
                            Delete
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {editing && (
              <ScheduleEditForm
                key={editing.id}
                schedule={editing}
                rooms={d.rooms}
                onDone={() => {
                  setEditing(null);
                  q.reload();
                }}
                onClose={() => setEditing(null)}
              />
            )}
            <ScheduleForm classId={classId} rooms={d.rooms} onDone={q.reload} />
            <h2>Students ({d.students.length})</h2>
            {d.students.length === 0 ? (
              <Empty>No student enrolled yet.</Empty>
            ) : (
              <ul className="plain-list" data-testid="class-students">
                {d.students.map((s) => (
                  <li key={s.id}>
                    {s.name} ({s.studentNumber}){' '}
                    <button
                      type="button"
                      onClick={() => act(api('DELETE', `/api/classes/${classId}/enrolments/${s.id}`))}
                      aria-label={`Remove ${s.name} from the class`}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <EnrolForm
              classId={classId}
              siteId={d.cls.siteId}
              enrolledIds={new Set(d.students.map((s) => s.id))}
              onDone={q.reload}
            />
            {archiving && (
              <Confirm
                title={`Archive ${d.cls.name}?`}
                confirmLabel="Archive class"
                danger
                busy={archive.busy}
                onCancel={() => setArchiving(false)}
                onConfirm={() => void setArchived(true)}
              >
                <p>
                  It leaves the class list and every kiosk at the next sync, and holds no more sessions.
                  Nothing is deleted: its past sessions, marks and reports stay, and you can unarchive it.
                </p>
              </Confirm>
            )}
            {deleting && (
              <Confirm
                title="Delete this schedule?"
                confirmLabel="Delete schedule"
                danger
                onCancel={() => setDeleting(null)}
                onConfirm={() => act(api('DELETE', `/api/schedules/${deleting.id}`), () => setDeleting(null))}
              >
                <p>
                  Its future sessions disappear from every kiosk at the next sync. Marks already made stay in
                  the history.
                </p>
              </Confirm>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}

export function ClassesPage({ route }: { route: Route }) {
  const id = route.parts[1];
  return id && currentUser()?.role === 'admin' ? <ClassDetail classId={id} /> : <ClassesList />;
}
