// What the headless kiosk says when pairing fails. The sync client's own words ("server
// unreachable (ECONNREFUSED)") are right but leave an admin at the door guessing; a server that
// cannot be reached is almost always one of three things, so the line names them.
import { SyncError } from '../../sync/index.js';

/**
 * `pairing`: the failed call was the pairing itself. A request that never arrived used no code; one
 * that timed out may have been answered too late, after the server had used it.
 */
export function pairingFailureMessage(err: unknown, serverUrl: string | undefined, pairing = true): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof SyncError) || (err.kind !== 'offline' && err.kind !== 'timeout') || !serverUrl)
    return message;
  const health = `${serverUrl.replace(/\/+$/, '')}/health`;
  return (
    `${message}. Check that the server is running, that ${serverUrl} is its address (the one the ` +
    `console's Kiosks page shows with the code), and that a server on another computer listens on ` +
    `the network (HOST=0.0.0.0, or its HTTPS proxy: docs/deployment.md). From this computer, ${health} ` +
    `answers {"status":"ok",…} once all three are right.` +
    (!pairing
      ? ''
      : err.kind === 'offline'
        ? // The request never reached a server: nothing there used the code.
          ' The code was not used up: it works until it expires.'
        : // A timeout (or a proxy's 5xx) may come after the server paired and used the code.
          ' If pairing fails again with this code, the server may have used it: make a new one.')
  );
}
