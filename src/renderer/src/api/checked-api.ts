// Builds the KioskApi the screens use from a raw transport (Electron's preload or the
// localhost bridge). Every answer is parsed here with the contract's result schemas: the
// renderer is a receiving side too, and a malformed answer must become a clear error,
// never a crash deep inside a screen.
import type { z } from 'zod';
import {
  KIOSK_API,
  KIOSK_CHANNELS,
  KioskState,
  ResultError,
  type KioskApi,
  type KioskChannelKey,
  type KioskMediaApi,
  type KioskValue,
  type Result,
} from '../../../contracts/kiosk-api.js';

export type RawInvoke = (key: KioskChannelKey, args?: unknown) => Promise<unknown>;
export type RawSubscribe = (listener: (raw: unknown) => void) => () => void;

/** What a shell adds for the screens beyond the contract. */
export interface UiExtras extends KioskMediaApi {
  /** The preview <img> URL for frame (`epoch`, `seq`); absent: previewPath() (Electron). */
  framePreviewUrl?: (seq: number, epoch?: string) => string;
}

export type UiApi = KioskApi & UiExtras;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function parseResult<S extends z.ZodTypeAny>(schema: S, raw: unknown): Result<z.infer<S>> {
  if (!isObject(raw) || typeof raw.ok !== 'boolean') {
    return {
      ok: false,
      error: { code: 'bad_answer', message: 'The kiosk sent an answer without a result envelope.' },
    };
  }
  if (raw.ok) {
    const parsed = schema.safeParse(raw.value);
    if (parsed.success) return { ok: true, value: parsed.data as z.infer<S> };
    return {
      ok: false,
      error: {
        code: 'bad_answer',
        message: `The kiosk sent a malformed answer: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      },
    };
  }
  const error = ResultError.safeParse(raw.error);
  return {
    ok: false,
    error: error.success
      ? error.data
      : { code: 'unknown', message: 'The kiosk reported an error without details.' },
  };
}

export function createCheckedApi(
  invoke: RawInvoke,
  subscribe: RawSubscribe,
  extras: UiExtras = {},
  onInvalidState: (issue: string) => void = () => {},
): UiApi {
  const call =
    <K extends KioskChannelKey>(key: K) =>
    async (args?: unknown): Promise<Result<KioskValue<K>>> => {
      try {
        const schema: z.ZodTypeAny = KIOSK_API[key].result;
        return parseResult(schema, await invoke(key, args)) as Result<KioskValue<K>>;
      } catch (err) {
        return {
          ok: false,
          error: { code: 'unreachable', message: err instanceof Error ? err.message : String(err) },
        };
      }
    };
  // One checked method per channel of the table; the table's types make it a KioskApi.
  const calls = Object.fromEntries(
    (Object.keys(KIOSK_CHANNELS) as KioskChannelKey[]).map((key) => [key, call(key)]),
  ) as Omit<KioskApi, 'onState'>;
  const api = {
    ...calls,
    onState: (listener: (state: KioskState) => void) =>
      subscribe((raw) => {
        const parsed = KioskState.safeParse(raw);
        if (parsed.success) listener(parsed.data);
        else onInvalidState(parsed.error.issues[0]?.message ?? 'invalid state');
      }),
  } satisfies KioskApi;
  return { ...api, ...extras };
}
