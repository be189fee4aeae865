import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, reloadOnNewToken, takeBridgeToken, type TokenWindow } from './bridge-token.js';

function fakeWindow(href: string, stored: Record<string, string> = {}, storageThrows = false) {
  const url = new URL(href);
  const replaced: string[] = [];
  const store = new Map(Object.entries(stored));
  const win: TokenWindow = {
    location: url,
    history: {
      state: null,
      replaceState: (_state: unknown, _unused: string, next?: string | URL | null) => {
        replaced.push(String(next));
        const target = new URL(String(next), url);
        url.hash = target.hash;
      },
    },
    get sessionStorage() {
      if (storageThrows) throw new Error('SecurityError: storage is disabled');
      return {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
      };
    },
  };
  return { win, replaced, store, url };
}

describe('takeBridgeToken', () => {
  it('reads the token from the fragment, removes it from the address bar and keeps it for reloads', () => {
    const { win, replaced, store } = fakeWindow('http://127.0.0.1:4173/?kiosk=1#token=abc-_123');
    expect(takeBridgeToken(win)).toBe('abc-_123');
    expect(replaced).toEqual(['/?kiosk=1']);
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('abc-_123');
    // The reload: no fragment any more, the stored token still works.
    expect(takeBridgeToken(win)).toBe('abc-_123');
    expect(replaced).toHaveLength(1);
  });

  it('keeps other fragment parameters', () => {
    const { win, replaced } = fakeWindow('http://127.0.0.1:4173/#token=abc&debug=1');
    expect(takeBridgeToken(win)).toBe('abc');
    expect(replaced).toEqual(['/#debug=1']);
  });

  it('prefers a new launch’s token over the stored one', () => {
    const { win, store } = fakeWindow('http://127.0.0.1:4173/#token=new', { [TOKEN_STORAGE_KEY]: 'old' });
    expect(takeBridgeToken(win)).toBe('new');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('new');
  });

  it('has none when neither the URL nor storage has one', () => {
    expect(takeBridgeToken(fakeWindow('http://127.0.0.1:4173/').win)).toBeNull();
  });

  it('still works in memory when storage is forbidden', () => {
    const { win, replaced } = fakeWindow('http://127.0.0.1:4173/#token=abc', {}, true);
    expect(takeBridgeToken(win)).toBe('abc');
    expect(replaced).toEqual(['/']);
    expect(takeBridgeToken(win)).toBeNull();
  });
});

describe('reloadOnNewToken', () => {
  it('stores a token pasted into an open tab and reloads with it; other fragment changes are ignored', () => {
    const { win, store, url } = fakeWindow('http://127.0.0.1:4173/', { [TOKEN_STORAGE_KEY]: 'old' });
    let onHashChange = () => {};
    let reloads = 0;
    const watched = {
      ...win,
      location: Object.assign(url, { reload: () => void reloads++ }),
      addEventListener: (_type: 'hashchange', listener: () => void) => (onHashChange = listener),
    };
    reloadOnNewToken(watched);
    url.hash = '#debug=1';
    onHashChange();
    expect(reloads).toBe(0);
    url.hash = '#token=new';
    onHashChange();
    expect(reloads).toBe(1);
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('new');
    expect(url.hash).toBe('');
  });
});
