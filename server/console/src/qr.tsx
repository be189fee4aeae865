// A QR code drawn as SVG from the `qrcode` package's matrix (qr-svg.ts): no canvas, no
// innerHTML, so the console's CSP (no inline styles or scripts) holds.
import { qrSvgGeometry } from './qr-svg.js';

export function QrCode({ text, label, size = 220 }: { text: string; label: string; size?: number }) {
  const { path, size: total } = qrSvgGeometry(text);
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
      <path d={path} fill="#000" />
    </svg>
  );
}
