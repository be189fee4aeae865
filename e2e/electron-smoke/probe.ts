// Runs inside the child process beside the built main (see electron-main.e2e.ts): waits for
// main to open its window, exercises what main set up through the stub, prints one
// `PROBE {json}` line with the findings. It quits the app the way an admin would: unlock with
// the (fresh kiosk's factory) PIN, set a new PIN (the factory PIN opens nothing else), and
// "Quit Rollcall" over the typed IPC; main must then call app.quit() and close the core (exit 0).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ADMIN_PIN } from '../../src/core/store/admin-pin.js';
import { app, recorded } from './electron-stub.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const own = { senderFrame: { url: 'app://rollcall/index.html' } };

async function waitFor(test: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return true;
    await sleep(100);
  }
  return false;
}

async function probe(): Promise<Record<string, unknown>> {
  await waitFor(() => recorded.windows.length > 0 || recorded.exitCode !== null, 60_000);
  if (recorded.exitCode !== null || recorded.windows.length === 0) {
    const log = join(process.env.STUB_USER_DATA ?? '', 'logs', 'rollcall.log');
    return {
      failed: true,
      exitCode: recorded.exitCode,
      log: existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : null,
    };
  }
  const win = recorded.windows[0]!;
  const handle = recorded.protocolHandlers.get('app')!;
  const page = await handle(new Request('app://rollcall/index.html'));
  const pageText = await page.text();
  const foreignHost = (await handle(new Request('app://other/index.html'))).status;
  const frameBefore = (await handle(new Request('app://rollcall/frame.jpg?seq=1'))).status;

  const ipc = (channel: string, event: unknown, arg?: unknown) =>
    recorded.ipcHandlers.get(channel)!(event, arg) as Promise<{
      ok: boolean;
      value?: unknown;
      error?: { code: string };
    }>;
  const foreignCall = await ipc('kiosk:getState', { senderFrame: { url: 'https://evil.example/' } });
  let engine: unknown = null;
  await waitFor(async () => {
    const r = await ipc('kiosk:getState', own);
    engine = r.ok ? (r.value as { engine: { state: string } }).engine : null;
    return (engine as { state?: string } | null)?.state !== 'loading';
  }, 120_000);
  const badPin = await ipc('admin:unlock', own, { pin: 'x' });

  const decide = (permission: string, url: string, mediaTypes: string[]) => {
    let answer: boolean | null = null;
    recorded.permissionRequest!({ getURL: () => url }, permission, (ok: boolean) => (answer = ok), {
      requestingUrl: url,
      mediaTypes,
    });
    return answer;
  };
  let navigationPrevented = false;
  win.webContents.emit(
    'will-navigate',
    { preventDefault: () => (navigationPrevented = true) },
    'https://evil.example/',
  );
  const windowOpen = win.webContents.windowOpenHandler?.({ url: 'https://evil.example/' });
  win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
  const reloadsAfterCrash = win.webContents.reloads;

  const unlock = await ipc('admin:unlock', own, { pin: DEFAULT_ADMIN_PIN });
  const quitBeforeNewPin = await ipc('app:quit', own, { confirm: true });
  const newPin = '480317';
  const pinChange = await ipc('admin:changePin', own, {
    currentPin: DEFAULT_ADMIN_PIN,
    newPin,
    confirmPin: newPin,
  });
  const quitAnswer = await ipc('app:quit', own, { confirm: true });
  await waitFor(() => recorded.exitCode !== null, 30_000);

  return {
    failed: false,
    privilegedSchemes: recorded.privilegedSchemes,
    windows: recorded.windows.length,
    loadedUrl: win.loadedUrl,
    webPreferences: win.options.webPreferences,
    kiosk: win.options.kiosk,
    menu: recorded.menu,
    powerSaveBlockers: recorded.powerSaveBlockers,
    page: {
      status: page.status,
      csp: page.headers.get('content-security-policy'),
      hasRoot: pageText.includes('<div id="root">'),
    },
    foreignHost,
    frameBefore,
    ipcChannels: [...recorded.ipcHandlers.keys()].sort(),
    cameraFrameListener: recorded.ipcListeners.has('camera:frame'),
    foreignCall,
    engine,
    badPin,
    permissions: {
      cameraOwn: decide('media', 'app://rollcall/index.html', ['video']),
      microphoneOwn: decide('media', 'app://rollcall/index.html', ['audio']),
      geolocationOwn: decide('geolocation', 'app://rollcall/index.html', []),
      cameraForeign: decide('media', 'https://evil.example/', ['video']),
    },
    navigationPrevented,
    windowOpen,
    reloadsAfterCrash,
    unlock,
    quitBeforeNewPin,
    pinChange,
    quitAnswer,
    quitCalls: recorded.quitCalls,
  };
}

void probe().then(async (report) => {
  process.stdout.write(`PROBE ${JSON.stringify(report)}\n`);
  if (!report.failed && recorded.exitCode === null) {
    // The admin quit did not end the app (the test fails on quitCalls); still close the core cleanly.
    app.emit('before-quit', { preventDefault: () => {} });
    await waitFor(() => recorded.exitCode !== null, 30_000);
  }
  process.stdout.write(`EXIT ${JSON.stringify({ exitCode: recorded.exitCode })}\n`);
  process.exit(0);
});
