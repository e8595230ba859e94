// `porchlight report recount`: recomputes every figure of a Porchlight
// instance's transparency report from its log, with no trust in the instance
// (issue 13). It fetches the published report, verifies the log (the
// checkpoint's signature, every entry bundle and tile up to the signed root,
// and that the report's own checkpoint is consistent with it), folds the
// entries the report counted with the same pure tally the server uses, and
// prints every difference. Standalone, like `log verify`: no server code, no
// database.
import { parseArgs } from 'node:util';
import { httpFetcher, loadKey, resolveLogPrefix } from '../ledger/cli.ts';
import { NoteError, type Verifier, parseVerifierKey } from '../ledger/note.ts';
import { VerifyError, openSignedCheckpoint, verifyLog } from '../ledger/verify.ts';
import { toBase64 } from '../ledger/primitives.ts';
import { differences, readPublished } from './published.ts';
import { ReportTally } from './report.ts';

const USAGE = `porchlight report recount --url URL [--key VKEY]

  recount    fetch URL/transparency/report.json and the log under URL/log,
             verify the log's checkpoint, tiles and entries, recompute every
             figure from the entries the report counted, and print each
             difference, or "all N figures match at tree size S".

  --url URL  the instance, e.g. https://porchlight.example
  --key VKEY the log's verifier key (GET /log/key) or a file holding it; without
             it the key is taken from the instance itself, which proves only
             that the report matches the log that instance serves
  --help     this text

Exit status: 0 all figures match, 1 a difference or a verification failure, 2 usage error.`;

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const type = res.headers.get('content-type') ?? 'no content type';
  if (!res.ok) throw new VerifyError('fetch_failed', `GET ${url}: HTTP ${res.status} (${type})`);
  if (!/^application\/json\b/i.test(type)) throw new VerifyError('fetch_failed', `GET ${url}: got ${type}, not the report's JSON`);
  try {
    return await res.json();
  } catch (err) {
    throw new VerifyError('fetch_failed', `GET ${url}: not JSON: ${(err as Error).message}`);
  }
}

async function serverKey(prefix: string, err: (s: string) => void): Promise<Verifier> {
  const res = await fetch(`${prefix}/key`);
  if (!res.ok) throw new VerifyError('fetch_failed', `GET ${prefix}/key: HTTP ${res.status}`);
  err(`note: using the key ${prefix}/key serves; pass --key with a key you got elsewhere to check the instance itself`);
  return parseVerifierKey((await res.text()).trim());
}

export interface RecountResult {
  size: number;
  figures: number;
  differences: string[];
}

/** Recounts the report of the instance at `base` (its prefix is found as `log verify` finds it). */
export async function recount(base: string, verifier: Verifier | null, err: (s: string) => void = () => {}): Promise<RecountResult> {
  const prefix = await resolveLogPrefix(base);
  const instance = prefix.replace(/\/log$/, '');
  const report = readPublished(await fetchJson(`${instance}/transparency/report.json`));
  const key = verifier ?? (await serverKey(prefix, err));
  // The report's own checkpoint must be signed, and must say what the report says it does.
  const counted = openSignedCheckpoint(report.log.checkpoint, key);
  if (counted.size !== report.log.size || toBase64(counted.root) !== report.log.root) {
    throw new VerifyError('root_mismatch', `the report says size ${report.log.size}, but its checkpoint is of size ${counted.size} with another root`);
  }
  const tally = new ReportTally();
  // `previous` makes verifyLog prove the report's tree is a prefix of the log verified now (RFC 9162 consistency).
  await verifyLog({
    verifier: key, fetch: httpFetcher(prefix), previous: report.log.checkpoint,
    onEntry: (index, entry) => {
      if (index < counted.size) tally.fold(index, entry);
    },
  });
  const mine = tally.figures();
  return { size: counted.size, figures: mine.length, differences: differences(report.figures, mine) };
}

/** Runs `porchlight report …`; returns the exit status. */
export async function runReportCli(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { url: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err(`porchlight report: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'recount' || !values.url) {
    err(USAGE);
    return 2;
  }
  try {
    const r = await recount(values.url, values.key ? loadKey(values.key) : null, err);
    if (r.differences.length === 0) {
      out(`OK all ${r.figures} figures match at tree size ${r.size}`);
      return 0;
    }
    for (const d of r.differences) out(`DIFFERS ${d}`);
    err(`FAILED: ${r.differences.length} of the published figures differ from the log at tree size ${r.size}`);
    return 1;
  } catch (e) {
    if (e instanceof VerifyError || e instanceof NoteError) {
      err(`FAILED: ${e.message} (${e.code})`);
      return 1;
    }
    if (e instanceof TypeError && /fetch failed/.test(e.message)) {
      err(`FAILED: cannot reach ${values.url}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
      return 1;
    }
    if (e instanceof Error && /report/.test(e.message)) {
      err(`FAILED: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
