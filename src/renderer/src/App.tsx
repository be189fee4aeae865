// Top of the UI: kiosk screen by default; the admin area only through the PIN. Leaving the
// admin area locks the admin session in the core as well.
import { useCallback, useState } from 'react';
import type { UiApi } from './api/checked-api';
import { useKioskState } from './hooks';
import { KioskScreen } from './kiosk/KioskScreen';
import { PinPad } from './admin/PinPad';
import { AdminShell } from './admin/AdminShell';
import { useBrowserCamera } from './camera/use-browser-camera';

type Mode = 'kiosk' | 'pin' | 'admin';

export function App({ api }: { api: UiApi }) {
  const { state, error } = useKioskState(api);
  const [mode, setMode] = useState<Mode>('kiosk');
  const camera = useBrowserCamera(api, state?.browserCamera);
  const exitAdmin = useCallback(() => {
    void api.adminLock();
    setMode('kiosk');
  }, [api]);

  if (!state) {
    return (
      <div className="starting" data-screen="starting" data-app-state="loading">
        <div className="blocker__title">Starting Rollcall…</div>
        {error && <div className="blocker__detail">{error}</div>}
      </div>
    );
  }
  if (mode === 'pin') return <PinPad api={api} onUnlocked={() => setMode('admin')} onCancel={() => setMode('kiosk')} />;
  if (mode === 'admin') return <AdminShell api={api} state={state} stream={camera.stream} onExit={exitAdmin} />;
  return <KioskScreen state={state} stream={camera.stream} cameraError={camera.error} onAdmin={() => setMode('pin')} />;
}
