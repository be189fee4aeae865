// Smoke test of the BUILT Electron main process (out/main/index.js) under plain Node, with a
// recording stand-in for `electron` (there is no Electron binary here). It proves the bundle
// loads, composes the real kiosk core, starts the bundled face-engine worker
// (out/main/worker-entry.js), serves the page on app://, binds the typed IPC for our page
// only, applies the hardening, reloads a crashed renderer and shuts down cleanly.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIOSK_CHANNELS } from '../src/contracts/kiosk-api.js';

const ROOT = resolve(import.meta.dirname, '..');
const userData = mkdtempSync(join(tmpdir(), 'rollcall-electron-'));
let report: Record<string, unknown> = {};
let exit: { exitCode: number | null } = { exitCode: null };

beforeAll(async () => {
  const child = spawn(process.execPath, ['e2e/electron-smoke/run.mjs', '--camera', 'none', '--windowed'], {
    cwd: ROOT,
    env: { ...process.env, STUB_USER_DATA: userData, STUB_APP_PATH: ROOT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const line = (tag: string) =>
    out
      .split('\n')
      .find((l) => l.startsWith(`${tag} `))
      ?.slice(tag.length + 1);
  const probe = line('PROBE');
  if (!probe) throw new Error(`no probe report (exit ${code}):\n${out.slice(-2000)}\n${err.slice(-2000)}`);
  report = JSON.parse(probe) as Record<string, unknown>;
  exit = JSON.parse(line('EXIT') ?? '{"exitCode":null}') as typeof exit;
  if (report.failed) throw new Error(`main failed to start: ${JSON.stringify(report)}`);
});
afterAll(() => rmSync(userData, { recursive: true, force: true }));

describe('Electron main (built bundle, stubbed electron)', () => {
  it('was built with its worker entry and a CommonJS preload', () => {
    for (const f of ['out/main/index.js', 'out/main/worker-entry.js', 'out/preload/index.cjs'])
      expect(existsSync(join(ROOT, f))).toBe(true);
  });

  it('opens one hardened window on app://rollcall and keeps the display awake', () => {
    expect(report.windows).toBe(1);
    expect(report.loadedUrl).toBe('app://rollcall/index.html');
    expect(report.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
    expect(String((report.webPreferences as { preload: string }).preload)).toMatch(
      /out[\\/]preload[\\/]index\.cjs$/,
    );
    expect(report.kiosk).toBe(false); // --windowed
    expect(report.menu).toBeNull();
    expect(report.powerSaveBlockers).toEqual(['prevent-display-sleep']);
    expect(report.privilegedSchemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ secure: true, standard: true }),
      }),
    ]);
  });

  it('serves the renderer with the CSP on app://rollcall and nothing for other hosts', () => {
    expect(report.page).toMatchObject({ status: 200, hasRoot: true });
    expect((report.page as { csp: string }).csp).toContain("script-src 'self'");
    expect(report.foreignHost).toBe(404);
    expect(report.frameBefore).toBe(404);
  });

  it('answers the typed IPC for our page only, and the bundled face engine comes up', () => {
    expect(report.ipcChannels).toEqual(Object.values(KIOSK_CHANNELS).sort());
    expect(report.cameraFrameListener).toBe(true);
    expect(report.foreignCall).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(report.engine).toMatchObject({ state: 'ready', backend: 'wasm' });
    expect(report.badPin).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });

  it('grants only the camera to our page and refuses navigation and new windows', () => {
    expect(report.permissions).toEqual({
      cameraOwn: true,
      microphoneOwn: false,
      geolocationOwn: false,
      cameraForeign: false,
    });
    expect(report.navigationPrevented).toBe(true);
    expect(report.windowOpen).toEqual({ action: 'deny' });
  });

  it('reloads a crashed renderer, and "Quit Rollcall" over IPC quits the app and closes the kiosk cleanly', () => {
    expect(report.reloadsAfterCrash).toBe(1);
    expect(report.unlock).toMatchObject({ ok: true, value: { unlocked: true } });
    // The factory PIN opens only "set a new PIN" (enforced in the core, over IPC too).
    expect(report.quitBeforeNewPin).toMatchObject({ ok: false, error: { code: 'pin_change_required' } });
    expect(report.pinChange).toMatchObject({ ok: true, value: { factoryPin: false } });
    expect(report.quitAnswer).toEqual({ ok: true, value: { quitting: true } });
    expect(report.quitCalls).toBe(1);
    expect(exit.exitCode).toBe(0);
  });
});
