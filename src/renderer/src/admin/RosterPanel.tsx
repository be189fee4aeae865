// Roster: who is on this kiosk's list, who is enrolled (and with how many templates), and
// whether they consented. Enrolment starts from here.
import { useState } from 'react';
import type { UiApi } from '../api/checked-api';
import { useResult } from '../hooks';

export function RosterPanel({ api, onEnrol }: { api: UiApi; onEnrol: (studentId: string) => void }) {
  const [search, setSearch] = useState('');
  const roster = useResult(() => api.rosterList({ search }), [api, search]);
  const rows = roster.data ?? [];
  return (
    <section className="panel" data-panel="roster" data-app-state={roster.loaded ? 'ready' : 'loading'}>
      <h2>Roster</h2>
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
      <table className="table" data-testid="roster-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Number</th>
            <th>Enrolled</th>
            <th>Templates</th>
            <th>Consent</th>
            <th>This class</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-student-id={r.id}>
              <td>{r.name}</td>
              <td>{r.studentNumber}</td>
              <td>{r.templates > 0 ? <span className="pill pill--good">Yes</span> : <span className="pill pill--warn">No</span>}</td>
              <td>{r.templates}</td>
              <td>{r.consent ? 'Given' : <span className="pill pill--bad">Missing</span>}</td>
              <td>{r.enrolledInActiveClass ? 'Yes' : '–'}</td>
              <td>
                <button type="button" className="btn btn--small" disabled={!r.consent} onClick={() => onEnrol(r.id)}>
                  Enrol
                </button>
              </td>
            </tr>
          ))}
          {roster.loaded && rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {search ? 'No student matches.' : 'No students yet — pair the kiosk and sync to get the roster.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
