// Camera spec strings, as given on the command line or in the admin Settings: a closed set.
//   webcam[:default | :/dev/videoN | :/dev/v4l/by-id/<name> | :/dev/v4l/by-path/<name>][?width=640&height=480&interval=200]
//   replay:<dir>[?fps=10&loop=1&start=0]     (a folder of JPEG/PNG frames)
//   push                                     (frames pushed by the UI)
//   none
// Anything else is refused with a message naming the spec, before it is stored or used. The
// device ends up as one argument of fswebcam (never a shell), and the strict device pattern
// means a spec cannot name anything but a video device either. Pure (no Node APIs): the
// renderer's settings contract uses it too.
import { z } from 'zod';

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);

/** `/dev/videoN`, or a udev-stable v4l2 name: `/dev/v4l/by-id/…`, `/dev/v4l/by-path/…`. */
export const WEBCAM_DEVICE =
  /^(?:\/dev\/video\d{1,3}|\/dev\/v4l\/by-(?:id|path)\/[A-Za-z0-9][A-Za-z0-9._:+-]{0,199})$/;
/** A replay folder: a path without control characters (it is only ever read with fs). */
const hasControlChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

export const WebcamOptions = z
  .object({
    device: z
      .string()
      .regex(WEBCAM_DEVICE, 'must be /dev/videoN or /dev/v4l/by-id|by-path/<name>')
      .nullable(),
    width: num(64, 4096).int().default(640),
    height: num(48, 4096).int().default(480),
    /** Minimum ms between captures; fswebcam takes ~100-500 ms per shot anyway. */
    interval: num(0, 60_000).default(0),
  })
  .strict();
export const ReplayOptions = z
  .object({
    dir: z
      .string()
      .min(1)
      .max(1000)
      .refine((d) => !hasControlChar(d), 'must be a folder path without control characters'),
    fps: num(0.1, 120).default(10),
    loop: z
      .enum(['0', '1', 'true', 'false'])
      .default('0')
      .transform((v) => v === '1' || v === 'true'),
    /** First frame index to play (a restarted kiosk resumes the door sequence). */
    start: num(0, 10_000_000).int().default(0),
  })
  .strict();

export type CameraSpec =
  | { kind: 'webcam'; options: z.infer<typeof WebcamOptions> }
  | { kind: 'replay'; options: z.infer<typeof ReplayOptions> }
  | { kind: 'push' }
  | { kind: 'none' };

export class CameraSpecError extends Error {
  override name = 'CameraSpecError';
}

const USAGE = 'use webcam[:/dev/videoN], replay:<dir>?fps=10&loop=1, push or none';

export function parseCameraSpec(spec: string): CameraSpec {
  const q = spec.indexOf('?');
  const head = q >= 0 ? spec.slice(0, q) : spec;
  const params = Object.fromEntries(new URLSearchParams(q >= 0 ? spec.slice(q + 1) : ''));
  const colon = head.indexOf(':');
  const kind = colon >= 0 ? head.slice(0, colon) : head;
  const arg = colon >= 0 ? head.slice(colon + 1) : '';
  const bare = colon < 0 && q < 0;
  const parsed = (() => {
    switch (kind) {
      case 'webcam': {
        const r = WebcamOptions.safeParse({ ...params, device: arg && arg !== 'default' ? arg : null });
        return r.success ? ({ kind: 'webcam', options: r.data } as const) : r.error;
      }
      case 'replay': {
        const r = ReplayOptions.safeParse({ ...params, dir: arg });
        return r.success ? ({ kind: 'replay', options: r.data } as const) : r.error;
      }
      case 'push':
        return bare ? ({ kind: 'push' } as const) : null;
      case 'none':
        return bare ? ({ kind: 'none' } as const) : null;
      default:
        return null;
    }
  })();
  if (parsed === null) throw new CameraSpecError(`unknown camera "${spec}": ${USAGE}`);
  if (parsed instanceof z.ZodError) {
    const why = parsed.issues
      .map((i) => `${i.path.join('.') || (i.code === 'unrecognized_keys' ? 'options' : kind)}: ${i.message}`)
      .join('; ');
    throw new CameraSpecError(`bad camera spec "${spec}": ${why}`);
  }
  return parsed;
}

/** Whether `spec` is a valid `replay:` spec (recorded frames); false for anything else, valid or not. */
export function isReplaySpec(spec: string): boolean {
  try {
    return parseCameraSpec(spec).kind === 'replay';
  } catch {
    return false;
  }
}

/** The spec as a zod string: refused with the parser's message, so a bad one is never stored. */
export const CameraSpecString = z
  .string()
  .max(1200)
  .superRefine((spec, ctx) => {
    try {
      parseCameraSpec(spec);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });
