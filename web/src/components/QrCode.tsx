// A QR code drawn in the browser from text (the `qrcode` library); nothing
// leaves the page. Used for the TOTP secret (RFC 6238 key URI).
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

export function QrCode({ text, label }: { text: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // SVG, not a canvas PNG: crisp at any zoom, and the same bytes wherever it is drawn.
    QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then((svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`), () => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [text]);
  return src ? <img src={src} alt={label} width={220} height={220} data-testid="qr-code" /> : null;
}
