// Top of the UI: kiosk screen by default; the admin area only through the PIN. Leaving the
// admin area locks the admin session in the core as well. After "Quit Rollcall" the screen
// says so and stays put (the browser bridge goes away under it; Electron closes the window).
import { useCallback, useState } from 'react';
import type { UiApi } from './api/checked-api.js';
import { useKioskState } from './hooks.js';
import { KioskScreen } from './kiosk/KioskScreen.js';
import { PinPad } from './admin/PinPad.js';
import { AdminShell, type AdminTab } from './admin/AdminShell.js';
import { useBrowserCamera } from './camera/use-browser-camera.js';
import { cameraWithPage } from './camera/page-camera.js';
import { useFocusOnMount } from './a11y.js';

type Mode = 'kiosk' | 'pin' | 'admin' | 'closing';

/** A whole-screen message (starting, shutting down): one heading, focused, in a main landmark. */
function Notice({
  screen,
  appState,
  title,
  detail,
}: {
  screen: string;
  appState: string;
  title: string;
  detail: string | null;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <main className="starting" data-screen={screen} data-app-state={appState}>
      <h1 className="blocker__title" ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {detail && <p className="blocker__detail">{detail}</p>}
    </main>
  );
}

export function App({ api }: { api: UiApi }) {
  const { state: coreState, error } = useKioskState(api);
  const [mode, setMode] = useState<Mode>('kiosk');
  const [pinNotice, setPinNotice] = useState<string | null>(null);
  const [adminTab, setAdminTab] = useState<AdminTab>('today');
  const camera = useBrowserCamera(api, coreState?.browserCamera);
  // The page's own camera failing is the camera failing, for every screen alike.
  const state = coreState && { ...coreState, camera: cameraWithPage(coreState, camera.problem) };
  const exitAdmin = useCallback(() => {
    void api.adminLock();
    setMode('kiosk');
  }, [api]);

  if (mode === 'closing') {
    return (
      <Notice
        screen="closing"
        appState="ready"
        title="Rollcall is shutting down"
        detail="The door is not taking attendance. Start Rollcall again to resume."
      />
    );
  }
  if (!state) {
    return <Notice screen="starting" appState="loading" title="Getting ready…" detail={error} />;
  }
  if (mode === 'pin') {
    const leave = (next: Mode) => {
      setPinNotice(null);
      setMode(next);
    };
    return (
      <PinPad
        api={api}
        notice={pinNotice}
        coreLockedUntil={state.pinLockedUntil ?? null}
        onUnlocked={(viaRecovery) => {
          // A recovery code means the PIN is forgotten: straight to "change PIN". A kiosk not
          // paired yet is being set up: straight to pairing (Today has nothing to show yet).
          setAdminTab(viaRecovery ? 'pin' : state.sync.paired ? 'today' : 'sync');
          leave('admin');
        }}
        onCancel={() => leave('kiosk')}
      />
    );
  }
  if (mode === 'admin') {
    return (
      <AdminShell
        api={api}
        state={state}
        stream={camera.stream}
        initialTab={adminTab}
        onExit={exitAdmin}
        onLockedOut={(message) => {
          setPinNotice(message);
          setMode('pin');
        }}
        onQuitting={() => setMode('closing')}
      />
    );
  }
  return (
    <KioskScreen
      state={state}
      stream={camera.stream}
      onAdmin={() => setMode('pin')}
      frameUrl={api.framePreviewUrl}
    />
  );
}
