// Electron main: lifecycle only. Composes the kiosk core, serves the renderer on app://,
// binds the typed IPC, keeps the display awake, restarts a crashed renderer and runs the
// idle-only auto-update. Everything with logic lives in small tested modules beside this.
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, powerSaveBlocker, protocol } from 'electron';
import type { KioskState } from '../contracts/kiosk-api.js';
import { serveAppProtocol } from './app-protocol.js';
import { composeKiosk, type ComposedKiosk } from './compose-kiosk.js';
import { bindKioskIpc, forwardState } from './ipc.js';
import { createFileLogger } from './logger.js';
import { parseMainArgs, type MainArgs } from './main-args.js';
import { applySecurity, registerAppScheme } from './security.js';
import { APP_ENTRY_URL } from './security-policy.js';
import { IdleTracker } from './update-policy.js';
import { startAutoUpdate } from './updater.js';
import { kioskWindowOptions, shouldReloadAfterCrash } from './window-options.js';

// Must happen before `ready`.
registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  // Another kiosk instance owns the camera and the database: this one leaves at once.
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  await app.whenReady();
  const userData = app.getPath('userData');
  const log = createFileLogger(join(userData, 'logs'));
  log.info({ version: app.getVersion(), userData }, 'starting');
  process.on('uncaughtException', (err) => log.fatal({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  applySecurity(log);
  Menu.setApplicationMenu(null);

  // Packaged: models beside the asar (extraResources); from a checkout: resources/models.
  const modelDir = app.isPackaged
    ? join(process.resourcesPath, 'models')
    : join(app.getAppPath(), 'resources', 'models');
  const rendererDir = join(import.meta.dirname, '..', 'renderer');
  const preload = join(import.meta.dirname, '..', 'preload', 'index.cjs');

  let args: MainArgs;
  let kiosk: ComposedKiosk;
  try {
    args = parseMainArgs(process.argv.slice(1));
    kiosk = await composeKiosk({
      dataDir: args.data ?? join(userData, 'kiosk'),
      modelDir,
      logger: log,
      ...(args.server ? { serverUrl: args.server } : {}),
      ...(args.pair ? { pairingCode: args.pair } : {}),
      ...(args.name ? { deviceName: args.name } : {}),
      ...(args.camera ? { camera: args.camera } : {}),
    });
  } catch (err) {
    log.fatal({ err }, 'kiosk core failed to start');
    app.exit(1);
    return;
  }

  serveAppProtocol(protocol, rendererDir, kiosk);
  bindKioskIpc(ipcMain, kiosk, log.child({ component: 'ipc' }));

  let win: BrowserWindow | null = null;
  const crashes: number[] = [];
  const createWindow = () => {
    win = new BrowserWindow(kioskWindowOptions(preload, { kiosk: !args.windowed }));
    win.once('ready-to-show', () => win?.show());
    win.webContents.on('render-process-gone', (_e, details) => {
      log.error({ reason: details.reason, exitCode: details.exitCode }, 'renderer gone');
      crashes.push(Date.now());
      if (details.reason !== 'clean-exit' && shouldReloadAfterCrash(crashes, Date.now()))
        win?.webContents.reload();
    });
    win.on('unresponsive', () => {
      log.warn('renderer unresponsive; reloading');
      win?.webContents.reloadIgnoringCache();
    });
    win.on('closed', () => {
      win = null;
    });
    void win.loadURL(APP_ENTRY_URL);
  };
  createWindow();
  const stopForward = forwardState(kiosk.subscribe, () =>
    win
      ? { isDestroyed: () => win?.isDestroyed() ?? true, send: (c, s) => win?.webContents.send(c, s) }
      : null,
  );

  app.on('second-instance', () => {
    if (!win) return createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  // A kiosk screen must never sleep or blank.
  const blocker = powerSaveBlocker.start('prevent-display-sleep');

  const idle = new IdleTracker();
  const stopIdle = kiosk.subscribe((s: KioskState) => idle.observe(s, Date.now()));
  const updater = startAutoUpdate({
    idle,
    log,
    enabled: app.isPackaged,
    onRefused: (detail) => kiosk.reportUpdateRefused(detail),
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    updater.stop();
    stopIdle();
    stopForward();
    powerSaveBlocker.stop(blocker);
    void kiosk
      .close()
      .catch((err: unknown) => log.error({ err }, 'kiosk close failed'))
      .finally(() => {
        log.info('stopped');
        log.flush();
        app.exit(0);
      });
  });
  app.on('window-all-closed', () => app.quit());
  // "Quit Rollcall" in the admin area: the same path as any quit, so before-quit closes the core.
  kiosk.onQuitRequest(() => {
    log.info('quit requested from the admin area');
    app.quit();
  });
}
