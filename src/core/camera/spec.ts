// Camera spec strings, as given on the command line or in settings:
//   webcam[:<device>][?width=640&height=480&interval=200]   (fswebcam on Linux)
//   replay:<dir>[?fps=10&loop=1&start=0]                    (a folder of JPEG/PNG frames)
//   push                                                    (frames pushed by the UI)
//   none
import { z } from 'zod';

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);

export const WebcamOptions = z.object({
  device: z.string().nullable(),
  width: num(64, 4096).int().default(640),
  height: num(48, 4096).int().default(480),
  /** Minimum ms between captures; fswebcam takes ~100-500 ms per shot anyway. */
  interval: num(0, 60_000).default(0),
});
export const ReplayOptions = z.object({
  dir: z.string().min(1),
  fps: num(0.1, 120).default(10),
  loop: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  /** First frame index to play (a restarted kiosk resumes the door sequence). */
  start: num(0, 10_000_000).int().default(0),
});

export type CameraSpec =
  | { kind: 'webcam'; options: z.infer<typeof WebcamOptions> }
  | { kind: 'replay'; options: z.infer<typeof ReplayOptions> }
  | { kind: 'push' }
  | { kind: 'none' };

export class CameraSpecError extends Error {
  override name = 'CameraSpecError';
}

export function parseCameraSpec(spec: string): CameraSpec {
  const q = spec.indexOf('?');
  const head = q >= 0 ? spec.slice(0, q) : spec;
  const params = Object.fromEntries(new URLSearchParams(q >= 0 ? spec.slice(q + 1) : ''));
  const colon = head.indexOf(':');
  const kind = colon >= 0 ? head.slice(0, colon) : head;
  const arg = colon >= 0 ? head.slice(colon + 1) : '';
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
        return { kind: 'push' } as const;
      case 'none':
        return { kind: 'none' } as const;
      default:
        return null;
    }
  })();
  if (parsed === null) throw new CameraSpecError(`unknown camera "${spec}": use webcam[:device], replay:<dir>?fps=10&loop=1, push or none`);
  if (parsed instanceof z.ZodError) {
    throw new CameraSpecError(`bad camera spec "${spec}": ${parsed.issues.map((i) => `${i.path.join('.') || kind}: ${i.message}`).join('; ')}`);
  }
  return parsed;
}
