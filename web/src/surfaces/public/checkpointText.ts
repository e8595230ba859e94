// Reads the display fields of a checkpoint note without trusting it: this is
// for showing size and root at a glance; the verify action checks the signature.
export function parseCheckpointText(text: string): { origin: string; size: number; root: string } | null {
  const body = text.split('\n\n')[0];
  const [origin, size, root] = body.split('\n');
  if (!origin || !/^\d+$/.test(size ?? '') || !root) return null;
  return { origin, size: Number(size), root };
}

export interface StatedCosignature {
  readonly name: string;
  /** As the line states it; not verified here (that needs the witness's own key). */
  readonly time: Date;
}

/**
 * The witness cosignatures a checkpoint carries (C2SP tlog-cosignature: a
 * signature line whose blob is key ID, u64 timestamp and Ed25519 signature,
 * 76 bytes), other than the log's own line. Display only.
 */
export function statedCosignatures(text: string, origin: string): StatedCosignature[] {
  const block = text.slice(text.lastIndexOf('\n\n') + 2);
  const out: StatedCosignature[] = [];
  for (const line of block.split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/u.exec(line);
    if (!m || m[1] === origin) continue;
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(atob(m[2]), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    if (bytes.length !== 76) continue;
    const seconds = Number(new DataView(bytes.buffer).getBigUint64(4, false));
    out.push({ name: m[1], time: new Date(seconds * 1000) });
  }
  return out;
}
