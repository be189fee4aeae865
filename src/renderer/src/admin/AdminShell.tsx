// The admin area: tabs for the five jobs an admin does at the kiosk. Leaving it locks the
// admin session again; an idle admin area locks itself so a walked-away admin leaves no
// open door.
import { useEffect, useState } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api';
import type { UiApi } from '../api/checked-api';
import { EnrolPanel } from './EnrolPanel';
import { RosterPanel } from './RosterPanel';
import { TodayPanel } from './TodayPanel';
import { SyncPanel } from './SyncPanel';
import { SettingsPanel } from './SettingsPanel';

export type AdminTab = 'enrol' | 'roster' | 'today' | 'sync' | 'settings';
const TABS: { id: AdminTab; label: string }[] = [
  { id: 'enrol', label: 'Enrol' },
  { id: 'roster', label: 'Roster' },
  { id: 'today', label: 'Today' },
  { id: 'sync', label: 'Sync' },
  { id: 'settings', label: 'Settings' },
];
const IDLE_LOCK_MS = 3 * 60_000;

interface Props {
  api: UiApi;
  state: KioskState;
  stream: MediaStream | null;
  onExit: () => void;
  initialTab?: AdminTab;
}

export function AdminShell({ api, state, stream, onExit, initialTab = 'today' }: Props) {
  const [tab, setTab] = useState<AdminTab>(initialTab);
  const [enrolFor, setEnrolFor] = useState<string | null>(null);

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
              className={`admin__tab${tab === t.id ? ' admin__tab--on' : ''}`}
              data-testid={`tab-${t.id}`}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <button type="button" className="btn" data-testid="admin-exit" onClick={onExit}>
          Lock &amp; back to kiosk
        </button>
      </header>
      <main className="admin__body">
        {tab === 'enrol' && <EnrolPanel api={api} state={state} stream={stream} preselect={enrolFor} />}
        {tab === 'roster' && (
          <RosterPanel
            api={api}
            onEnrol={(id) => {
              setEnrolFor(id);
              setTab('enrol');
            }}
          />
        )}
        {tab === 'today' && <TodayPanel api={api} state={state} />}
        {tab === 'sync' && <SyncPanel api={api} state={state} />}
        {tab === 'settings' && <SettingsPanel api={api} />}
      </main>
    </div>
  );
}
