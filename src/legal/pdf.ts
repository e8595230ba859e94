// Is an uploaded legal document really a PDF? Attacker-controlled bytes, so
// this reads only a few small windows and parses defensively. It checks the
// file structure of ISO 32000-1 (PDF 1.7) / ISO 32000-2 (PDF 2.0), §7.5:
//   - the header "%PDF-1.n" or "%PDF-2.0" at offset 0 (§7.5.2);
//   - the trailer at the end: "startxref", a byte offset, "%%EOF" (§7.5.5);
//   - at that offset, a cross-reference table ("xref", §7.5.4, followed by a
//     "trailer" dictionary before startxref) or a cross-reference stream
//     object ("N G obj", §7.5.8).
// A text file or an image renamed ".pdf" fails the header; a truncated PDF
// fails the trailer; a header glued onto junk fails the cross-reference check.
// It does not render or execute anything.

export const PDF_MAX_BYTES = 20 * 1024 * 1024;

export type PdfVerdict = { ok: true; version: string } | { ok: false; reason: string };

export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

const TAIL_WINDOW = 1024;

export async function checkPdf(size: number, read: ReadAt): Promise<PdfVerdict> {
  if (size === 0) return { ok: false, reason: 'the document is empty' };
  if (size > PDF_MAX_BYTES) return { ok: false, reason: `the document is larger than ${PDF_MAX_BYTES / 1024 / 1024} MB` };
  const head = (await read(0, 16)).toString('latin1');
  const version = /^%PDF-(1\.[0-7]|2\.0)[\r\n \t%]/.exec(head);
  if (!version) return { ok: false, reason: 'not a PDF: the file does not begin with a %PDF-1.x or %PDF-2.0 header' };

  const tailStart = Math.max(0, size - TAIL_WINDOW);
  const tail = (await read(tailStart, size - tailStart)).toString('latin1');
  // The last startxref, its offset, then %%EOF with at most trailing whitespace.
  const m = /startxref[\r\n \t]+(\d{1,10})[\r\n \t]+%%EOF[\r\n \t]*$/.exec(tail);
  if (!m) return { ok: false, reason: 'not a complete PDF: no "startxref … %%EOF" trailer at the end of the file' };
  const xrefAt = Number(m[1]);
  const startxrefAt = tailStart + m.index;
  if (!Number.isSafeInteger(xrefAt) || xrefAt < 9 || xrefAt >= startxrefAt) {
    return { ok: false, reason: 'not a valid PDF: startxref points outside the file body' };
  }
  const at = (await read(xrefAt, 32)).toString('latin1');
  if (/^xref[\r\n \t]/.test(at)) {
    // A classic table: a "trailer" dictionary lies between it and startxref.
    const span = Math.min(startxrefAt - xrefAt, 4 * 1024 * 1024);
    const body = (await read(startxrefAt - span, span)).toString('latin1');
    if (!/trailer[\r\n \t]*<</.test(body)) return { ok: false, reason: 'not a valid PDF: the cross-reference table has no trailer dictionary' };
    return { ok: true, version: version[1] };
  }
  if (/^\d{1,10}[\r\n \t]+\d{1,5}[\r\n \t]+obj[\r\n \t<]/.test(at)) return { ok: true, version: version[1] };
  return { ok: false, reason: 'not a valid PDF: startxref does not point at a cross-reference table or stream' };
}

/** A reader over a buffer (tests, small documents). */
export const bufferReader = (buf: Buffer): ReadAt => async (offset, length) => buf.subarray(offset, offset + length);

/** The smallest well-formed PDF: one empty page, a classic xref table and trailer. Used by tests and the demo. */
export function minimalPdf(text = 'Porchlight'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>`,
  ];
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  offsets.push(Buffer.byteLength(out, 'latin1'));
  out += `4 0 obj\n<< /Length ${stream.length} >>\nstream\n${stream}\nendstream\nendobj\n`;
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
