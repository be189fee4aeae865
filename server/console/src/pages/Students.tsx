// Students: a server-paged list with search and filters (class, consent, enrolled, needs
// re-enrolment), add and edit with consent and its date, photo enrolment with each photo's
// verdict (refused without consent), removing a student's face templates (a kiosk may not
// replace a face that changed a lot, an admin may), and erasure after a confirmation that says
// what goes.
import { useState } from 'react';
import type { z } from 'zod';
import type { Class, Site, Student } from '../../../src/schemas/people.js';
import { CreateStudent, UpdateStudent } from '../../../src/schemas/people.js';
import { api, ApiError, upload, apiAll } from '../api.js';
import { useSubmit } from '../forms.js';
import { dateIn, dateTimeIn, longDate } from '../format.js';
import { photoRefusal } from '../photo-refusal.js';
import { href, navigate, type Route } from '../router.js';
import { studentHistoryPath } from './StudentHistory.js';
import {
  Confirm,
  DateField,
  ErrorBox,
  Field,
  FormError,
  FormOk,
  Loaded,
  Page,
  Pager,
  useQuery,
} from '../ui.js';

type StudentT = z.infer<typeof Student>;
type ClassT = z.infer<typeof Class>;
type SiteT = z.infer<typeof Site>;
type Template = { id: string; modelId: string; source: string; createdAt: string };
type PhotoResults = {
  results: {
    filename: string;
    status: 'accepted' | 'duplicate' | 'rejected' | 'not_processed';
    templateId?: string;
    reason?: string;
    /** `not_processed` only: the face engine failed or was busy (the error above the list says which). */
    stop?: 'face_engine_failed' | 'face_engine_busy';
  }[];
};
type Erasure = { erased: true; templates: number; enrolments: number; attendanceEvents: number };

/**
 * How each verdict of a photo upload reads. A photo sent again is no fault: shown neutral. One
 * the face engine never got to (it stopped) is no fault of the photo either: a warning, not a
 * refusal, and the error above the list says to send it again.
 */
const PHOTO_VERDICT: Record<PhotoResults['results'][number]['status'], { label: string; tone: string }> = {
  accepted: { label: 'Accepted', tone: 'present' },
  duplicate: { label: 'Already enrolled', tone: 'unseen' },
  rejected: { label: 'Refused', tone: 'absent' },
  not_processed: { label: 'Not processed', tone: 'late' },
};

const PAGE = 50;
const nullIfEmpty = (s: string) => (s.trim() === '' ? null : s.trim());
/** A date input's value as the instant the server stores (midnight UTC of that day). */
const dateToIso = (d: string) => (d ? `${d}T00:00:00.000Z` : undefined);
/** The consent date back from that instant: a day, not a moment, so no zone applies. */
const consentDay = (iso: string | null | undefined) => longDate(iso?.slice(0, 10));

function StudentForm({
  sites,
  initial,
  onSaved,
}: {
  sites: SiteT[];
  initial?: StudentT;
  onSaved(s: StudentT): void;
}) {
  const [studentNumber, setNumber] = useState(initial?.studentNumber ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const [email, setEmail] = useState(initial?.email ?? '');
  const [guardianEmail, setGuardian] = useState(initial?.guardianEmail ?? '');
  const [siteId, setSite] = useState(initial?.siteId ?? sites[0]?.id ?? 'default');
  const [consent, setConsent] = useState(initial?.consent ?? false);
  const [consentDate, setConsentDate] = useState(initial?.consentAt?.slice(0, 10) ?? '');
  const f = useSubmit();
  const editing = initial !== undefined;
  const withdrawing = editing && initial.consent && !consent;
  return (
    <form
      className="card"
      noValidate
      data-testid={editing ? 'student-edit' : 'student-add'}
      onSubmit={(e) => {
        e.preventDefault();
        const common = {
          studentNumber,
          name,
          email: nullIfEmpty(email),
          guardianEmail: nullIfEmpty(guardianEmail),
          consent,
          ...(consent && consentDate ? { consentAt: dateToIso(consentDate) } : {}),
        };
        const send = editing
          ? f.run(
              UpdateStudent,
              common,
              (v) => api<StudentT>('PATCH', `/api/students/${initial.id}`, { body: v }),
              'Saved.',
            )
          : f.run(
              CreateStudent,
              { ...common, siteId },
              (v) => api<StudentT>('POST', '/api/students', { body: v }),
              'Student added.',
            );
        void send.then((s) => {
          if (s) onSaved(s);
        });
      }}
    >
      <h2>{editing ? 'Details and consent' : 'Add a student'}</h2>
      <FormError errors={f.errors} />
      <FormOk message={f.done} />
      <div className="form-grid">
        <Field label="Student number" error={f.errors.studentNumber}>
          {(p) => (
            <input
              {...p}
              value={studentNumber}
              onChange={(e) => setNumber(e.target.value)}
              data-testid="student-number"
            />
          )}
        </Field>
        <Field label="Name" error={f.errors.name}>
          {(p) => (
            <input {...p} value={name} onChange={(e) => setName(e.target.value)} data-testid="student-name" />
          )}
        </Field>
        <Field label="Email (optional)" error={f.errors.email}>
          {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Guardian email (optional)" error={f.errors.guardianEmail}>
          {(p) => (
            <input {...p} type="email" value={guardianEmail} onChange={(e) => setGuardian(e.target.value)} />
          )}
        </Field>
        {!editing && (
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
        )}
      </div>
      <fieldset className="radio-row">
        <legend>Consent to face recognition</legend>
        <label>
          <input
            type="checkbox"
            checked={consent}
            onChange={(e) => setConsent(e.target.checked)}
            data-testid="student-consent"
          />{' '}
          Consent given
        </label>
        {consent && (
          <DateField
            label="Consent date"
            error={f.errors.consentAt}
            hint="Default: today."
            value={consentDate}
            onChange={setConsentDate}
          />
        )}
      </fieldset>
      {withdrawing && (
        <p className="form-error" role="alert">
          Saving without consent deletes this student’s face templates here and on every kiosk at its next
          sync.
        </p>
      )}
      <button type="submit" className="primary" disabled={f.busy} data-testid="student-save">
        {editing ? 'Save' : 'Add student'}
      </button>
    </form>
  );
}

export function StudentsList({ route }: { route: Route }) {
  const p = route.params;
  const filters = {
    q: p.get('q') ?? '',
    classId: p.get('classId') ?? '',
    consent: p.get('consent') ?? '',
    enrolled: p.get('enrolled') ?? '',
    reenrol: p.get('reenrol') ?? '',
  };
  const offset = Number(p.get('offset') ?? 0) || 0;
  const [draft, setDraft] = useState(filters);
  const meta = useQuery(async () => {
    const [classes, sites, model] = await Promise.all([
      apiAll<ClassT>('/api/classes'),
      apiAll<SiteT>('/api/sites'),
      api<{ modelId: string }>('GET', '/api/face-models/current'),
    ]);
    return { classes, sites, model };
  }, []);
  const modelId = meta.data?.model.modelId;
  /** The day a student's record changed, on their site's calendar (blank until the sites are loaded). */
  const updatedDay = (s: StudentT) => {
    const zone = meta.data?.sites.find((x) => x.id === s.siteId)?.timezone;
    return zone ? dateIn(s.updatedAt, zone) : '';
  };
  const q = useQuery(
    () =>
      api<StudentT[]>('GET', '/api/students', {
        query: {
          q: filters.q,
          classId: filters.classId,
          consent: filters.consent,
          enrolled: filters.enrolled,
          withTemplatesButNotFor: filters.reenrol === 'yes' ? modelId : undefined,
          limit: PAGE,
          offset,
        },
      }),
    [filters.q, filters.classId, filters.consent, filters.enrolled, filters.reenrol, offset, modelId],
  );
  const go = (next: Partial<typeof filters> & { offset?: number }) => {
    const merged = { ...filters, ...next };
    navigate('/students', { ...merged, offset: next.offset ? String(next.offset) : undefined });
  };
  return (
    <Page title="Students" testId="students">
      <form
        className="filters"
        role="search"
        aria-label="Find students"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...draft, offset: 0 });
        }}
      >
        <Field label="Name or number">
          {(fp) => (
            <input
              {...fp}
              type="search"
              value={draft.q}
              onChange={(e) => setDraft({ ...draft, q: e.target.value })}
              data-testid="students-search"
            />
          )}
        </Field>
        <Field label="Class">
          {(fp) => (
            <select
              {...fp}
              value={draft.classId}
              onChange={(e) => setDraft({ ...draft, classId: e.target.value })}
            >
              <option value="">Any</option>
              {(meta.data?.classes ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Consent">
          {(fp) => (
            <select
              {...fp}
              value={draft.consent}
              onChange={(e) => setDraft({ ...draft, consent: e.target.value })}
            >
              <option value="">Any</option>
              <option value="yes">Given</option>
              <option value="no">Not given</option>
            </select>
          )}
        </Field>
        <Field label="Face enrolled">
          {(fp) => (
            <select
              {...fp}
              value={draft.enrolled}
              onChange={(e) => setDraft({ ...draft, enrolled: e.target.value })}
            >
              <option value="">Any</option>
              <option value="yes">Yes</option>
              <option value="no">No</option>
            </select>
          )}
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.reenrol === 'yes'}
            onChange={(e) => setDraft({ ...draft, reenrol: e.target.checked ? 'yes' : '' })}
          />{' '}
          Needs re-enrolment
        </label>
        <button type="submit">Search</button>
      </form>
      <Loaded q={q} isEmpty={(d) => d.length === 0 && offset === 0} empty="No student matches these filters.">
        {(rows) => (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="students-table">
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    <th scope="col">Name</th>
                    <th scope="col">Consent</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((s) => (
                    <tr key={s.id}>
                      <td>{s.studentNumber}</td>
                      <th scope="row">
                        <a href={href(`/students/${s.id}`)}>{s.name}</a>
                      </th>
                      <td>{s.consent ? `Given ${consentDay(s.consentAt)}`.trim() : 'Not given'}</td>
                      <td>{updatedDay(s)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              total={rows.length < PAGE ? offset + rows.length : null}
              limit={PAGE}
              offset={offset}
              onChange={(o) => go({ offset: o })}
              label="Students"
            />
          </>
        )}
      </Loaded>
      {meta.data && <StudentForm sites={meta.data.sites} onSaved={(s) => navigate(`/students/${s.id}`)} />}
    </Page>
  );
}

function Photos({ student, onChange }: { student: StudentT; onChange(): void }) {
  const templates = useQuery(
    () => api<Template[]>('GET', `/api/students/${student.id}/templates`),
    [student.id],
  );
  const [files, setFiles] = useState<File[]>([]);
  const [results, setResults] = useState<PhotoResults['results'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<Template[] | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  /** One request, one transaction on the server: all go (with their tombstones) or none. */
  const removeAll = async () => {
    setRemoving(null);
    setRemoveError(null);
    try {
      await api('DELETE', `/api/students/${student.id}/templates`);
    } catch (err) {
      setRemoveError(err instanceof Error ? err.message : String(err));
    }
    templates.reload();
    onChange();
  };
  return (
    <section className="card" aria-labelledby="photos-title">
      <h2 id="photos-title">Face enrolment</h2>
      <Loaded q={templates}>
        {(t) => (
          <>
            <p data-testid="template-count">
              {t.length === 0
                ? 'No face template: kiosks cannot recognise this student yet.'
                : `${t.length} face template${t.length === 1 ? '' : 's'} (${[...new Set(t.map((x) => x.modelId))].join(', ')}).`}
            </p>
            {t.length > 0 && (
              <p>
                <button type="button" onClick={() => setRemoving(t)} data-testid="templates-remove">
                  Remove all face templates…
                </button>
              </p>
            )}
          </>
        )}
      </Loaded>
      {removeError && <ErrorBox title="The templates were not removed." error={removeError} />}
      {removing && (
        <Confirm
          title={`Remove ${student.name}'s face templates?`}
          confirmLabel="Remove templates"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => void removeAll()}
        >
          <p>
            {removing.length} face template(s) go, on the server now and on every kiosk at its next sync;
            kiosks no longer recognise {student.name} until enrolled again.
          </p>
          <p>
            Do this when the face changed so much that a kiosk enrolment is refused (“does not look like the
            student’s existing photos”): a kiosk may not replace a face, an admin may. Then enrol again at a
            kiosk or with photos below.
          </p>
        </Confirm>
      )}
      {!student.consent && (
        <p className="form-error" role="alert" data-testid="photos-no-consent">
          No consent: photos cannot be enrolled. Record the consent above first.
        </p>
      )}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (files.length === 0) {
            setError('Choose one or more photos first.');
            return;
          }
          const form = new FormData();
          for (const file of files) form.append('photos', file, file.name);
          setBusy(true);
          setError(null);
          upload<PhotoResults>(`/api/students/${student.id}/photos`, form)
            .then((r) => {
              setResults(r.results);
              templates.reload();
              onChange();
            })
            .catch((err: unknown) => {
              // A limit crossed part-way (too many or too large photos): the photos before it were
              // stored, and the refusal lists them. The face engine stopped part-way (503): the
              // list also names the photos it did not process, and the message says to resend.
              const done =
                err instanceof ApiError
                  ? (err.body as Partial<PhotoResults> | undefined)?.results
                  : undefined;
              if (done !== undefined && done.length > 0) {
                setResults(done);
                templates.reload();
                onChange();
              }
              setError(err instanceof Error ? err.message : String(err));
            })
            .finally(() => setBusy(false));
        }}
      >
        <Field
          label="Photos (JPEG or PNG, one face each)"
          error={error ?? undefined}
          hint="Several photos from slightly different angles recognise best. Photos are not kept unless the school setting says so."
        >
          {(p) => (
            <input
              {...p}
              type="file"
              accept="image/jpeg,image/png"
              multiple
              disabled={!student.consent}
              onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
              data-testid="photos-input"
            />
          )}
        </Field>
        <button
          type="submit"
          className="primary"
          disabled={busy || !student.consent}
          data-testid="photos-upload"
        >
          {busy ? 'Analysing…' : 'Upload and enrol'}
        </button>
      </form>
      {results && (
        <ul className="plain-list" aria-label="Verdict per photo" data-testid="photo-results">
          {results.map((r) => (
            <li key={r.filename} data-status={r.status}>
              <span className={`status status--${PHOTO_VERDICT[r.status].tone}`}>
                {PHOTO_VERDICT[r.status].label}
              </span>{' '}
              {r.filename}
              {r.status === 'duplicate' ? ': sent before, nothing was added' : ''}
              {r.reason ? `: ${photoRefusal(r.reason)}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function StudentDetail({ id }: { id: string }) {
  const q = useQuery(async () => {
    const [student, sites] = await Promise.all([
      api<StudentT>('GET', `/api/students/${id}`),
      apiAll<SiteT>('/api/sites'),
    ]);
    return { student, sites };
  }, [id]);
  const [erasing, setErasing] = useState(false);
  const [erased, setErased] = useState<Erasure | null>(null);
  const [eraseError, setEraseError] = useState<string | null>(null);
  if (erased) {
    return (
      <Page title="Student erased" testId="student-erased">
        <p role="status">
          Erased: personal data, {erased.templates} face template(s), {erased.enrolments} enrolment(s) and{' '}
          {erased.attendanceEvents} attendance record(s). Kiosks delete them at their next sync.
        </p>
        <a href={href('/students')}>Back to students</a>
      </Page>
    );
  }
  return (
    <Page
      title={q.data ? q.data.student.name : 'Student'}
      testId="student-detail"
      actions={
        <>
          <a href={href(studentHistoryPath(id))} data-testid="student-history-link">
            Attendance history
          </a>{' '}
          · <a href={href('/students')}>All students</a>
        </>
      }
    >
      <Loaded q={q}>
        {(d) => (
          <>
            <p className="muted">
              Number {d.student.studentNumber} · added{' '}
              {dateTimeIn(
                d.student.createdAt,
                d.sites.find((s) => s.id === d.student.siteId)?.timezone ?? 'UTC',
              )}
            </p>
            <StudentForm key={d.student.updatedAt} sites={d.sites} initial={d.student} onSaved={q.reload} />
            <Photos student={d.student} onChange={q.reload} />
            <section className="card danger-zone" aria-labelledby="erase-title">
              <h2 id="erase-title">Erase this student</h2>
              <p>For a leaver or a data-protection request. This cannot be undone.</p>
              {eraseError && <ErrorBox title="Could not erase this student." error={eraseError} />}
              <button
                type="button"
                className="danger"
                onClick={() => setErasing(true)}
                data-testid="student-erase"
              >
                Erase {d.student.name}…
              </button>
            </section>
            {erasing && (
              <Confirm
                title={`Erase ${d.student.name}?`}
                confirmLabel="Erase for good"
                danger
                onCancel={() => setErasing(false)}
                onConfirm={() => {
                  setErasing(false);
                  api<Erasure>('DELETE', `/api/students/${id}`).then(setErased, (err: unknown) =>
                    setEraseError(err instanceof Error ? err.message : String(err)),
                  );
                }}
              >
                <p>This removes, on the server now and on every kiosk at its next sync:</p>
                <ul>
                  <li>the student’s name, number and contact details;</li>
                  <li>{d.student.templateCount ?? 0} face template(s) and any kept photos;</li>
                  <li>their enrolments in every class;</li>
                  <li>all their attendance records (class histories will no longer count them).</li>
                </ul>
                <p>The audit log keeps only that an erasure happened, with counts.</p>
              </Confirm>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}

export function StudentsPage({ route }: { route: Route }) {
  const id = route.parts[1];
  return id ? <StudentDetail id={id} /> : <StudentsList route={route} />;
}
