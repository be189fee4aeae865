// Roster: who is on this kiosk's list, who is enrolled (and with how many templates), and
// whether they consented. Enrolment starts from here. After a face-model upgrade the
// students enrolled only under the old model are flagged "Re-enrol" and counted at the top:
// the door silently ignores their templates, and this is where an admin can see it.
import { useState } from 'react';
import type { z } from 'zod';
import type { RosterRow, TemplateCoverage } from '../../../contracts/kiosk-api.js';
import type { UiApi } from '../api/checked-api.js';
import { useResult } from '../hooks.js';
import { refusedTemplatesText } from '../view-model.js';

type Row = z.infer<typeof RosterRow>;

interface Props {
  api: UiApi;
  /** From the state stream; null while the face engine loads (nothing is known to be usable yet). */
  coverage: z.infer<typeof TemplateCoverage> | null;
  onEnrol: (studentId: string) => void;
  /** Open with only the students to re-enrol listed (from the admin-wide notice). */
  initialOnlyReEnrol?: boolean;
}

/** Enrolled = recognisable now; before the engine reports its model, any template counts. */
const isEnrolled = (r: Row, engineKnown: boolean) => (engineKnown ? r.usableTemplates > 0 : r.templates > 0);

function EnrolledCell({ row, engineKnown }: { row: Row; engineKnown: boolean }) {
  if (row.needsReEnrolment) {
    return (
      <span
        className="pill pill--warn"
        data-testid="reenrol-badge"
        title="Their face templates were made by an older face model, which this kiosk cannot compare. Enrol them again."
      >
        Re-enrol: face model changed
      </span>
    );
  }
  return isEnrolled(row, engineKnown) ? (
    <span className="pill pill--good">Yes</span>
  ) : (
    <span className="pill pill--warn">No</span>
  );
}

export function RosterPanel({ api, coverage, onEnrol, initialOnlyReEnrol = false }: Props) {
  const [search, setSearch] = useState('');
  const [onlyReEnrol, setOnlyReEnrol] = useState(initialOnlyReEnrol);
  const toReEnrol = coverage?.needReEnrolment ?? 0;
  // Reloaded when the count moves (a roster pull or an enrolment elsewhere changed who is flagged).
  const roster = useResult(() => api.rosterList({ search }), [api, search, toReEnrol]);
  const engineKnown = coverage !== null;
  const rows = (roster.data ?? []).filter((r) => !onlyReEnrol || r.needsReEnrolment);
  return (
    <section className="panel" data-panel="roster" data-app-state={roster.loaded ? 'ready' : 'loading'}>
      <h2>Roster</h2>
      {toReEnrol > 0 && (
        <div
          className="notice notice--warn notice--inline"
          role="status"
          data-testid="reenrol-count"
          data-count={toReEnrol}
        >
          <span>
            <strong>
              {toReEnrol} {toReEnrol === 1 ? 'student needs' : 'students need'} to be enrolled again: the face
              model changed.
            </strong>{' '}
            The door does not recognise them until then (their old templates cannot be compared with model{' '}
            {coverage?.modelId}).
          </span>
          <button
            type="button"
            className="btn"
            data-testid="reenrol-filter"
            aria-pressed={onlyReEnrol}
            onClick={() => setOnlyReEnrol((v) => !v)}
          >
            {onlyReEnrol ? 'Show everyone' : 'Show only them'}
          </button>
        </div>
      )}
      <input
        className="input input--wide"
        type="search"
        placeholder="Search by name or number"
        aria-label="Search students"
        data-testid="roster-search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {roster.error && <p className="error">{roster.error}</p>}
      <table className="table table--stack" data-testid="roster-table">
        <caption className="visually-hidden">Students on this kiosk's roster</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Number</th>
            <th scope="col">Enrolled</th>
            <th scope="col">Templates</th>
            <th scope="col">Consent</th>
            <th scope="col">This class</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-student-id={r.id} data-reenrol={r.needsReEnrolment ? 'yes' : 'no'}>
              <td data-label="Name">{r.name}</td>
              <td data-label="Number">{r.studentNumber}</td>
              <td data-label="Enrolled">
                <EnrolledCell row={r} engineKnown={engineKnown} />
              </td>
              <td data-label="Templates">
                {engineKnown ? r.usableTemplates : r.templates}
                {engineKnown && r.templates > r.usableTemplates && (
                  <span className="muted"> (+{r.templates - r.usableTemplates} old model)</span>
                )}
                {r.refused && (
                  <div className="error" data-testid="refused-templates">
                    {refusedTemplatesText(r.refused, r.usableTemplates)}
                  </div>
                )}
              </td>
              <td data-label="Consent">
                {r.consent ? 'Given' : <span className="pill pill--bad">Missing</span>}
              </td>
              <td data-label="This class">{r.enrolledInActiveClass ? 'Yes' : '–'}</td>
              <td>
                <button
                  type="button"
                  className={`btn btn--small${r.needsReEnrolment && r.consent ? ' btn--primary' : ''}`}
                  disabled={!r.consent}
                  aria-label={`${r.needsReEnrolment ? 'Re-enrol' : 'Enrol'} ${r.name}`}
                  onClick={() => onEnrol(r.id)}
                >
                  {r.needsReEnrolment ? 'Re-enrol' : 'Enrol'}
                </button>
              </td>
            </tr>
          ))}
          {roster.loaded && rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {onlyReEnrol
                  ? 'Nobody left to re-enrol.'
                  : search
                    ? 'No student matches.'
                    : 'No students yet — pair the kiosk and sync to get the roster.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
