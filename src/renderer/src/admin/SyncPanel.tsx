// Sync: is this kiosk paired and healthy? Pairing with a one-time code, last push and pull,
// what is waiting, the last error, a "sync now" with progress, and recent history.
import { useState } from 'react';
import { clockIsOff, describeClockOffset } from '../../../contracts/clock-offset.js';
import { describeKiosk } from '../../../contracts/kiosk-identity.js';
import { PairArgs, unsentTotal, type KioskState, type UnsentCounts } from '../../../contracts/kiosk-api.js';
import type { UiApi } from '../api/checked-api.js';
import { useResult } from '../hooks.js';
import { connectionPill, localTime, pairErrorText, syncErrorText } from '../view-model.js';
import { collapseSyncHistory, historyWhen } from '../sync-history.js';
import { PairingQrScanner } from '../pairing/PairingQrScanner.js';
import { APP_VERSION } from '../app-version.js';

const when = (iso: string | null) => localTime(iso);
/** History lines shown (repeated failures already merged into one). */
const SHOWN_LINES = 20;

export function SyncPanel({
  api,
  state,
  stream = null,
}: {
  api: UiApi;
  state: KioskState;
  /** The page's own camera, when the page owns it (the QR scanner reads it). */
  stream?: MediaStream | null;
}) {
  const sync = state.sync;
  const history = useResult(() => api.syncHistory(), [api, sync.lastPushAt, sync.lastPullAt, sync.lastError]);
  const [serverUrl, setServerUrl] = useState(sync.serverUrl ?? '');
  const [code, setCode] = useState('');
  /** Optional: the server certificate's SHA-256 fingerprint from the admin; empty = trust on first contact. */
  const [fingerprint, setFingerprint] = useState('');
  // Pairing again: the name the server knows this kiosk by (an admin's name is kept anyway).
  const [name, setName] = useState(
    sync.kiosk?.name ?? (state.room ? `Kiosk ${state.room.name}` : 'Door kiosk'),
  );
  /** What went wrong, in words; `detail`: the core's own message, for support, when the words replaced it. */
  const [error, setError] = useState<{ text: string; detail: string | null } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  /**
   * The core refused to pair with another server or site while work for the old one waits
   * (`sync_unsent`): its message, shown with the choice to discard that work, and the counts it
   * names, which the confirmation sends back (the core refuses again if more waits by then).
   * Editing the details withdraws it.
   */
  const [unsent, setUnsent] = useState<{ message: string; counts: UnsentCounts } | null>(null);
  const edited = (set: (v: string) => void) => (v: string) => {
    setUnsent(null);
    set(v);
  };

  const pair = async (discardUnsent?: UnsentCounts) => {
    setError(null);
    setNote(null);
    setUnsent(null);
    const serverFingerprint = fingerprint.trim();
    if (serverFingerprint !== '') {
      const checked = PairArgs.shape.serverFingerprint.safeParse(serverFingerprint);
      if (!checked.success) {
        setError({
          text: `Server certificate fingerprint: ${checked.error.issues[0]?.message ?? 'invalid'}`,
          detail: null,
        });
        return;
      }
    }
    setBusy(true);
    const r = await api.pair({
      serverUrl: serverUrl.trim(),
      code: code.trim(),
      name: name.trim(),
      ...(serverFingerprint !== '' ? { serverFingerprint } : {}),
      ...(discardUnsent ? { discardUnsent } : {}),
    });
    setBusy(false);
    // A refused pairing is in the history too: show it with the rest.
    history.reload();
    if (!r.ok && r.error.code === 'sync_unsent' && r.error.unsent)
      setUnsent({ message: r.error.message, counts: r.error.unsent });
    else if (!r.ok) setError(pairErrorText(r.error.message));
    else {
      setCode('');
      setNote('Paired. The roster is being downloaded.');
    }
  };
  const syncNow = async () => {
    setError(null);
    setNote(null);
    const r = await api.syncNow();
    if (!r.ok) setError(pairErrorText(r.error.message));
    history.reload();
  };

  const connection = connectionPill(sync);
  const pct = Math.round(Math.min(1, Math.max(0, sync.progress)) * 100);
  const lines = collapseSyncHistory(history.data ?? []);
  return (
    <section className="panel" data-panel="sync" data-app-state={history.loaded ? 'ready' : 'loading'}>
      <h2>Sync</h2>
      {unencryptedRemote(sync.serverUrl) && (
        <div className="notice notice--warn" role="status" data-testid="sync-insecure-notice">
          <span>
            <strong>Unencrypted connection.</strong> This kiosk talks to its server over plain http: its
            device key and the face templates cross the network in clear. Give the server an https:// address
            and pair again.
          </span>
        </div>
      )}
      {clockIsOff(sync.clockOffsetMs) && (
        <div className="notice notice--warn" role="status" data-testid="sync-clock-notice">
          <span>
            <strong>This kiosk&apos;s clock is {describeClockOffset(sync.clockOffsetMs)}</strong> compared
            with the server&apos;s. The kiosk decides by its clock which lesson is running and who is late, so
            marks may go to the wrong lesson, and the server refuses marks for lessons that have not begun.
            Set this computer&apos;s date, time and time zone, or turn on network time.
          </span>
        </div>
      )}
      <dl className="facts" data-testid="sync-facts">
        <dt>Server</dt>
        <dd>{sync.serverUrl ?? 'not set'}</dd>
        <dt>Paired</dt>
        <dd data-testid="sync-paired">{sync.paired ? 'yes' : 'no'}</dd>
        {sync.paired && sync.kiosk ? (
          <>
            <dt>This kiosk</dt>
            <dd
              data-testid="sync-kiosk"
              title="As the server names it; renamed in the console, it follows at the next sync"
            >
              {describeKiosk(sync.kiosk)}
            </dd>
          </>
        ) : null}
        <dt>Connection</dt>
        <dd>
          <span className={`pill pill--${connection.tone}`} data-testid="sync-connection">
            {connection.text}
          </span>
        </dd>
        <dt>Marks waiting</dt>
        <dd data-testid="sync-queue">{sync.queueDepth}</dd>
        <dt>Templates waiting</dt>
        <dd>{sync.templateQueueDepth}</dd>
        <dt>Last upload</dt>
        <dd>{when(sync.lastPushAt)}</dd>
        <dt>Last roster download</dt>
        <dd>{when(sync.lastPullAt)}</dd>
        <dt>Clock</dt>
        <dd data-testid="sync-clock">
          {sync.clockOffsetMs === null || sync.clockOffsetMs === undefined
            ? 'not compared yet'
            : clockIsOff(sync.clockOffsetMs)
              ? describeClockOffset(sync.clockOffsetMs)
              : "agrees with the server's"}
        </dd>
        {sync.rejectedCount ? (
          <>
            <dt>Marks refused by the server</dt>
            <dd className="error" title="Kept at the kiosk with the reason; see the history below">
              {sync.rejectedCount}
            </dd>
          </>
        ) : null}
        {sync.rejectedTemplateCount ? (
          <>
            <dt>Face templates refused</dt>
            <dd className="error" data-testid="sync-rejected-templates">
              {sync.rejectedTemplateCount} (no longer used; the Roster says why)
            </dd>
          </>
        ) : null}
        <dt>Rollcall version</dt>
        <dd data-testid="app-version">{APP_VERSION}</dd>
        <dt>Last error</dt>
        <dd
          className={sync.lastError ? 'error' : undefined}
          title={sync.lastError ?? undefined}
          data-testid="sync-last-error"
        >
          {syncErrorText(sync.lastError) ?? 'none'}
        </dd>
      </dl>
      <div className="row">
        <button
          type="button"
          className="btn btn--primary"
          data-testid="sync-now"
          disabled={sync.syncing || !sync.paired}
          onClick={() => void syncNow()}
        >
          {sync.syncing ? 'Syncing…' : 'Sync now'}
        </button>
        {sync.syncing && (
          <div
            className="progress progress--inline"
            role="progressbar"
            aria-label="Sync progress"
            aria-valuenow={pct}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div className="progress__bar" style={{ width: `${pct}%` }} />
          </div>
        )}
      </div>

      <h3>{sync.paired ? 'Pair again' : 'Pair this kiosk'}</h3>
      <p className="muted">
        Create the device on the server, then type its one-time code here, or let this kiosk’s camera read the
        QR code the console shows beside it.
        {sync.paired &&
          ' The same server and site keep this kiosk’s roster and face templates; another server or site replaces them.'}
      </p>
      {scanning ? (
        <PairingQrScanner
          state={state}
          stream={stream}
          frameUrl={api.framePreviewUrl}
          onClose={() => setScanning(false)}
          onFound={(qr) => {
            setScanning(false);
            setServerUrl(qr.server);
            setCode(qr.code);
            setError(null);
            setUnsent(null);
            setNote(
              `Read from the QR code: server ${qr.server}, code ${qr.code}. Check the address, then press Pair.`,
            );
          }}
        />
      ) : (
        <p>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setNote(null);
              setScanning(true);
            }}
            data-testid="pair-qr-scan"
          >
            Scan the QR code
          </button>
        </p>
      )}
      <form
        className="row row--wrap pair-form"
        onSubmit={(e) => {
          e.preventDefault();
          void pair();
        }}
      >
        {/* Visible labels, not placeholders: a filled-in field (the name starts filled) must still
            say what it is to the IT admin checking it before pressing Pair. */}
        <label className="field field--pair field--wide">
          <span>Server address</span>
          <input
            className="input"
            type="url"
            placeholder="https://rollcall.school.example"
            data-testid="pair-url"
            value={serverUrl}
            onChange={(e) => edited(setServerUrl)(e.target.value)}
            required
          />
        </label>
        <label className="field field--pair">
          <span>Pairing code</span>
          <input
            className="input"
            data-testid="pair-code"
            value={code}
            onChange={(e) => edited(setCode)(e.target.value)}
            required
            minLength={4}
            maxLength={64}
          />
        </label>
        <label className="field field--pair">
          <span>Kiosk name</span>
          <input
            className="input"
            data-testid="pair-name"
            value={name}
            onChange={(e) => edited(setName)(e.target.value)}
            required
            maxLength={120}
          />
        </label>
        <label className="field field--pair field--wide">
          <span>Server certificate fingerprint (optional)</span>
          <input
            className="input"
            placeholder="SHA-256, 64 hex digits"
            title="The SHA-256 fingerprint the server printed (64 hex digits, colons allowed). Empty: the certificate is trusted on first contact and pinned."
            data-testid="pair-fingerprint"
            value={fingerprint}
            onChange={(e) => edited(setFingerprint)(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            maxLength={95}
          />
        </label>
        <button type="submit" className="btn btn--primary" data-testid="pair-submit" disabled={busy}>
          {busy ? 'Pairing…' : 'Pair'}
        </button>
      </form>
      {unsent && (
        <div className="notice notice--warn" role="alert" data-testid="pair-unsent">
          <span>
            <strong>Not paired yet.</strong> {unsent.message} Pairing there deletes this kiosk’s roster and
            face templates, and what is listed here is never sent.
          </span>
          <span className="row">
            <button
              type="button"
              className="btn btn--danger"
              data-testid="pair-discard-unsent"
              disabled={busy}
              onClick={() => void pair(unsent.counts)}
            >
              {unsentTotal(unsent.counts) === 1 ? 'Discard it and pair' : 'Discard them and pair'}
            </button>
            <button
              type="button"
              className="btn"
              data-testid="pair-keep-unsent"
              onClick={() => setUnsent(null)}
            >
              Cancel
            </button>
          </span>
        </div>
      )}
      {error && (
        <div role="alert" data-testid="sync-error">
          <p className="error">{error.text}</p>
          {error.detail && (
            <p className="error-detail" data-testid="sync-error-detail">
              For support: {error.detail}
            </p>
          )}
        </div>
      )}
      {note && !error && (
        <p className="ok" data-testid="sync-note">
          {note}
        </p>
      )}

      <h3>Recent sync</h3>
      <table className="table table--compact" data-testid="sync-history">
        <caption className="visually-hidden">Recent sync with the server</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {lines.slice(0, SHOWN_LINES).map((h, i) => (
            // Keyed from the oldest line: a run that grows by a try keeps its row.
            <tr key={`${h.firstAt}-${lines.length - i}`} data-testid="sync-history-line" data-count={h.count}>
              <td>{historyWhen(h)}</td>
              <td>{h.what}</td>
              <td>
                {h.ok ? (
                  <span className="pill pill--good">OK</span>
                ) : (
                  <span
                    className="pill pill--bad"
                    title={h.count > 1 ? `${h.count} tries in a row` : undefined}
                  >
                    Failed
                    {h.count > 1 && (
                      <>
                        <span aria-hidden="true"> ×{h.count}</span>
                        <span className="visually-hidden">, {h.count} tries in a row</span>
                      </>
                    )}
                  </span>
                )}
              </td>
              <td className="table__free" title={h.raw}>
                {h.text}
              </td>
            </tr>
          ))}
          {history.loaded && (history.data ?? []).length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Nothing yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** Plain http to another machine (allowed only with the "allow an unencrypted server" setting). */
function unencryptedRemote(serverUrl: string | null): boolean {
  if (!serverUrl) return false;
  try {
    const u = new URL(serverUrl);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return u.protocol === 'http:' && !(host === 'localhost' || host === '::1' || /^127\./.test(host));
  } catch {
    return false;
  }
}
