// Window and session hardening, all in one place (CONVENTIONS.md 6). The decisions are pure
// functions in security-policy.ts (unit-tested); this file applies them to Electron.
import { app, session, shell, type Session, type WebContents } from 'electron';
import type { Logger } from 'pino';
import { contentSecurityPolicy } from '../core/bridge/csp.js';
import {
  APP_SCHEME,
  isNavigationAllowed,
  isOwnOrigin,
  isPermissionAllowed,
  isPermissionCheckAllowed,
} from './security-policy.js';

export { hardenedWebPreferences } from './security-policy.js';

/** Before `ready`: our scheme behaves like https (secure context, so getUserMedia works). */
export function registerAppScheme(protocolApi: Electron.Protocol): void {
  protocolApi.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

export function hardenSession(ses: Session, log: Logger): void {
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const allowed = isPermissionAllowed(
      permission,
      details.requestingUrl ?? webContents.getURL(),
      mediaTypes,
    );
    if (!allowed) log.warn({ permission, url: details.requestingUrl }, 'permission refused');
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    isPermissionCheckAllowed(
      permission,
      requestingOrigin,
      'mediaType' in details ? details.mediaType : undefined,
    ),
  );
  ses.setDevicePermissionHandler(() => false);
  // The CSP also travels with every response of our protocol; this covers anything else.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] },
    });
  });
}

function hardenWebContents(contents: WebContents, log: Logger): void {
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) {
      event.preventDefault();
      log.warn({ url }, 'navigation refused');
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview refused');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn({ url }, 'new window refused');
    return { action: 'deny' };
  });
}

/** Applies the hardening to the default session and to every web contents ever created. */
export function applySecurity(log: Logger): void {
  hardenSession(session.defaultSession, log);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, log));
  // Nothing in the kiosk opens external links; make sure nothing can.
  shell.openExternal = async () => {
    log.warn('openExternal refused');
  };
}

export { isOwnOrigin };
