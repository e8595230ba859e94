// The browser side of log verification: the same pure verifier the CLI runs
// (src/ledger/verify.ts, with primitives swapped for the browser by the build),
// fed by fetches of the public tiles. Nothing the server says is trusted except
// what the log's key signed.
import { parseVerifierKey, type Verifier } from '../../../src/ledger/note.ts';
import { verifyLog, verifyReceipt, VerifyError, type LogVerification, type ReceiptVerification } from '../../../src/ledger/verify.ts';
import { toBase64 } from '../ledger/primitives';
import { ENTRIES_LEVEL, TILE_WIDTH, decodeEntryBundle, tilePath } from '../../../src/ledger/tiles.ts';
import { parseEntry } from '../../../src/ledger/entry.ts';
import { fetchBytes, fetchText } from '../api/client';

export { VerifyError };
export type { LogVerification, ReceiptVerification };

export const LOG_PREFIX = '/log';

/** The log's verifier key (a C2SP signed-note vkey line), as published by the server. */
export async function logVerifier(): Promise<{ verifier: Verifier; vkey: string }> {
  const vkey = (await fetchText(`${LOG_PREFIX}/key`)).trim();
  return { verifier: parseVerifierKey(vkey), vkey };
}

/** Fetches every tile and entry bundle, recomputes the tree and checks the signed root. */
export async function verifyWholeLog(onProgress?: (path: string) => void): Promise<LogVerification> {
  const { verifier } = await logVerifier();
  return verifyLog({
    verifier,
    concurrency: 6,
    fetch: async (path) => {
      onProgress?.(path);
      return fetchBytes(`${LOG_PREFIX}/${path}`);
    },
  });
}

export async function checkReceipt(receipt: unknown): Promise<ReceiptVerification> {
  const { verifier } = await logVerifier();
  return verifyReceipt(receipt, verifier);
}

export const rootBase64 = (root: Uint8Array) => toBase64(root);

export function describeVerifyError(err: unknown): string {
  if (err instanceof VerifyError) return `${err.message} [${err.code}]`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * When the newest entry was logged: checkpoints carry no time, so the page reads
 * the last entry bundle (one fetch) and takes the entry's own time field.
 * Display only; the verify action checks the bundle against the signed root.
 */
export async function newestEntryTime(size: number): Promise<string | null> {
  if (size === 0) return null;
  const index = Math.floor((size - 1) / TILE_WIDTH);
  const width = size - index * TILE_WIDTH;
  let bytes = await fetchBytes(`${LOG_PREFIX}/${tilePath({ level: ENTRIES_LEVEL, index, width })}`);
  if (!bytes && width < TILE_WIDTH) bytes = await fetchBytes(`${LOG_PREFIX}/${tilePath({ level: ENTRIES_LEVEL, index, width: TILE_WIDTH })}`);
  if (!bytes) return null;
  const entries = decodeEntryBundle(bytes);
  const last = entries[width - 1];
  return last ? parseEntry(last).time : null;
}
