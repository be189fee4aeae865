import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkRgbImage, decodeImage, ImageInputError } from './decode.js';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'faces');
const jpeg = readFileSync(join(fixtures, 'person-a-1.jpg'));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageInputError);
    return (err as ImageInputError).code;
  }
  throw new Error('expected the decode to fail');
}

describe('decodeImage', () => {
  it('decodes a JPEG to RGB of the right size', async () => {
    const img = await decodeImage(jpeg);
    expect(img.width).toBe(640);
    expect(img.height).toBe(480);
    expect(img.data.length).toBe(640 * 480 * 3);
  });

  it('decodes a PNG with alpha to 3-channel RGB', async () => {
    const png = await sharp({
      create: { width: 40, height: 30, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const img = await decodeImage(png);
    expect([img.width, img.height, img.data.length]).toEqual([40, 30, 40 * 30 * 3]);
    expect(img.data[1]).toBeGreaterThan(150);
  });

  it('applies EXIF orientation', async () => {
    const stored = await sharp(join(fixtures, 'exif-rotated.jpg')).metadata();
    expect([stored.width, stored.height, stored.orientation]).toEqual([480, 640, 6]);
    const img = await decodeImage(readFileSync(join(fixtures, 'exif-rotated.jpg')));
    expect([img.width, img.height]).toEqual([640, 480]);
  });

  it('downscales very large photos to maxSide', async () => {
    const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const img = await decodeImage(big, { maxSide: 1280 });
    expect([img.width, img.height]).toEqual([1280, 853]);
  });

  it('refuses empty input', async () => {
    expect(await codeOf(decodeImage(new Uint8Array(0)))).toBe('empty');
  });

  it('refuses a text file', async () => {
    expect(await codeOf(decodeImage(Buffer.from('name,score\nalice,3\n')))).toBe('not_image');
  });

  it('refuses other image formats (GIF) with a clear message', async () => {
    const gif = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    await expect(decodeImage(gif)).rejects.toThrow(/not a JPEG or PNG/);
  });

  it('refuses corrupt bytes behind a JPEG signature', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x41)]);
    expect(await codeOf(decodeImage(bytes))).toBe('corrupt');
  });

  it('refuses a truncated JPEG instead of decoding half a face', async () => {
    expect(await codeOf(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe('truncated');
  });

  it('refuses absurd dimensions before decoding', async () => {
    // A real JPEG whose frame header (SOF0) claims 60000×60000 pixels: refused on the header.
    const forged = Buffer.from(jpeg);
    const sof = forged.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    forged.writeUInt16BE(60_000, sof + 5);
    forged.writeUInt16BE(60_000, sof + 7);
    await expect(decodeImage(forged)).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/MP/),
    });
  });

  it('refuses tiny images', async () => {
    const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(await codeOf(decodeImage(tiny))).toBe('too_small');
  });
});

describe('checkRgbImage', () => {
  it('accepts a consistent frame', () => {
    const frame = { width: 32, height: 16, data: new Uint8Array(32 * 16 * 3) };
    expect(checkRgbImage(frame)).toBe(frame);
  });
  it('refuses a frame whose data does not match its size', () => {
    expect(() => checkRgbImage({ width: 32, height: 16, data: new Uint8Array(10) })).toThrow(ImageInputError);
  });
  it('refuses non-integer sizes', () => {
    expect(() => checkRgbImage({ width: 32.5, height: 16, data: new Uint8Array(0) })).toThrow(/invalid/);
  });
});
