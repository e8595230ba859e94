// Reads the display fields of a checkpoint note without trusting it: this is
// for showing size and root at a glance; the verify action checks the signature.
export function parseCheckpointText(text: string): { origin: string; size: number; root: string } | null {
  const body = text.split('\n\n')[0];
  const [origin, size, root] = body.split('\n');
  if (!origin || !/^\d+$/.test(size ?? '') || !root) return null;
  return { origin, size: Number(size), root };
}
