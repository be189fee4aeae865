// The confirm step in front of "Quit Rollcall": quitting stops the door until someone starts
// the app again, so it takes a second, deliberate press. Marks already taken are safe (they
// sit in the kiosk's database and upload on the next start); the dialog says so.
import { useState } from 'react';
import type { UiApi } from '../api/checked-api';

interface Props {
  api: UiApi;
  onCancel: () => void;
  /** The core accepted: the host is shutting the kiosk down. */
  onQuitting: () => void;
}

export function QuitDialog({ api, onCancel, onQuitting }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const quit = async () => {
    setBusy(true);
    const r = await api.appQuit({ confirm: true });
    setBusy(false);
    if (r.ok && r.value.quitting) onQuitting();
    else setError(r.ok ? 'The kiosk did not quit.' : r.error.message);
  };

  return (
    <div className="modal" role="presentation">
      <div className="modal__box" role="alertdialog" aria-modal="true" aria-labelledby="quit-title" data-testid="quit-confirm">
        <h2 id="quit-title">Quit Rollcall?</h2>
        <p>The door stops taking attendance until Rollcall is started again. Marks already taken are kept and upload when it next runs.</p>
        {error && (
          <p className="error" role="alert" data-testid="quit-error">
            {error}
          </p>
        )}
        <div className="row modal__actions">
          <button type="button" className="btn" data-testid="quit-cancel" onClick={onCancel} autoFocus>
            Cancel
          </button>
          <button type="button" className="btn btn--danger" data-testid="quit-yes" disabled={busy} onClick={() => void quit()}>
            Quit Rollcall
          </button>
        </div>
      </div>
    </div>
  );
}
