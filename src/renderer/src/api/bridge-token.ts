// The browser bridge's per-launch access token, as the page receives it: in the fragment of
// the URL the kiosk printed (`http://127.0.0.1:<port>/#token=…`; src/core/bridge/access-token.ts).
// It is read once, then removed from the address bar so it is not left on screen, in
// bookmarks or in a screenshot.
//
// Kept in sessionStorage as well as in memory, so a reload (the kiosk browser recovering,
// F5 while debugging) keeps working once the fragment is gone. sessionStorage is per tab and
// per origin (port included), dies with the tab, and is readable only by scripts of this very
// page, which could use the API anyway; a new launch's token in the fragment replaces it.

export const TOKEN_FRAGMENT_PARAM = 'token';
export const TOKEN_STORAGE_KEY = 'rollcall.bridgeToken';

export interface TokenWindow {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  /** Absent or throwing when the browser forbids storage: then memory only. */
  sessionStorage?: Pick<Storage, 'getItem' | 'setItem'>;
}

function storage(win: TokenWindow): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return win.sessionStorage ?? null;
  } catch {
    return null;
  }
}

const fragmentParams = (hash: string) => new URLSearchParams(hash.replace(/^#/, ''));

/** Takes the token out of the fragment (or, after a reload, out of sessionStorage). */
export function takeBridgeToken(win: TokenWindow): string | null {
  const fragment = fragmentParams(win.location.hash);
  const fromUrl = fragment.get(TOKEN_FRAGMENT_PARAM);
  if (fromUrl) {
    fragment.delete(TOKEN_FRAGMENT_PARAM);
    const rest = fragment.toString();
    win.history.replaceState(
      win.history.state,
      '',
      `${win.location.pathname}${win.location.search}${rest ? `#${rest}` : ''}`,
    );
    try {
      storage(win)?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage full or forbidden: the token still works until the page is reloaded.
    }
    return fromUrl;
  }
  try {
    return storage(win)?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export interface WatchedWindow extends TokenWindow {
  location: TokenWindow['location'] & Pick<Location, 'reload'>;
  addEventListener(type: 'hashchange', listener: () => void): void;
}

/**
 * Pasting a new launch's URL into a tab already on this origin only changes the fragment: the
 * browser does not reload, and the page would keep calling with the old token. So a token
 * arriving in the fragment is stored and the page reloads with it.
 */
export function reloadOnNewToken(win: WatchedWindow): void {
  win.addEventListener('hashchange', () => {
    if (!fragmentParams(win.location.hash).has(TOKEN_FRAGMENT_PARAM)) return;
    takeBridgeToken(win);
    win.location.reload();
  });
}
