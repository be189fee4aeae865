// Pure security decisions for the Electron shell, kept free of `electron` imports so they
// are unit-tested here (no Electron binary on CI). src/main/security.ts applies them.

/** The page is served from our own privileged scheme, never from file:// or http. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'rollcall';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export function isOwnOrigin(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The only permission the kiosk page gets is the camera ('media' with video only), and only
 * for our own origin. Microphone, notifications, geolocation, … are all refused.
 */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  mediaTypes: readonly string[] = [],
): boolean {
  if (!isOwnOrigin(requestingUrl)) return false;
  if (permission === 'media') return mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
  return false;
}

/** Permission *checks* (not requests) happen for enumerateDevices etc.; same rule. */
export function isPermissionCheckAllowed(
  permission: string,
  requestingOrigin: string,
  mediaType?: string,
): boolean {
  if (!isOwnOrigin(requestingOrigin)) return false;
  return (
    permission === 'media' && (mediaType === undefined || mediaType === 'video' || mediaType === 'unknown')
  );
}

/** Navigation away from our page is never allowed (a link or a redirect must not leave it). */
export function isNavigationAllowed(targetUrl: string): boolean {
  return isOwnOrigin(targetUrl);
}

/** webPreferences every window gets; asserted in tests so a change is a deliberate one. */
export function hardenedWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: false,
  } as const;
}
