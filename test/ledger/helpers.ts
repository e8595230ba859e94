// Shared by the ledger's database tests: entries, appending in transactions,
// and a fetcher that reads the log through the real routes.
import type { FastifyInstance } from 'fastify';
import type { LogEntry } from '../../src/ledger/entry.ts';
import { sha256, toHex, utf8 } from '../../src/ledger/primitives.ts';
import { append, commitClip, type Subject } from '../../src/ledger/service.ts';
import type { Fetcher } from '../../src/ledger/verify.ts';
import type { Db } from '../../src/platform/db/db.ts';

/** An entry about one clip of `ownerId`, with the subject row that lets the owner get a receipt. */
export function entryFor(i: number, ownerId = `owner_${i % 3}`): { entry: LogEntry; subjects: Subject[] } {
  const clipSha256 = toHex(sha256(utf8.encode(`clip ${i}`)));
  const { salt, commitment } = commitClip(clipSha256);
  return {
    entry: { v: 1, basis: i % 2 ? 'warrant' : 'consent', agency: `ag_${i % 4}`, ref: `req_${i}`, reviewers: [`rev_${i % 5}`], time: new Date(Date.UTC(2026, 5, 1) + i).toISOString(), clips: [commitment] },
    subjects: [{ ownerId, clipId: `clip_${i}`, clipSha256, salt }],
  };
}

/** Appends entries from..to-1, `perTx` to a transaction; returns their sequence numbers. */
export async function appendRange(db: Db, from: number, to: number, perTx = 50, ownerOf?: (i: number) => string): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = from; i < to; i += perTx) {
    await db.kysely.transaction().execute(async (tx) => {
      for (let k = i; k < Math.min(to, i + perTx); k++) {
        const { entry, subjects } = entryFor(k, ownerOf?.(k));
        seqs.push((await append(tx, entry, subjects)).seq);
      }
    });
  }
  return seqs;
}

/** Reads the log through the app's routes, as a remote verifier would over HTTP. */
export function injectFetcher(app: FastifyInstance): Fetcher {
  return async (p) => {
    const res = await app.inject({ method: 'GET', url: `/log/${p}` });
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200) throw new Error(`GET /log/${p}: ${res.statusCode}`);
    return new Uint8Array(res.rawPayload);
  };
}
