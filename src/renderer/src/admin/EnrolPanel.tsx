// Enrol: pick a consenting student, then the core keeps the good frames while this screen
// relays its live hints (move closer, face the camera, too dark, hold still) and shows the
// quality of every shot kept. The result is queued for upload by the core.
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { EnrolProgress, KioskState } from '../../../contracts/kiosk-api.js';
import type { UiApi } from '../api/checked-api.js';
import { CameraPreview } from '../kiosk/CameraPreview.js';
import { useResult } from '../hooks.js';
import { hintText } from '../view-model.js';
import { enrolCameraNote, enrolNoteOffersSettings } from './enrol-camera.js';

type Progress = z.infer<typeof EnrolProgress>;
const POLL_MS = 400;

interface Props {
  api: UiApi;
  state: KioskState;
  stream: MediaStream | null;
  preselect: string | null;
  /** Leads to the Settings tab, where the camera is chosen. */
  onCameraSettings?: () => void;
}

export function EnrolPanel({ api, state, stream, preselect, onCameraSettings }: Props) {
  // Reloaded when the re-enrolment count moves, so a student just re-enrolled loses the flag here too.
  const roster = useResult(
    () => api.rosterList({ search: '' }),
    [api, state.templateCoverage?.needReEnrolment],
  );
  const [studentId, setStudentId] = useState<string>(preselect ?? '');
  const [shots, setShots] = useState(5);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = progress !== null && !progress.done;

  // Resume the view of an enrolment that is already running (e.g. after switching tabs).
  useEffect(() => {
    void api.enrolStatus().then((r) => {
      if (r.ok && r.value) setProgress(r.value);
    });
  }, [api]);

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      void api.enrolStatus().then((r) => {
        if (!r.ok) setError(r.error.message);
        else if (r.value) setProgress(r.value);
      });
    }, POLL_MS);
    return () => clearInterval(t);
  }, [api, running]);

  const student = roster.data?.find((s) => s.id === (progress?.studentId ?? studentId)) ?? null;

  const start = async () => {
    setError(null);
    const r = await api.enrolStart({ studentId, shots });
    if (r.ok) setProgress(r.value);
    else setError(r.error.message);
  };
  const cancel = async () => {
    const r = await api.enrolCancel();
    if (!r.ok) setError(r.error.message);
    setProgress(null);
  };

  const hint = hintText(progress?.hint ?? null);
  // No picture to enrol from: say so in the picture's place, and offer no capture meanwhile
  // (`state.camera` includes the page's own camera problems: App, cameraWithPage).
  const cameraNote = enrolCameraNote(state.camera, stream !== null);
  return (
    <section
      className="panel panel--enrol"
      data-panel="enrol"
      data-app-state={roster.loaded ? 'ready' : 'loading'}
    >
      <h2>Enrol a student</h2>
      <div className="enrol">
        <div className={`enrol__camera${cameraNote ? ' enrol__camera--note' : ''}`}>
          {cameraNote ? (
            <div
              className="enrol__no-camera"
              role="status"
              data-testid="enrol-camera-note"
              data-kind={cameraNote.kind}
            >
              <p className="enrol__no-camera-title">{cameraNote.title}</p>
              <p>{cameraNote.detail}</p>
              {enrolNoteOffersSettings(cameraNote) && onCameraSettings && (
                <button type="button" className="btn" onClick={onCameraSettings}>
                  Camera settings
                </button>
              )}
            </div>
          ) : (
            <CameraPreview state={state} stream={stream} compact frameUrl={api.framePreviewUrl} />
          )}
          {running && !cameraNote && (
            <div className="enrol__hint" data-testid="enrol-hint">
              {hint ?? 'Look at the camera'}
            </div>
          )}
        </div>
        <div className="enrol__side">
          <label className="field">
            <span>Student</span>
            <select
              className="input"
              data-testid="enrol-student"
              value={progress?.studentId ?? studentId}
              disabled={running}
              onChange={(e) => setStudentId(e.target.value)}
            >
              <option value="">Choose a student…</option>
              {(roster.data ?? []).map((s) => (
                <option key={s.id} value={s.id} disabled={!s.consent}>
                  {s.name} ({s.studentNumber}){s.consent ? '' : ' — no consent'}
                  {s.needsReEnrolment
                    ? ' — re-enrol: face model changed'
                    : s.templates > 0
                      ? ` · ${s.templates} templates`
                      : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Shots to keep</span>
            <input
              className="input"
              type="number"
              min={1}
              max={10}
              value={shots}
              disabled={running}
              onChange={(e) => setShots(Math.min(10, Math.max(1, Number(e.target.value) || 1)))}
            />
          </label>
          {student && !student.consent && (
            <p className="error">No consent on record: this student cannot be enrolled.</p>
          )}
          <div className="row">
            {running ? (
              <button type="button" className="btn" data-testid="enrol-cancel" onClick={() => void cancel()}>
                Cancel
              </button>
            ) : (
              <button
                type="button"
                className="btn btn--primary"
                data-testid="enrol-start"
                disabled={!studentId || (student !== null && !student.consent) || cameraNote !== null}
                title={cameraNote ? 'Shots can be taken once the camera shows a picture' : undefined}
                onClick={() => void start()}
              >
                {progress?.done ? 'Enrol again' : 'Start capture'}
              </button>
            )}
          </div>
          {progress && (
            <div
              className="enrol__progress"
              data-testid="enrol-progress"
              data-done={progress.done ? 'yes' : 'no'}
            >
              <div className="enrol__count">
                {progress.kept} of {progress.wanted} shots kept
              </div>
              <div className="progress">
                <div
                  className="progress__bar"
                  style={{ width: `${(progress.kept / Math.max(1, progress.wanted)) * 100}%` }}
                />
              </div>
              <ul className="quality">
                {progress.qualities.map((q, i) => (
                  <li key={i} className="quality__item">
                    <span>Shot {i + 1}</span>
                    <span className="quality__bar">
                      <span
                        style={{ width: `${Math.round(q * 100)}%` }}
                        className={q >= 0.6 ? 'good' : 'warn'}
                      />
                    </span>
                    <span>{Math.round(q * 100)}%</span>
                  </li>
                ))}
              </ul>
              {progress.done && (
                <p className="ok" data-testid="enrol-done">
                  Done — {progress.kept} templates saved for {student?.name ?? progress.studentId} and queued
                  for upload
                  {state.sync.templateQueueDepth > 0 ? ` (${state.sync.templateQueueDepth} waiting)` : ''}.
                </p>
              )}
            </div>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
