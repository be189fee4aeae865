// The admin area: tabs for the jobs an admin does at the kiosk, plus "Quit Rollcall". Leaving
// it locks the admin session again; an idle admin area locks itself so a walked-away admin
// leaves no open door. While the PIN is the factory one, every tab carries a prompt to set one
// (the door keeps working meanwhile). Likewise, after a face-model change, every other tab
// says how many students must be enrolled again and leads to them in the roster.
import { useEffect, useState } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api';
import type { UiApi } from '../api/checked-api';
import { EnrolPanel } from './EnrolPanel';
import { RosterPanel } from './RosterPanel';
import { TodayPanel } from './TodayPanel';
import { SyncPanel } from './SyncPanel';
import { SettingsPanel } from './SettingsPanel';
import { PinPanel } from './PinPanel';
import { QuitDialog } from './QuitDialog';
import { useResult } from '../hooks';

export type AdminTab = 'enrol' | 'roster' | 'today' | 'sync' | 'settings' | 'pin';
const TABS: { id: AdminTab; label: string }[] = [
  { id: 'enrol', label: 'Enrol' },
  { id: 'roster', label: 'Roster' },
  { id: 'today', label: 'Today' },
  { id: 'sync', label: 'Sync' },
  { id: 'settings', label: 'Settings' },
  { id: 'pin', label: 'PIN' },
];
const IDLE_LOCK_MS = 3 * 60_000;

interface Props {
  api: UiApi;
  state: KioskState;
  stream: MediaStream | null;
  onExit: () => void;
  /** Too many wrong PINs while changing it: the core closed the session. */
  onLockedOut: (message: string) => void;
  /** The core accepted "Quit Rollcall"; the host is shutting down. */
  onQuitting: () => void;
  initialTab?: AdminTab;
}

export function AdminShell({ api, state, stream, onExit, onLockedOut, onQuitting, initialTab = 'today' }: Props) {
  const [chosenTab, setTab] = useState<AdminTab>(initialTab);
  const [enrolFor, setEnrolFor] = useState<string | null>(null);
  const [confirmQuit, setConfirmQuit] = useState(false);
  const [rosterOnlyReEnrol, setRosterOnlyReEnrol] = useState(false);
  const toReEnrol = state.templateCoverage?.needReEnrolment ?? 0;
  const status = useResult(() => api.adminStatus(), [api]);
  const factoryPin = status.data?.factoryPin ?? false;
  const pinRecovery = status.data?.pinRecovery ?? false;
  // Opened with the factory PIN: straight to "set a new PIN"; the core refuses everything else
  // (pin_change_required) until one is set, so the other tabs are not offered meanwhile.
  const tab = factoryPin ? 'pin' : chosenTab;
  // Stay on the PIN tab once the new PIN is set, so its confirmation is seen.
  useEffect(() => {
    if (factoryPin) setTab('pin');
  }, [factoryPin]);

  useEffect(() => {
    let timer = setTimeout(onExit, IDLE_LOCK_MS);
    const poke = () => {
      clearTimeout(timer);
      timer = setTimeout(onExit, IDLE_LOCK_MS);
    };
    window.addEventListener('pointerdown', poke);
    window.addEventListener('keydown', poke);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', poke);
      window.removeEventListener('keydown', poke);
    };
  }, [onExit]);

  return (
    <div className="admin" data-screen="admin">
      <header className="admin__bar">
        <nav className="admin__tabs" role="tablist">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              disabled={factoryPin && t.id !== 'pin'}
              className={`admin__tab${tab === t.id ? ' admin__tab--on' : ''}`}
              data-testid={`tab-${t.id}`}
              onClick={() => {
                setRosterOnlyReEnrol(false);
                setTab(t.id);
              }}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <div className="row">
          <button type="button" className="btn" data-testid="admin-quit" onClick={() => setConfirmQuit(true)}>
            Quit Rollcall
          </button>
          <button type="button" className="btn" data-testid="admin-exit" onClick={onExit}>
            Lock &amp; back to kiosk
          </button>
        </div>
      </header>
      {toReEnrol > 0 && tab !== 'roster' && tab !== 'enrol' && (
        // Said on every other tab: after a model upgrade these students silently stop being
        // recognised, and the admin is often here for something else (the door is not told).
        <div className="notice notice--warn" role="status" data-testid="reenrol-notice">
          <span>
            <strong>
              {toReEnrol} {toReEnrol === 1 ? 'student is' : 'students are'} no longer recognised: the face model changed.
            </strong>{' '}
            Enrol them again from the roster.
          </span>
          <button
            type="button"
            className="btn btn--primary"
            data-testid="reenrol-show"
            onClick={() => {
              setRosterOnlyReEnrol(true);
              setTab('roster');
            }}
          >
            Show them
          </button>
        </div>
      )}
      <main className="admin__body">
        {tab === 'enrol' && <EnrolPanel api={api} state={state} stream={stream} preselect={enrolFor} />}
        {tab === 'roster' && (
          <RosterPanel
            api={api}
            coverage={state.templateCoverage ?? null}
            initialOnlyReEnrol={rosterOnlyReEnrol}
            onEnrol={(id) => {
              setEnrolFor(id);
              setTab('enrol');
            }}
          />
        )}
        {tab === 'today' && <TodayPanel api={api} state={state} />}
        {tab === 'sync' && <SyncPanel api={api} state={state} />}
        {tab === 'settings' && <SettingsPanel api={api} />}
        {tab === 'pin' && <PinPanel api={api} factoryPin={factoryPin} recovery={pinRecovery} onChanged={status.reload} onLockedOut={onLockedOut} />}
      </main>
      {confirmQuit && <QuitDialog api={api} onCancel={() => setConfirmQuit(false)} onQuitting={onQuitting} />}
    </div>
  );
}
