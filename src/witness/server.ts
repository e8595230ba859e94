// The witness over HTTP (C2SP tlog-witness): POST /add-checkpoint, and
// GET /<origin hash>/checkpoint for monitors (§Monitor Retrieval Mechanism).
// Plain node:http: the witness is a separate small program, sharing nothing
// with the Porchlight server but the ledger's pure note and Merkle code.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Signer } from '../ledger/note.ts';
import { utf8 } from '../ledger/primitives.ts';
import { type LogState, type WitnessedLog, decide, isRefusal, parseSubmission } from './witness.ts';

/** The largest body accepted: a checkpoint with 63 proof lines is a few KiB; 1 MiB leaves room for many cosignatures. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface StatePort {
  read(origin: string): LogState | null;
  readByHash(hash: string): LogState | null;
  /** Must be durable when it returns. */
  write(origin: string, state: LogState): void;
}

export interface WitnessServerDeps {
  readonly logs: ReadonlyMap<string, WitnessedLog>;
  readonly cosigner: Signer;
  readonly store: StatePort;
  /** POSIX seconds. */
  readonly now: () => number;
  readonly log: (line: string) => void;
}

class TooLarge extends Error {}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

function readBody(req: http.IncomingMessage): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new TooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume(); // drain, so the 413 can be read by the client
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** The request handler; exported apart from listen() so tests and the benchmark can drive it in-process. */
export function witnessHandler(deps: WitnessServerDeps): http.RequestListener {
  // tlog-witness §add-checkpoint: the old-size check and the persisting write must
  // be atomic, or two racing requests can roll the log back. One promise chain
  // per origin serialises them; different logs do not wait for each other.
  const chains = new Map<string, Promise<unknown>>();
  const memory = new Map<string, LogState | null>();
  const stateOf = (origin: string) => {
    if (!memory.has(origin)) memory.set(origin, deps.store.read(origin));
    return memory.get(origin)!;
  };
  const serialised = <T>(origin: string, fn: () => T): Promise<T> => {
    const next = (chains.get(origin) ?? Promise.resolve()).then(fn);
    chains.set(origin, next.catch(() => undefined));
    return next;
  };

  async function addCheckpoint(req: http.IncomingMessage): Promise<Answer> {
    let raw: Uint8Array;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof TooLarge) return { status: 413, contentType: 'text/plain; charset=utf-8', body: `the body is over ${MAX_BODY_BYTES} bytes\n` };
      throw err;
    }
    const text = utf8.decode(raw);
    if (text === null) return { status: 400, contentType: 'text/plain; charset=utf-8', body: 'the body is not UTF-8\n' };
    const sub = parseSubmission(text, deps.logs);
    if (isRefusal(sub)) return sub;
    return serialised(sub.log.origin, () => {
      const outcome = decide(sub, stateOf(sub.log.origin), deps.cosigner, deps.now());
      if (isRefusal(outcome)) {
        // Signed by the log but inconsistent: possible evidence of a fork (tlog-witness MAY log it).
        if (outcome.status === 422) deps.log(`refused a signed checkpoint of "${sub.log.origin}" at size ${sub.checkpoint.size}: ${outcome.body.trim()}`);
        return outcome;
      }
      deps.store.write(sub.log.origin, outcome.state); // durable before we answer
      memory.set(sub.log.origin, outcome.state);
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: outcome.cosignature };
    });
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const route = async () => {
      if (url === '/add-checkpoint') {
        if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'add-checkpoint is a POST\n');
        const out = await addCheckpoint(req);
        return send(res, out.status, out.contentType, out.body);
      }
      const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url);
      if (m && req.method === 'GET') {
        const state = deps.store.readByHash(m[1]);
        return state ? send(res, 200, 'text/plain; charset=utf-8', state.note) : send(res, 404, 'text/plain; charset=utf-8', 'this witness has cosigned no checkpoint of that log\n');
      }
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    };
    route().catch((err: unknown) => {
      deps.log(`internal error: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };
}

export interface RunningWitness {
  readonly url: string;
  close(): Promise<void>;
}

export async function listenWitness(deps: WitnessServerDeps, host: string, port: number): Promise<RunningWitness> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, witnessHandler(deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
