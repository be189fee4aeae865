// The pairing QR code as SVG geometry (the `qrcode` package's matrix, 4 modules of quiet zone):
// one path of unit squares. Shared by the console's <QrCode> and the kiosk's QR-reading test, so
// the kiosk is tested on exactly the code the console draws.
import QRCode from 'qrcode';

export const QR_QUIET_MODULES = 4;

export function qrSvgGeometry(text: string): { path: string; size: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  let path = '';
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      if (qr.modules.get(y, x)) path += `M${x + QR_QUIET_MODULES} ${y + QR_QUIET_MODULES}h1v1h-1z`;
  return { path, size: n + QR_QUIET_MODULES * 2 };
}

/** A standalone SVG document of the code (black on white), `pixels` wide. */
export function qrSvgDocument(text: string, pixels: number): string {
  const { path, size } = qrSvgGeometry(text);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${pixels}" height="${pixels}" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
