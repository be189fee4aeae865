// The kiosk window: full screen, kiosk mode, no menu, hardened web preferences.
import type { BrowserWindowConstructorOptions } from 'electron';
import { hardenedWebPreferences } from './security-policy.js';

export function kioskWindowOptions(
  preloadPath: string,
  opts: { kiosk: boolean } = { kiosk: true },
): BrowserWindowConstructorOptions {
  return {
    show: false,
    fullscreen: opts.kiosk,
    kiosk: opts.kiosk,
    autoHideMenuBar: true,
    frame: !opts.kiosk,
    backgroundColor: '#0d1117',
    title: 'Rollcall',
    width: 1280,
    height: 720,
    webPreferences: { ...hardenedWebPreferences(preloadPath) },
  };
}

/** Crashes back-to-back mean something is broken; stop reloading and show the error page. */
export function shouldReloadAfterCrash(
  recentCrashTimes: number[],
  now: number,
  windowMs = 60_000,
  maxCrashes = 5,
): boolean {
  return recentCrashTimes.filter((t) => now - t < windowMs).length < maxCrashes;
}
