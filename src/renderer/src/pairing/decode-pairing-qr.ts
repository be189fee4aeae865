// Finds a Rollcall pairing QR code in one camera frame (RGBA pixels) with jsQR, a pure-JS
// decoder: the same function runs in the kiosk page (pixels from a canvas) and in Node tests
// (pixels from a fixture image).
import jsQR from 'jsqr';
import { parsePairingQr, type PairingQr } from '../../../contracts/pairing-qr.js';

export function decodePairingQr(rgba: Uint8ClampedArray, width: number, height: number): PairingQr | null {
  // Printed or on-screen codes are dark on light; trying the inverted image too doubles the cost.
  const found = jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' });
  return found ? parsePairingQr(found.data) : null;
}
