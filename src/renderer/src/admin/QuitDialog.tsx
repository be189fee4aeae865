// The confirm step in front of "Quit Rollcall": quitting stops the door until someone starts
// the app again, so it takes a second, deliberate press. Marks already taken are safe (they
// sit in the kiosk's database and upload on the next start); the dialog says so.
import { useRef, useState, type KeyboardEvent } from 'react';
import type { UiApi } from '../api/checked-api.js';

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

  // The page behind is inert (AdminShell); this keeps Tab cycling inside the dialog too, and
  // Escape is the same as Cancel (the caller puts focus back on the button that opened it).
  const box = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const focusable = Array.from(
      box.current.querySelectorAll<HTMLElement>(
        'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])',
      ),
    );
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="modal" role="presentation">
      <div
        className="modal__box"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="quit-title"
        aria-describedby="quit-what"
        data-testid="quit-confirm"
        ref={box}
        onKeyDown={onKeyDown}
      >
        <h2 id="quit-title">Quit Rollcall?</h2>
        <p id="quit-what">
          The door stops taking attendance until Rollcall is started again. Marks already taken are kept and
          upload when it next runs.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="quit-error">
            {error}
          </p>
        )}
        <div className="row modal__actions">
          <button type="button" className="btn" data-testid="quit-cancel" onClick={onCancel} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn--danger"
            data-testid="quit-yes"
            disabled={busy}
            onClick={() => void quit()}
          >
            Quit Rollcall
          </button>
        </div>
      </div>
    </div>
  );
}
