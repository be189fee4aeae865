// The kiosk reads the console's pairing QR code from a camera frame: the fixture (the console's
// code held up to a 640×480 camera, turned and blurred), the console's current drawing of a
// fresh code, and what must NOT be taken for pairing details.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { qrSvgDocument } from '../../server/console/src/qr-svg.js';
import { isThisComputerAddress, pairingQrText, parsePairingQr } from '../contracts/pairing-qr.js';
import { decodePairingQr } from '../renderer/src/pairing/decode-pairing-qr.js';

const FIXTURE = resolve(
  import.meta.dirname,
  '..',
  '..',
  'test',
  'fixtures',
  'pairing-qr',
  'camera-frame.jpg',
);

/** RGBA pixels of an image, as a canvas's getImageData gives them in the kiosk page. */
async function rgba(image: Buffer): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

describe('pairing QR code', () => {
  it('reads the server and the code from a camera frame of the console’s QR code', async () => {
    const frame = await rgba(readFileSync(FIXTURE));
    expect([frame.width, frame.height]).toEqual([640, 480]);
    expect(decodePairingQr(frame.data, frame.width, frame.height)).toEqual({
      server: 'http://192.168.1.20:8000',
      code: 'K7MZ4QPX',
    });
  });

  it('reads the code the console draws today for an https server', async () => {
    const text = pairingQrText('https://rollcall.school.example', 'ABCD2345');
    const drawn = await sharp(Buffer.from(qrSvgDocument(text, 300)))
      .flatten({ background: '#fff' })
      .png()
      .toBuffer();
    const img = await rgba(drawn);
    expect(decodePairingQr(img.data, img.width, img.height)).toEqual({
      server: 'https://rollcall.school.example',
      code: 'ABCD2345',
    });
  });

  it('finds nothing in a frame without a code, and ignores QR codes that are not Rollcall pairing codes', async () => {
    const blank = await rgba(
      await sharp({ create: { width: 320, height: 240, channels: 3, background: '#888' } })
        .png()
        .toBuffer(),
    );
    expect(decodePairingQr(blank.data, blank.width, blank.height)).toBeNull();
    const other = await rgba(
      await sharp(Buffer.from(qrSvgDocument('https://example.com/menu', 300)))
        .png()
        .toBuffer(),
    );
    expect(decodePairingQr(other.data, other.width, other.height)).toBeNull();
  });

  it('accepts only http(s) servers and a code of pairing length', () => {
    expect(parsePairingQr(pairingQrText('http://10.0.0.5:8000', 'K7MZ4QPX'))).toEqual({
      server: 'http://10.0.0.5:8000',
      code: 'K7MZ4QPX',
    });
    expect(parsePairingQr(pairingQrText('javascript:alert(1)', 'K7MZ4QPX'))).toBeNull();
    expect(parsePairingQr(pairingQrText('file:///etc/passwd', 'K7MZ4QPX'))).toBeNull();
    expect(parsePairingQr(pairingQrText('http://10.0.0.5:8000', 'AB'))).toBeNull();
    expect(parsePairingQr('rollcall-pair:{not json')).toBeNull();
    expect(parsePairingQr('{"server":"http://x","code":"ABCDEFGH"}')).toBeNull();
  });

  it('tells an address of the computer it is read on from a network address', () => {
    for (const local of [
      'http://127.0.0.1:8000',
      'http://localhost:8000',
      'http://[::1]:8000',
      'http://127.1.2.3',
      'http://0.0.0.0:8000',
      'http://[::]:8000',
      'http://[::ffff:127.0.0.1]:8000',
    ])
      expect(isThisComputerAddress(local), local).toBe(true);
    for (const remote of [
      'http://10.0.0.5:8000',
      'https://rollcall.school',
      'http://127.example.org',
      'http://[::ffff:10.0.0.5]:8000',
      'not a url',
    ])
      expect(isThisComputerAddress(remote), remote).toBe(false);
  });
});
