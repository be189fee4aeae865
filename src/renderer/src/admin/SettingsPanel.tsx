// Settings, each with a plain explanation of what it changes at the door. Only the fields
// the admin changed are sent (a patch); the core validates and answers the saved settings.
import { useEffect, useState } from 'react';
import type { Settings } from '../../../contracts/kiosk-api.js';
import type { UiApi } from '../api/checked-api.js';
import { useResult } from '../hooks.js';

type Draft = Settings;

function diff(saved: Draft, draft: Draft): Partial<Draft> {
  const patch: Partial<Draft> = {};
  for (const key of Object.keys(draft) as (keyof Draft)[]) {
    if (draft[key] !== saved[key]) (patch as Record<string, unknown>)[key] = draft[key];
  }
  return patch;
}

export function SettingsPanel({ api }: { api: UiApi }) {
  const saved = useResult(() => api.settingsGet(), [api]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    if (saved.data) setDraft(saved.data);
  }, [saved.data]);

  if (!draft || !saved.data) {
    return (
      <section className="panel" data-panel="settings" data-app-state={saved.loaded ? 'ready' : 'loading'}>
        <h2>Settings</h2>
        {saved.error && <p className="error">{saved.error}</p>}
      </section>
    );
  }
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setNote(null);
    setDraft({ ...draft, [k]: v });
  };
  const patch = diff(saved.data, draft);
  const save = async () => {
    setError(null);
    const r = await api.settingsUpdate(patch);
    if (!r.ok) setError(r.error.message);
    else {
      setNote('Saved.');
      setDraft(r.value);
      saved.reload();
    }
  };
  const num = (v: string, fallback: number) =>
    Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : fallback;

  return (
    <section className="panel" data-panel="settings" data-app-state="ready">
      <h2>Settings</h2>
      <form
        className="settings"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label className="field">
          <span>Camera</span>
          <input
            className="input"
            value={draft.cameraSpec}
            onChange={(e) => set('cameraSpec', e.target.value)}
            data-testid="set-camera"
          />
          <small>
            Which camera the kiosk reads: “push” = this screen’s webcam (desktop app), “webcam:/dev/video0” =
            a USB camera read by the kiosk, “none” = no camera. Recorded frames (“replay:&lt;folder&gt;”) play
            only in a demo or test run.
          </small>
        </label>
        <label className="field">
          <span>Room</span>
          <input
            className="input"
            value={draft.roomId ?? ''}
            onChange={(e) => set('roomId', e.target.value || null)}
          />
          <small>The room this door belongs to. Its timetable decides which class receives the marks.</small>
        </label>
        <label className="field">
          <span>Match threshold: {draft.matchThreshold.toFixed(2)}</span>
          <input
            type="range"
            min={0.3}
            max={0.95}
            step={0.01}
            value={draft.matchThreshold}
            onChange={(e) => set('matchThreshold', Number(e.target.value))}
            data-testid="set-threshold"
          />
          <small>
            How alike a face must be to a student’s photos. Higher = fewer wrong marks but more “not
            recognised”.
          </small>
        </label>
        <label className="field">
          <span>Margin: {draft.matchMargin.toFixed(2)}</span>
          <input
            type="range"
            min={0}
            max={0.3}
            step={0.01}
            value={draft.matchMargin}
            onChange={(e) => set('matchMargin', Number(e.target.value))}
          />
          <small>
            How clearly the best student must beat the next most similar one. Protects look-alikes and
            siblings.
          </small>
        </label>
        <div className="row">
          <label className="field">
            <span>Frames that must agree</span>
            <input
              className="input"
              type="number"
              min={1}
              max={20}
              value={draft.votesNeeded}
              onChange={(e) => set('votesNeeded', num(e.target.value, draft.votesNeeded))}
            />
          </label>
          <label className="field">
            <span>…out of the last</span>
            <input
              className="input"
              type="number"
              min={1}
              max={30}
              value={draft.voteWindow}
              onChange={(e) => set('voteWindow', num(e.target.value, draft.voteWindow))}
            />
          </label>
        </div>
        <small>
          A student is marked only when the same person is seen on enough recent frames, never on one frame.
        </small>
        <label className="field">
          <span>Cooldown (seconds)</span>
          <input
            className="input"
            type="number"
            min={0}
            max={86400}
            value={draft.cooldownSeconds}
            onChange={(e) => set('cooldownSeconds', num(e.target.value, draft.cooldownSeconds))}
          />
          <small>
            After a greeting, the same student is only greeted again (not re-marked) for this long.
          </small>
        </label>
        <label className="field">
          <span>Photo and screen check</span>
          <select
            className="input"
            value={draft.livenessLevel}
            onChange={(e) => set('livenessLevel', e.target.value === 'strict' ? 'strict' : 'standard')}
            data-testid="set-liveness"
          >
            <option value="standard">Standard</option>
            <option value="strict">Strict</option>
          </select>
          <small>
            Before marking anyone, the kiosk checks that a real person is at the door, not a photo or a phone
            screen. Standard rarely asks a real student to look again, but lets more photos through. Strict
            stops more photos and screens, but asks more real students to look at the camera again. Nothing is
            ever marked from a visit that fails the check; it is kept in the audit log.
          </small>
        </label>
        <label className="field field--check">
          <input
            type="checkbox"
            checked={draft.soundCue}
            onChange={(e) => set('soundCue', e.target.checked)}
          />
          <span>Play a sound with each greeting</span>
        </label>
        <label className="field field--check">
          <input
            type="checkbox"
            checked={draft.allowInsecureServer}
            onChange={(e) => set('allowInsecureServer', e.target.checked)}
            data-testid="set-allow-insecure"
          />
          <span>Allow an unencrypted (http://) server on the network</span>
        </label>
        <small>
          Off unless the server has no HTTPS yet: without it, the device key and face templates cross the
          school network in clear.
        </small>
        <div className="row">
          <button
            type="submit"
            className="btn btn--primary"
            data-testid="settings-save"
            disabled={Object.keys(patch).length === 0}
          >
            Save
          </button>
          <button
            type="button"
            className="btn"
            disabled={Object.keys(patch).length === 0}
            onClick={() => setDraft(saved.data)}
          >
            Discard changes
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {note && !error && <p className="ok">{note}</p>}
      </form>
    </section>
  );
}
