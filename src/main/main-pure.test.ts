import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../core/bridge/csp.js';
import {
  APP_ENTRY_URL,
  hardenedWebPreferences,
  isNavigationAllowed,
  isOwnOrigin,
  isPermissionAllowed,
  isPermissionCheckAllowed,
} from './security-policy.js';
import { canInstallNow, feedUrlOrNull, FACE_QUIET_MS, IdleTracker } from './update-policy.js';
import { kioskWindowOptions, shouldReloadAfterCrash } from './window-options.js';

describe('security policy', () => {
  it('treats only app://rollcall as our origin', () => {
    expect(isOwnOrigin(APP_ENTRY_URL)).toBe(true);
    expect(isOwnOrigin('app://rollcall/frame.jpg?seq=3')).toBe(true);
    for (const u of [
      'app://evil/index.html',
      'https://rollcall',
      'file:///etc/passwd',
      'http://127.0.0.1:5173',
      'not a url',
      '',
    ]) {
      expect(isOwnOrigin(u)).toBe(false);
    }
  });
  it('grants only the camera, only to our page', () => {
    expect(isPermissionAllowed('media', APP_ENTRY_URL, ['video'])).toBe(true);
    expect(isPermissionAllowed('media', APP_ENTRY_URL, ['video', 'audio'])).toBe(false);
    expect(isPermissionAllowed('media', APP_ENTRY_URL, ['audio'])).toBe(false);
    expect(isPermissionAllowed('media', APP_ENTRY_URL, [])).toBe(false);
    expect(isPermissionAllowed('media', 'https://evil.example', ['video'])).toBe(false);
    for (const p of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'midi',
      'hid',
      'serial',
      'usb',
    ]) {
      expect(isPermissionAllowed(p, APP_ENTRY_URL, ['video'])).toBe(false);
    }
    expect(isPermissionCheckAllowed('media', 'app://rollcall', 'video')).toBe(true);
    expect(isPermissionCheckAllowed('media', 'app://rollcall', 'audio')).toBe(false);
    expect(isPermissionCheckAllowed('notifications', 'app://rollcall')).toBe(false);
  });
  it('never navigates away from the app', () => {
    expect(isNavigationAllowed('app://rollcall/index.html#admin')).toBe(true);
    expect(isNavigationAllowed('https://example.com')).toBe(false);
    expect(isNavigationAllowed('javascript:alert(1)')).toBe(false);
  });
  it('hardens every window', () => {
    const opts = kioskWindowOptions('/p/preload.cjs');
    expect(opts.webPreferences).toEqual(hardenedWebPreferences('/p/preload.cjs'));
    expect(opts.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
    });
    expect(opts).toMatchObject({ kiosk: true, fullscreen: true, autoHideMenuBar: true });
  });
  it('has a CSP without inline or eval script, and no framing', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });
  it('stops reloading a renderer that keeps crashing', () => {
    expect(shouldReloadAfterCrash([], 100_000)).toBe(true);
    expect(
      shouldReloadAfterCrash(
        [1, 2, 3, 4, 5].map((s) => 100_000 - s * 1000),
        100_000,
      ),
    ).toBe(false);
    expect(shouldReloadAfterCrash([1, 2, 3, 4, 5], 100_000)).toBe(true);
  });
});

describe('update policy', () => {
  const now = 10_000_000;
  const idle = { sessionActive: false, lastFaceAt: null, adminOpen: false, queueDepth: 0, now };
  it('installs when nobody is around and no class is on', () => {
    expect(canInstallNow(idle)).toEqual({ install: true });
    expect(canInstallNow({ ...idle, lastFaceAt: now - FACE_QUIET_MS - 1 })).toEqual({ install: true });
  });
  it('never installs mid-session, with someone at the door or an admin busy', () => {
    expect(canInstallNow({ ...idle, sessionActive: true })).toMatchObject({
      install: false,
      reason: 'a class is in session',
    });
    expect(canInstallNow({ ...idle, lastFaceAt: now - 1000 }).install).toBe(false);
    expect(canInstallNow({ ...idle, adminOpen: true }).install).toBe(false);
  });
  it('tracks idleness from the state stream', () => {
    const t = new IdleTracker();
    t.observe({ faces: [{}], session: null, sync: { queueDepth: 2 } }, now);
    expect(canInstallNow(t.facts(now + 1000)).install).toBe(false);
    t.observe({ faces: [], session: null, sync: { queueDepth: 0 } }, now + FACE_QUIET_MS + 10);
    expect(canInstallNow(t.facts(now + FACE_QUIET_MS + 10)).install).toBe(true);
    t.observe({ faces: [], session: { id: 'x' }, sync: { queueDepth: 0 } }, now + FACE_QUIET_MS + 20);
    expect(canInstallNow(t.facts(now + FACE_QUIET_MS + 20)).install).toBe(false);
  });
  it('accepts only https feed URLs', () => {
    expect(feedUrlOrNull('https://updates.example/rollcall')).toBe('https://updates.example/rollcall');
    expect(feedUrlOrNull('http://updates.example/rollcall')).toBeNull();
    expect(feedUrlOrNull('file:///tmp/feed')).toBeNull();
    expect(feedUrlOrNull('nonsense')).toBeNull();
    expect(feedUrlOrNull(null)).toBeNull();
  });
});
