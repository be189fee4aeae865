// Small React hooks shared by the screens.
import { useEffect, useState } from 'react';
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

/** Loads one API answer; `reload` runs it again (after a change the admin made). */
export function useResult<T>(
  load: () => Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>,
  deps: unknown[],
): { data: T | null; error: string | null; loaded: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    void load().then((r) => {
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
  }, [...deps, tick]);
  return { data, error, loaded, reload: () => setTick((t) => t + 1) };
}
