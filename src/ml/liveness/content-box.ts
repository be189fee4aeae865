// The part of a frame that holds picture content: the frame less flat border bands of one colour
// (a photo pasted on a uniform canvas, letterbox bars). A camera never delivers such bands: its
// sensor noise makes every row vary. FASNet's context crop (fasnet.ts) is clamped to this box
// instead of the whole frame, so a photo padded onto a grey canvas is judged as the photo itself,
// not as a picture with a sharp rectangular border around it — which is what a printed photo or
// a phone held up to the camera looks like, and why padded camera photos of real people scored as
// attacks (docs/liveness.md, "Padded photos"). Only mid-tone bands count: a camera does deliver
// flat black or white where it clips (a dark room, a blown-out window), and an attacker must not
// be able to crop a phone's bezel out of view by filming it in the dark.
import type { RgbImage } from '../types.js';

export interface ContentBoxOptions {
  /** Largest difference (per channel, 0..255) from the band's colour still counted as flat. */
  tolerance?: number;
  /** A flat band thinner than this (pixels; one JPEG block) is content, not padding. */
  minBand?: number;
  /** A band whose colour has a channel below this or above 255 − this is content (clipping). */
  clipMargin?: number;
}

/** [x, y, w, h] of the content; the whole frame when no side has a flat band. */
export function contentBox(
  image: RgbImage,
  options: ContentBoxOptions = {},
): [number, number, number, number] {
  const tol = options.tolerance ?? 6;
  const minBand = options.minBand ?? 8;
  const clip = options.clipMargin ?? 24;
  const { width: w, height: h, data } = image;
  const whole: [number, number, number, number] = [0, 0, w, h];
  if (w < 2 || h < 2) return whole;

  // Is the run of pixels (x, y) for x in [x0, x1), y in [y0, y1) all within tol of colour c?
  const flat = (x0: number, x1: number, y0: number, y1: number, c: number[]): boolean => {
    for (let y = y0; y < y1; y++) {
      let i = (y * w + x0) * 3;
      for (let x = x0; x < x1; x++, i += 3) {
        if (
          Math.abs(data[i]! - c[0]!) > tol ||
          Math.abs(data[i + 1]! - c[1]!) > tol ||
          Math.abs(data[i + 2]! - c[2]!) > tol
        )
          return false;
      }
    }
    return true;
  };
  const colourAt = (x: number, y: number) => {
    const i = (y * w + x) * 3;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  const midTone = (c: number[]) => c.every((v) => v >= clip && v <= 255 - clip);

  let top = 0;
  const cTop = colourAt(0, 0);
  while (midTone(cTop) && top < h && flat(0, w, top, top + 1, cTop)) top++;
  if (top >= h) return whole; // a uniform frame: nothing to clamp to
  let bottom = h;
  const cBottom = colourAt(0, h - 1);
  while (midTone(cBottom) && bottom > top && flat(0, w, bottom - 1, bottom, cBottom)) bottom--;
  if (top < minBand) top = 0;
  if (h - bottom < minBand) bottom = h;

  let left = 0;
  const cLeft = colourAt(0, top);
  while (midTone(cLeft) && left < w && flat(left, left + 1, top, bottom, cLeft)) left++;
  let right = w;
  const cRight = colourAt(w - 1, top);
  while (midTone(cRight) && right > left && flat(right - 1, right, top, bottom, cRight)) right--;
  if (left < minBand) left = 0;
  if (w - right < minBand) right = w;

  if (right - left < 2 || bottom - top < 2) return whole;
  return [left, top, right - left, bottom - top];
}
