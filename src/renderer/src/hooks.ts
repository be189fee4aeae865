// Small React hooks shared by the screens.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { KioskState } from '../../contracts/kiosk-api.js';
import type { UiApi } from './api/checked-api.js';

/** The live kiosk state: the first snapshot from getState, then every pushed update. */
export function useKioskState(api: UiApi): { state: KioskState | null; error: string | null } {
  const [state, setState] = useState<KioskState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const off = api.onState((s) => {
      if (live) {
        setState(s);
        setError(null);
      }
    });
    void api.getState().then((r) => {
      if (!live) return;
      if (r.ok) setState((prev) => prev ?? r.value);
      else setError(r.error.message);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return { state, error };
}

/** Current time, re-rendered every `everyMs` (clock, countdowns, greeting expiry). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/**
 * A number that changes exactly when an element of `deps` changes (`Object.is`, as React compares
 * an effect's list). An effect keyed on it follows a caller's list without spreading that list into
 * its own, which the hooks lint cannot check.
 */
export function useDepsVersion(deps: readonly unknown[]): number {
  const seen = useRef({ deps, version: 0 });
  const prev = seen.current.deps;
  if (prev.length !== deps.length || prev.some((d, i) => !Object.is(d, deps[i])))
    seen.current = { deps, version: seen.current.version + 1 };
  return seen.current.version;
}

/**
 * Loads one API answer when `deps` change (they may name things the load does not read, to
 * re-read after them); `reload` runs it again (after a change the admin made).
 */
export function useResult<T>(
  load: () => Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>,
  deps: readonly unknown[],
): { data: T | null; error: string | null; loaded: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [tick, setTick] = useState(0);
  // The latest `load` runs; `deps` say when (the caller's closure changes on every render).
  const loadRef = useRef(load);
  loadRef.current = load;
  const version = useDepsVersion(deps);
  useEffect(() => {
    let live = true;
    void loadRef.current().then((r) => {
      if (!live) return;
      if (r.ok) {
        setData(r.value);
        setError(null);
      } else setError(r.error.message);
      setLoaded(true);
    });
    return () => {
      live = false;
    };
  }, [version, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loaded, reload };
}

/**
 * Calls `onIdle` once nobody has touched the screen or pressed a key for `ms`. The callback is
 * read through a ref: a parent that passes a new one on every kiosk state it renders (several a
 * second) must not restart the timer, else it would never run out.
 */
export function useIdleTimeout(ms: number, onIdle: () => void): void {
  const latest = useRef(onIdle);
  latest.current = onIdle;
  useEffect(() => {
    const fire = () => latest.current();
    let timer = setTimeout(fire, ms);
    const poke = () => {
      clearTimeout(timer);
      timer = setTimeout(fire, ms);
    };
    window.addEventListener('pointerdown', poke);
    window.addEventListener('keydown', poke);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', poke);
      window.removeEventListener('keydown', poke);
    };
  }, [ms]);
}
