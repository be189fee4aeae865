// A QR code drawn as SVG from the `qrcode` package's matrix: no canvas, no innerHTML, so
// the console's CSP (no inline styles or scripts) holds.
import QRCode from 'qrcode';

export function QrCode({ text, label, size = 220 }: { text: string; label: string; size?: number }) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  let d = '';
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) if (qr.modules.get(y, x)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const total = n + quiet * 2;
  return (
    <svg
      className="qr"
      width={size}
      height={size}
      viewBox={`0 0 ${total} ${total}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-testid="pairing-qr"
    >
      <rect width={total} height={total} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
