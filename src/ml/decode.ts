// Image decoding for the face engine: JPEG/PNG bytes → upright RGB pixels.
// Everything that can be wrong with a file a user hands us becomes an ImageInputError with a
// code the caller can switch on and a message a user can act on; nothing here crashes.
import sharp from 'sharp';
import { ImageInputError } from './errors.js';
import type { RgbImage } from './types.js';

export { ImageInputError, type ImageInputErrorCode } from './errors.js';

export interface DecodeOptions {
  /** Refuse images with more pixels than this before decoding them (decompression bombs). */
  maxInputPixels?: number;
  /**
   * Downscale so the long side is at most this. Detection runs on a small input anyway and a
   * 12 MP phone photo would only cost time; 1280 keeps faces of a far-away enrolment photo big.
   */
  maxSide?: number;
}

export const DECODE_DEFAULTS = { maxInputPixels: 50_000_000, maxSide: 1280 } as const;

const MIN_SIDE = 16;

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}
function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

/**
 * Decodes a JPEG or PNG, applies its EXIF orientation, drops alpha and returns 8-bit RGB.
 * Throws ImageInputError on anything else.
 */
export async function decodeImage(input: Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxInputPixels = options.maxInputPixels ?? DECODE_DEFAULTS.maxInputPixels;
  const maxSide = options.maxSide ?? DECODE_DEFAULTS.maxSide;
  if (!(input instanceof Uint8Array)) {
    throw new ImageInputError('not_image', 'expected the image as bytes (Uint8Array/Buffer)');
  }
  if (input.byteLength === 0) throw new ImageInputError('empty', 'the image is empty (0 bytes)');
  // Check the signature ourselves: sharp would happily read WebP, GIF, TIFF, SVG..., and an SVG
  // from an untrusted upload is not something a face engine should render.
  const jpeg = isJpeg(input);
  if (!jpeg && !isPng(input)) {
    throw new ImageInputError('not_image', 'not a JPEG or PNG image (unrecognised file signature)');
  }
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);

  let meta: sharp.Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageInputError(
      'corrupt',
      `the ${jpeg ? 'JPEG' : 'PNG'} header is unreadable: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (meta.format !== 'jpeg' && meta.format !== 'png') {
    throw new ImageInputError(
      'unsupported_format',
      `unsupported image format ${meta.format ?? 'unknown'}; use JPEG or PNG`,
    );
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > maxInputPixels) {
    throw new ImageInputError(
      'too_large',
      `the image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP), more than the ` +
        `${(maxInputPixels / 1e6).toFixed(0)} MP allowed; resize it before import`,
    );
  }
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new ImageInputError(
      'too_small',
      `the image is ${width}×${height}; at least ${MIN_SIDE}×${MIN_SIDE} is needed`,
    );
  }

  try {
    // failOn 'truncated' turns libjpeg's "premature end" warning into an error: half a photo
    // would otherwise decode as grey and enrol a template of nobody.
    const { data, info } = await sharp(buf, { failOn: 'truncated', limitInputPixels: maxInputPixels })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new ImageInputError('corrupt', `decoded ${info.channels} channels instead of 3`);
    }
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (err) {
    if (err instanceof ImageInputError) throw err;
    const msg = (err as Error).message;
    const truncated = /premature end|truncated|unexpected end|incomplete/i.test(msg);
    throw new ImageInputError(
      truncated ? 'truncated' : 'corrupt',
      truncated ? `the image is truncated (incomplete file): ${msg}` : `the image data is corrupt: ${msg}`,
      { cause: err },
    );
  }
}

/** Validates an already decoded frame (e.g. from a camera) before it reaches the engine. */
export function checkRgbImage(
  image: RgbImage,
  maxInputPixels: number = DECODE_DEFAULTS.maxInputPixels,
): RgbImage {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < MIN_SIDE || height < MIN_SIDE) {
    throw new ImageInputError(
      'bad_frame',
      `frame size ${width}×${height} is invalid (need integers ≥ ${MIN_SIDE})`,
    );
  }
  if (width * height > maxInputPixels) {
    throw new ImageInputError('too_large', `frame ${width}×${height} exceeds ${maxInputPixels} pixels`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new ImageInputError(
      'bad_frame',
      `frame data has ${data?.length ?? 0} bytes; ${width}×${height} RGB needs ${width * height * 3}`,
    );
  }
  return image;
}
