// `porchlight log verify` and `porchlight log verify-receipt`: the standalone
// verifier. It imports only the pure ledger modules (no server, no database):
// anyone can run it against any Porchlight log with nothing but its URL and key.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCosignerVerifierKey } from './cosignature.ts';
import { NoteError, type Verifier, parseVerifierKey } from './note.ts';
import { progressBar } from '../platform/progress.ts';
import { type Fetcher, VerifyError, type WitnessPolicy, checkCosignatures, verifyLog, verifyReceipt } from './verify.ts';

const USAGE = `porchlight log verify --url URL --key VKEY [--state FILE] [--witness VKEY ... --min-witnesses N]
porchlight log verify-receipt FILE --key VKEY [--witness VKEY ... --min-witnesses N]   (or: log verify --receipt FILE ...)

  verify          fetch the log's checkpoint and every tile and entry bundle from URL
                  (the instance, e.g. https://porchlight.example, or the log's
                  prefix, https://porchlight.example/log), check the
                  checkpoint's signature, recompute every tile and the root from the
                  entries, and, with --state, check that the log only grew since the
                  checkpoint saved there; then save the new one (a monitor).
  verify-receipt  check a receipt (or the JSON of GET /api/v1/me/receipts) offline:
                  the checkpoint's signature, the inclusion proof, and that the entry
                  commits to each clip under its salt.

  --key VKEY      the log's verifier key (GET /log/key), or a file holding it
  --state FILE    where the last verified checkpoint is kept between runs
  --witness VKEY  a witness's cosigner key (C2SP tlog-cosignature, type 0x04), or a
                  file holding it; repeat for each witness you trust
  --min-witnesses N  how many of those must have cosigned the checkpoint (required
                  with --witness); a cosignature by a listed witness that does not
                  verify fails, signatures by keys not listed are ignored
  --help          this text

Exit status: 0 verified, 1 verification failed, 2 usage error.`;

const keyText = (value: string) => (!value.includes('+') && fs.existsSync(value) ? fs.readFileSync(value, 'utf8') : value).trim();
export const loadKey = (value: string): Verifier => parseVerifierKey(keyText(value));

type VerifyFlags = { url?: string; key?: string; state?: string; witness?: string[]; 'min-witnesses'?: string };

/** --witness and --min-witnesses go together: no count is assumed for the user. */
function witnessPolicy(values: VerifyFlags): WitnessPolicy | undefined | string {
  const keys = values.witness ?? [];
  const minText = values['min-witnesses'];
  if (keys.length === 0 && minText === undefined) return undefined;
  if (minText === undefined || !/^\d+$/.test(minText)) return '--min-witnesses N is required with --witness';
  const min = Number(minText);
  if (min < 1 || min > keys.length) return `--min-witnesses must be between 1 and the number of --witness keys (${keys.length})`;
  return { keys: keys.map((k) => parseCosignerVerifierKey(keyText(k))), min };
}

const typeOf = (res: Response) => res.headers.get('content-type') ?? 'no content type';
/** A web page or a JSON error is never part of a log (C2SP tlog-tiles serves text and bytes). */
const notLogFile = (type: string) => /^(text\/html|application\/(problem\+)?json)\b/i.test(type);

/** HTTP fetcher under the log's prefix: 404 is "absent", any other failure an error naming the URL and what came back. */
export function httpFetcher(prefix: string): Fetcher {
  return async (p) => {
    const url = `${prefix}/${p}`;
    const res = await fetch(url, { headers: { accept: '*/*' } });
    if (res.status === 404) return null;
    if (!res.ok) throw new VerifyError('fetch_failed', `GET ${url}: HTTP ${res.status} (${typeOf(res)})`);
    if (notLogFile(typeOf(res))) throw new VerifyError('fetch_failed', `GET ${url}: got ${typeOf(res)}, which is not a log file (is --url the log's address?)`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

/**
 * The log's prefix from what the user gave: the log's own prefix
 * (https://porchlight.example/log) or the instance's base URL, under which
 * the log lives at /log. The first that serves a checkpoint wins.
 */
export async function resolveLogPrefix(url: string): Promise<string> {
  const base = url.replace(/\/+$/, '');
  const candidates = base.endsWith('/log') ? [base] : [base, `${base}/log`];
  const tried: string[] = [];
  for (const prefix of candidates) {
    const res = await fetch(`${prefix}/checkpoint`, { headers: { accept: '*/*' } });
    await res.arrayBuffer();
    if (res.ok && !notLogFile(typeOf(res))) return prefix;
    tried.push(`GET ${prefix}/checkpoint answered HTTP ${res.status} (${typeOf(res)})`);
  }
  throw new VerifyError('fetch_failed', `no log checkpoint under ${url}: ${tried.join('; ')}`);
}

function writeState(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function verify(values: VerifyFlags, out: (s: string) => void): Promise<number> {
  const witnesses = witnessPolicy(values);
  if (!values.url || !values.key || typeof witnesses === 'string') {
    out(`${typeof witnesses === 'string' ? `${witnesses}\n` : ''}usage: ${USAGE.split('\n')[0]}`);
    return 2;
  }
  const verifier = loadKey(values.key);
  const previous = values.state && fs.existsSync(values.state) ? fs.readFileSync(values.state, 'utf8') : undefined;
  const started = performance.now();
  const bar = progressBar('log entries checked');
  let r: Awaited<ReturnType<typeof verifyLog>>;
  try {
    r = await verifyLog({ verifier, fetch: httpFetcher(await resolveLogPrefix(values.url)), previous, witnesses, onProgress: (done, total) => bar.update(done, total) });
  } finally {
    bar.done();
  }
  const secs = (performance.now() - started) / 1000;
  if (values.state) writeState(values.state, r.checkpointText);
  out(`OK ${r.checkpoint.origin}: ${r.leaves} entries, ${r.tiles} tiles recomputed and matching the signed root`);
  if (witnesses) out(`   cosigned by ${r.cosignedBy.length} of ${witnesses.keys.length} witnesses (${r.cosignedBy.join(', ')}); ${witnesses.min} required`);
  if (r.previousSize !== null) out(`   consistent with the previous checkpoint of size ${r.previousSize}`);
  out(`   ${secs.toFixed(2)} s, ${secs > 0 ? Math.round(r.leaves / secs) : r.leaves} leaves/s`);
  return 0;
}

function verifyReceiptFile(file: string | undefined, values: VerifyFlags, out: (s: string) => void): number {
  const { key } = values;
  const witnesses = witnessPolicy(values);
  if (!file || !key || typeof witnesses === 'string') {
    out(`${typeof witnesses === 'string' ? `${witnesses}\n` : ''}usage: ${USAGE.split('\n')[1]}`);
    return 2;
  }
  const verifier = loadKey(key);
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VerifyError('bad_receipt', `${file} is not JSON: ${(err as Error).message}`);
  }
  // Either one receipt, or the whole answer of GET /api/v1/me/receipts.
  const list = typeof doc === 'object' && doc !== null && Array.isArray((doc as { receipts?: unknown }).receipts) ? (doc as { receipts: unknown[] }).receipts : [doc];
  for (const r of list) {
    const v = verifyReceipt(r, verifier);
    // The receipt's checkpoint carries the cosignatures it had when issued (C2SP tlog-cosignature).
    const cosigned = witnesses ? checkCosignatures((r as { checkpoint: string }).checkpoint, verifier, witnesses) : null;
    out(`OK entry ${v.index} (${v.entry.basis}, ${v.entry.time}) is in ${v.checkpoint.origin} at size ${v.checkpoint.size}; its clip commitments open with your salts`);
    if (cosigned) out(`   cosigned by ${cosigned.join(', ')}`);
  }
  return 0;
}

/** Runs `porchlight log …`; returns the exit status. */
export async function runLogCli(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' }, key: { type: 'string' }, state: { type: 'string' }, receipt: { type: 'string' }, witness: { type: 'string', multiple: true }, 'min-witnesses': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err(`porchlight log: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (values.help || !sub) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    if (sub === 'verify' && rest.length === 0 && values.receipt !== undefined) return verifyReceiptFile(values.receipt, values, out);
    if (sub === 'verify' && rest.length === 0) return await verify(values, out);
    if (sub === 'verify-receipt' && rest.length === 1) return verifyReceiptFile(rest[0], values, out);
    err(`porchlight log: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof VerifyError || e instanceof NoteError) {
      err(`FAILED: ${e.message} (${e.code})`);
      return 1;
    }
    if (e instanceof TypeError && /fetch failed/.test(e.message)) {
      err(`FAILED: cannot reach the log: ${(e.cause as Error | undefined)?.message ?? e.message}`);
      return 1;
    }
    throw e;
  }
}
