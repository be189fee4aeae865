// Today: every mark with its evidence (similarity, margin, votes), manual marks and undo.
// Corrections are events (the core appends them); nothing here edits a past mark.
import { useState } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api.js';
import type { UiApi } from '../api/checked-api.js';
import { useResult } from '../hooks.js';
import { clockTime, eventText, formatScore, statusText } from '../view-model.js';

const STATUSES = ['present', 'late', 'absent', 'excused'] as const;
type Status = (typeof STATUSES)[number];

export function TodayPanel({ api, state }: { api: UiApi; state: KioskState }) {
  // Re-read when a new mark is made or an upload finishes, so "Uploaded" stays true.
  const log = useResult(
    () => api.logToday(),
    [api, state.greeting?.at, state.sync.lastPushAt, state.sync.queueDepth],
  );
  const roster = useResult(() => api.rosterList({ search: '' }), [api]);
  const [studentId, setStudentId] = useState('');
  const [status, setStatus] = useState<Status>('present');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const mark = async () => {
    setError(null);
    const r = await api.markManual({ studentId, status, reason: reason || undefined });
    if (!r.ok) setError(r.error.message);
    else {
      setNote('Manual mark saved.');
      setReason('');
      log.reload();
    }
  };
  const undo = async (eventId: string) => {
    setError(null);
    const r = await api.markUndo({ eventId, reason: 'undone at the kiosk' });
    if (!r.ok) setError(r.error.message);
    else {
      setNote('Undone.');
      log.reload();
    }
  };

  const rows = log.data ?? [];
  return (
    <section className="panel" data-panel="today" data-app-state={log.loaded ? 'ready' : 'loading'}>
      <h2>Today</h2>
      <form
        className="row row--wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void mark();
        }}
      >
        <select
          className="input"
          aria-label="Student"
          data-testid="manual-student"
          value={studentId}
          onChange={(e) => setStudentId(e.target.value)}
        >
          <option value="">Student…</option>
          {(roster.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <select
          className="input"
          aria-label="Status"
          data-testid="manual-status"
          value={status}
          onChange={(e) => setStatus(e.target.value as Status)}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusText(s)}
            </option>
          ))}
        </select>
        <input
          className="input"
          placeholder="Reason (optional)"
          aria-label="Reason"
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button type="submit" className="btn btn--primary" data-testid="manual-mark" disabled={!studentId}>
          Mark by hand
        </button>
        <button type="button" className="btn" onClick={log.reload}>
          Refresh
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {note && !error && <p className="ok">{note}</p>}
      {log.error && <p className="error">{log.error}</p>}
      {/* Seven columns, cells wrap: fits a 1080-px portrait screen and an 800-px panel; on a
          480-px one each row is a block of labelled lines (`table--stack`, `data-label`). */}
      <table className="table table--log table--stack" data-testid="log-table">
        <caption className="visually-hidden">Today's attendance at this door</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Student</th>
            <th scope="col">How</th>
            <th scope="col">Status</th>
            <th
              scope="col"
              title="Similarity to the student's templates (0–1) · lead over the next most similar student · frames that agreed / frames looked at"
            >
              Evidence
            </th>
            <th scope="col">Uploaded</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.eventId}
              data-event-id={r.eventId}
              data-kind={r.kind}
              className={r.undone ? 'undone' : undefined}
            >
              <td data-label="Time">{clockTime(new Date(r.occurredAt), true)}</td>
              <td data-label="Student">{r.name}</td>
              <td data-label="How">{eventText(r.kind)}</td>
              <td data-label="Status">
                {r.undone ? (
                  <s aria-label={`${statusText(r.status)}, undone`}>{statusText(r.status)}</s>
                ) : (
                  statusText(r.status)
                )}
              </td>
              <td className="table__evidence" data-label="Evidence">
                {r.scores
                  ? `similarity ${formatScore(r.scores.similarity)} · margin ${formatScore(r.scores.margin)} · ${r.scores.votes}/${r.scores.window} frames`
                  : '–'}
              </td>
              <td data-label="Uploaded">{r.synced ? 'Yes' : 'Waiting'}</td>
              <td>
                {!r.undone && (r.kind === 'mark' || r.kind === 'manual') && (
                  <button
                    type="button"
                    className="btn btn--small"
                    data-testid="undo"
                    aria-label={`Undo ${statusText(r.status)} for ${r.name}`}
                    onClick={() => void undo(r.eventId)}
                  >
                    Undo
                  </button>
                )}
              </td>
            </tr>
          ))}
          {log.loaded && rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No marks yet today.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
