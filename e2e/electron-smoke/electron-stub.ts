// A recording stand-in for the `electron` module, so the BUILT main process (out/main/index.js)
// can run under plain Node here, where the Electron binary cannot be downloaded. It records
// what main asks of Electron (windows, protocol, IPC, permissions, power); probe.ts reads it.
// Loaded in place of `electron` by hooks.mjs; configured by STUB_USER_DATA / STUB_APP_PATH.
type Handler = (...args: unknown[]) => unknown;

class Emitter {
  readonly handlers = new Map<string, Handler[]>();
  on(event: string, h: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), h]);
    return this;
  }
  once(event: string, h: Handler) {
    return this.on(event, h);
  }
  emit(event: string, ...args: unknown[]) {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }
}

export const recorded = {
  privilegedSchemes: [] as unknown[],
  protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
  ipcHandlers: new Map<string, Handler>(),
  ipcListeners: new Map<string, Handler>(),
  windows: [] as BrowserWindow[],
  permissionRequest: null as Handler | null,
  permissionCheck: null as Handler | null,
  headersReceived: null as Handler | null,
  powerSaveBlockers: [] as string[],
  exitCode: null as number | null,
  quitCalls: 0,
  menu: 'unset' as unknown,
};

class WebContents extends Emitter {
  sent: unknown[][] = [];
  windowOpenHandler: Handler | null = null;
  reloads = 0;
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  setWindowOpenHandler(h: Handler) {
    this.windowOpenHandler = h;
  }
  reload() {
    this.reloads++;
  }
  reloadIgnoringCache() {
    this.reloads++;
  }
  getURL() {
    return 'app://rollcall/index.html';
  }
}

export class BrowserWindow extends Emitter {
  readonly webContents = new WebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    recorded.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
  }
  show() {}
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
}

class App extends Emitter {
  isPackaged = false;
  constructor(
    private readonly userData: string,
    private readonly appPath: string,
  ) {
    super();
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  getPath(name: string) {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
    return this.userData;
  }
  getAppPath() {
    return this.appPath;
  }
  getVersion() {
    return '0.0.0-test';
  }
  /** Like Electron: a quit starts with `before-quit`, which main may prevent to close the core first. */
  quit() {
    recorded.quitCalls += 1;
    this.emit('before-quit', { preventDefault: () => {} });
  }
  exit(code: number) {
    recorded.exitCode = code;
  }
}

export const app = new App(
  process.env.STUB_USER_DATA ?? '/nonexistent',
  process.env.STUB_APP_PATH ?? process.cwd(),
);

export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown[]) => void recorded.privilegedSchemes.push(...schemes),
  handle: (scheme: string, h: (req: Request) => Promise<Response>) =>
    void recorded.protocolHandlers.set(scheme, h),
};
export const ipcMain = {
  handle: (c: string, h: Handler) => void recorded.ipcHandlers.set(c, h),
  removeHandler: (c: string) => void recorded.ipcHandlers.delete(c),
  on: (c: string, h: Handler) => void recorded.ipcListeners.set(c, h),
  removeAllListeners: (c: string) => void recorded.ipcListeners.delete(c),
};
export const Menu = { setApplicationMenu: (m: unknown) => void (recorded.menu = m) };
export const powerSaveBlocker = {
  start: (kind: string) => (recorded.powerSaveBlockers.push(kind), 1),
  stop: () => {},
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h: Handler) => void (recorded.permissionRequest = h),
    setPermissionCheckHandler: (h: Handler) => void (recorded.permissionCheck = h),
    setDevicePermissionHandler: () => {},
    webRequest: { onHeadersReceived: (h: Handler) => void (recorded.headersReceived = h) },
  },
};
export const shell = { openExternal: async () => {} };
