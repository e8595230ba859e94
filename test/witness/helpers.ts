// Shared by the witness tests and benchmark: a log kept in memory (its leaves and
// key), and a real witness listening on a real port over a temporary state directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { generateCosigner } from '../../src/ledger/cosignature.ts';
import { type Hash, consistencyProof, leafHash, listSource, rootOf } from '../../src/ledger/merkle.ts';
import { type Signer, formatVerifierKey, signerFromSeed } from '../../src/ledger/note.ts';
import { utf8 } from '../../src/ledger/primitives.ts';
import { formatAddCheckpoint } from '../../src/ledger/witness-protocol.ts';
import { type RunningWitness, listenWitness } from '../../src/witness/server.ts';
import { StateStore, loadWitnessedLogs } from '../../src/witness/store.ts';

/** A log in memory. Two of these with one seed and different leaves are a forked log. */
export class MemoryLog {
  readonly signer: Signer;
  readonly leaves: Hash[] = [];
  readonly #tag: string;
  constructor(origin: string, seed: Uint8Array, tag: string) {
    this.signer = signerFromSeed(origin, seed);
    this.#tag = tag;
  }
  grow(n: number): this {
    for (let i = 0; i < n; i++) this.leaves.push(leafHash(utf8.encode(`${this.#tag} entry ${this.leaves.length}`)));
    return this;
  }
  checkpoint(size = this.leaves.length): string {
    return signCheckpoint({ origin: this.signer.name, size, root: rootOf(this.leaves.slice(0, size)), extensions: [] }, this.signer);
  }
  proof(from: number, to = this.leaves.length): Hash[] {
    return from === 0 || from === to ? [] : consistencyProof(listSource(this.leaves.slice(0, to)), from, to);
  }
  body(old: number, size = this.leaves.length): string {
    return formatAddCheckpoint({ oldSize: old, proof: this.proof(old, size), checkpoint: this.checkpoint(size) });
  }
}

export const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

export interface TestWitness extends RunningWitness {
  readonly cosigner: Signer;
  readonly dir: string;
  post(body: string | Uint8Array): Promise<{ status: number; type: string; text: string }>;
}

/** A witness of `logs` on 127.0.0.1, port chosen by the system; `dir` reuses a state directory (a restart). */
export async function startWitness(name: string, logs: readonly MemoryLog[], opts: { dir?: string; cosigner?: Signer; port?: number } = {}): Promise<TestWitness> {
  const dir = opts.dir ?? tmp('porchlight-witness-');
  const file = path.join(dir, 'logs.json');
  fs.writeFileSync(file, JSON.stringify({ logs: logs.map((l) => ({ origin: l.signer.name, vkey: formatVerifierKey(l.signer) })) }));
  const cosigner = opts.cosigner ?? generateCosigner(name);
  const running = await listenWitness({
    logs: loadWitnessedLogs(file), cosigner, store: new StateStore(dir), now: () => Math.floor(Date.now() / 1000), log: () => {},
  }, '127.0.0.1', opts.port ?? 0);
  const post = async (body: string | Uint8Array) => {
    const res = await fetch(`${running.url}/add-checkpoint`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  return { ...running, cosigner, dir, post };
}

/** Every file under the witness's per-log state, with its bytes: "changes no state" compares two of these. */
export function stateSnapshot(dir: string): Record<string, string> {
  const logs = path.join(dir, 'logs');
  return Object.fromEntries(fs.readdirSync(logs).sort().map((f) => [f, fs.readFileSync(path.join(logs, f), 'utf8')]));
}
