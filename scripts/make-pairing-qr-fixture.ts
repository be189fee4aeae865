// Writes test/fixtures/pairing-qr/camera-frame.jpg: the pairing QR code exactly as the staff
// console draws it (server/console/src/qr-svg.ts), held up to a 640×480 kiosk camera: on a
// grey, uneven background, turned 9°, slightly blurred, as a JPEG of quality 70. Run once:
//   npx tsx scripts/make-pairing-qr-fixture.ts
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { pairingQrText } from '../src/contracts/pairing-qr.js';
import { qrSvgDocument } from '../server/console/src/qr-svg.js';

// The pairing details in the fixture (src/core/pairing-qr.test.ts expects them).
const FIXTURE_SERVER = 'http://192.168.1.20:8000';
const FIXTURE_CODE = 'K7MZ4QPX';

async function main(): Promise<void> {
  const out = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'pairing-qr');
  mkdirSync(out, { recursive: true });
  const qr = await sharp(Buffer.from(qrSvgDocument(pairingQrText(FIXTURE_SERVER, FIXTURE_CODE), 220)))
    .png()
    .toBuffer();
  const turned = await sharp(qr)
    .rotate(9, { background: { r: 255, g: 255, b: 255, alpha: 1 } })
    .png()
    .toBuffer();
  // A lit classroom wall: a left-to-right grey gradient.
  const wall = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><defs><linearGradient id="g"><stop offset="0" stop-color="#6b6f75"/><stop offset="1" stop-color="#a9adb3"/></linearGradient></defs><rect width="640" height="480" fill="url(#g)"/></svg>`,
  );
  await sharp(wall)
    .composite([{ input: turned, left: 230, top: 110 }])
    .blur(0.8)
    .jpeg({ quality: 70 })
    .toFile(resolve(out, 'camera-frame.jpg'));
}

await main();
