// The admin area: tabs for the jobs an admin does at the kiosk, plus "Quit Rollcall". Leaving
// it locks the admin session again; an idle admin area locks itself so a walked-away admin
// leaves no open door. While the PIN is the factory one, every tab carries a prompt to set one
// (the door keeps working meanwhile). Likewise, after a face-model change, every other tab
// says how many students must be enrolled again and leads to them in the roster.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api.js';
import type { UiApi } from '../api/checked-api.js';
import { EnrolPanel } from './EnrolPanel.js';
import { RosterPanel } from './RosterPanel.js';
import { TodayPanel } from './TodayPanel.js';
import { SyncPanel } from './SyncPanel.js';
import { SettingsPanel } from './SettingsPanel.js';
import { PinPanel } from './PinPanel.js';
import { QuitDialog } from './QuitDialog.js';
import { useIdleTimeout, useResult } from '../hooks.js';
import { useFocusOnMount } from '../a11y.js';
import { doorProblemForAdmin, nobodyRecognisable } from '../view-model.js';
import { noticeOffersCameraSettings } from './enrol-camera.js';

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
  /** `camera` includes the page's own camera problems (App: cameraWithPage). */
  state: KioskState;
  stream: MediaStream | null;
  onExit: () => void;
  /** Too many wrong PINs while changing it: the core closed the session. */
  onLockedOut: (message: string) => void;
  /** The core accepted "Quit Rollcall"; the host is shutting down. */
  onQuitting: () => void;
  initialTab?: AdminTab;
}

export function AdminShell({
  api,
  state,
  stream,
  onExit,
  onLockedOut,
  onQuitting,
  initialTab = 'today',
}: Props) {
  const [chosenTab, setTabState] = useState<AdminTab>(initialTab);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const panelRef = useRef<HTMLDivElement>(null);
  const quitButton = useRef<HTMLButtonElement>(null);
  const tabRefs = useRef(new Map<AdminTab, HTMLButtonElement>());
  // A jump from a notice's button (which then disappears) lands on the new tab's panel.
  const [focusPanel, setFocusPanel] = useState(false);
  const goTo = (next: AdminTab) => {
    setTabState(next);
    setFocusPanel(true);
  };
  useEffect(() => {
    if (!focusPanel) return;
    setFocusPanel(false);
    panelRef.current?.focus();
  }, [focusPanel]);
  const setTab = (next: AdminTab) => {
    setRosterOnlyReEnrol(false);
    setTabState(next);
  };
  // Tabs as in the ARIA authoring practices: one tab stop; arrows, Home and End move and select.
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>, at: number) => {
    const moves: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      Home: 0,
      End: TABS.length - 1,
    };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const next = TABS[(target + TABS.length) % TABS.length];
    if (!next) return;
    setTab(next.id);
    tabRefs.current.get(next.id)?.focus();
  };
  const doorProblem = doorProblemForAdmin(state);
  const [enrolFor, setEnrolFor] = useState<string | null>(null);
  const [confirmQuit, setConfirmQuit] = useState(false);
  const [rosterOnlyReEnrol, setRosterOnlyReEnrol] = useState(false);
  const toReEnrol = state.templateCoverage?.needReEnrolment ?? 0;
  const status = useResult(() => api.adminStatus(), [api]);
  const factoryPin = status.data?.factoryPin ?? false;
  const pinRecovery = status.data?.pinRecovery ?? false;
  // Opened with the factory PIN: straight to "set a new PIN"; the core refuses everything else
  // (pin_change_required) until one is set, so the other tabs are not offered meanwhile.
  const tab: AdminTab = factoryPin ? 'pin' : chosenTab;
  // Stay on the PIN tab once the new PIN is set, so its confirmation is seen.
  useEffect(() => {
    if (factoryPin) setTabState('pin');
  }, [factoryPin]);

  useIdleTimeout(IDLE_LOCK_MS, onExit);

  return (
    <div className="admin" data-screen="admin">
      {/* Behind an open dialog everything is inert: Tab stays in the dialog, clicks do nothing. */}
      <header className="admin__bar" inert={confirmQuit}>
        <h1 className="admin__title" ref={heading} tabIndex={-1}>
          Admin
        </h1>
        <div className="admin__tabs" role="tablist" aria-label="Admin sections">
          {TABS.map((t, i) => (
            <button
              key={t.id}
              ref={(el) => {
                if (el) tabRefs.current.set(t.id, el);
                else tabRefs.current.delete(t.id);
              }}
              type="button"
              role="tab"
              id={`admin-tab-${t.id}`}
              aria-selected={tab === t.id}
              disabled={factoryPin && t.id !== 'pin'}
              aria-controls="admin-panel"
              tabIndex={tab === t.id ? 0 : -1}
              className={`admin__tab${tab === t.id ? ' admin__tab--on' : ''}`}
              data-testid={`tab-${t.id}`}
              onClick={() => setTab(t.id)}
              onKeyDown={(e) => onTabKey(e, i)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div className="row admin__actions">
          <button
            type="button"
            className="btn"
            data-testid="admin-quit"
            ref={quitButton}
            onClick={() => setConfirmQuit(true)}
          >
            Quit Rollcall
          </button>
          <button type="button" className="btn" data-testid="admin-exit" onClick={onExit}>
            Lock &amp; back to kiosk
          </button>
        </div>
      </header>
      <div className="admin__notices" inert={confirmQuit}>
        {doorProblem && (
          // Students only see "Attendance is paused"; the technical reason is for the admin.
          <div className="notice notice--warn" role="status" data-testid="door-problem-notice">
            <span>
              <strong>The door is not working.</strong> {doorProblem}
            </span>
            {noticeOffersCameraSettings(tab, state, stream !== null) && (
              <button type="button" className="btn" onClick={() => goTo('settings')}>
                Camera settings
              </button>
            )}
          </div>
        )}
        {!state.sync.paired && tab !== 'sync' && !factoryPin && (
          // The door of an unpaired kiosk says only "not taking attendance yet": the IT admin
          // setting it up learns here what is missing and where to do it.
          <div className="notice notice--warn" role="status" data-testid="unpaired-notice">
            <span>
              <strong>This kiosk is not paired with a server yet.</strong> The door takes no attendance until
              it is: in the staff console, <em>Kiosks</em> → <em>Add a kiosk</em>, then type its code here or
              let this kiosk scan its QR code.
            </span>
            <button type="button" className="btn btn--primary" onClick={() => goTo('sync')}>
              Pair this kiosk
            </button>
          </div>
        )}
        {nobodyRecognisable(state) && tab !== 'enrol' && (
          // A first set-up that stopped half-way (photos never imported): the door answers "not
          // recognised" to everyone, and this is the one place that says why.
          <div className="notice notice--warn" role="status" data-testid="nobody-recognisable-notice">
            <span>
              <strong>Nobody can be recognised yet:</strong> no student of this kiosk&rsquo;s school has a
              face on record. Add their photos in the staff console (Students), or enrol them here.
            </span>
            <button type="button" className="btn" onClick={() => goTo('enrol')}>
              Enrol
            </button>
          </div>
        )}
        {toReEnrol > 0 && tab !== 'roster' && tab !== 'enrol' && (
          // Said on every other tab: after a model upgrade these students silently stop being
          // recognised, and the admin is often here for something else (the door is not told).
          <div className="notice notice--warn" role="status" data-testid="reenrol-notice">
            <span>
              <strong>
                {toReEnrol} {toReEnrol === 1 ? 'student is' : 'students are'} no longer recognised: the face
                model changed.
              </strong>{' '}
              Enrol them again from the roster.
            </span>
            <button
              type="button"
              className="btn btn--primary"
              data-testid="reenrol-show"
              onClick={() => {
                goTo('roster');
                setRosterOnlyReEnrol(true);
              }}
            >
              Show them
            </button>
          </div>
        )}
      </div>
      <main className="admin__body" inert={confirmQuit}>
        <div
          className="admin__panel"
          id="admin-panel"
          role="tabpanel"
          aria-labelledby={`admin-tab-${tab}`}
          tabIndex={-1}
          ref={panelRef}
        >
          {tab === 'enrol' && (
            <EnrolPanel
              api={api}
              state={state}
              stream={stream}
              preselect={enrolFor}
              onCameraSettings={() => goTo('settings')}
            />
          )}
          {tab === 'roster' && (
            <RosterPanel
              api={api}
              coverage={state.templateCoverage ?? null}
              initialOnlyReEnrol={rosterOnlyReEnrol}
              onEnrol={(id) => {
                setEnrolFor(id);
                goTo('enrol');
              }}
            />
          )}
          {tab === 'today' && <TodayPanel api={api} state={state} />}
          {tab === 'sync' && <SyncPanel api={api} state={state} stream={stream} />}
          {tab === 'settings' && <SettingsPanel api={api} />}
          {tab === 'pin' && (
            <PinPanel
              api={api}
              factoryPin={factoryPin}
              recovery={pinRecovery}
              onChanged={status.reload}
              onLockedOut={onLockedOut}
            />
          )}
        </div>
      </main>
      {confirmQuit && (
        <QuitDialog
          api={api}
          onCancel={() => {
            setConfirmQuit(false);
            // Back where the admin was: on "Quit Rollcall" (after the inert header is live again).
            requestAnimationFrame(() => quitButton.current?.focus());
          }}
          onQuitting={onQuitting}
        />
      )}
    </div>
  );
}
