// Top of the UI: kiosk screen by default; the admin area only through the PIN. Leaving the
// admin area locks the admin session in the core as well. After "Quit Rollcall" the screen
// says so and stays put (the browser bridge goes away under it; Electron closes the window).
import { useCallback, useState } from 'react';
import type { UiApi } from './api/checked-api';
import { useKioskState } from './hooks';
import { KioskScreen } from './kiosk/KioskScreen';
import { PinPad } from './admin/PinPad';
import { AdminShell, type AdminTab } from './admin/AdminShell';
import { useBrowserCamera } from './camera/use-browser-camera';

type Mode = 'kiosk' | 'pin' | 'admin' | 'closing';

export function App({ api }: { api: UiApi }) {
  const { state, error } = useKioskState(api);
  const [mode, setMode] = useState<Mode>('kiosk');
  const [pinNotice, setPinNotice] = useState<string | null>(null);
  const [adminTab, setAdminTab] = useState<AdminTab>('today');
  const camera = useBrowserCamera(api, state?.browserCamera);
  const exitAdmin = useCallback(() => {
    void api.adminLock();
    setMode('kiosk');
  }, [api]);

  if (mode === 'closing') {
    return (
      <div className="starting" data-screen="closing" data-app-state="ready">
        <div className="blocker__title">Rollcall is shutting down</div>
        <div className="blocker__detail">The door is not taking attendance. Start Rollcall again to resume.</div>
      </div>
    );
  }
  if (!state) {
    return (
      <div className="starting" data-screen="starting" data-app-state="loading">
        <div className="blocker__title">Starting Rollcall…</div>
        {error && <div className="blocker__detail">{error}</div>}
      </div>
    );
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
        onUnlocked={(viaRecovery) => {
          // A recovery code means the PIN is forgotten: straight to "change PIN".
          setAdminTab(viaRecovery ? 'pin' : 'today');
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
    <KioskScreen state={state} stream={camera.stream} cameraError={camera.error} onAdmin={() => setMode('pin')} frameUrl={api.framePreviewUrl} />
  );
}
