// `porchlight log verify-evidence ZIP --key VKEY`: checks an evidence package
// offline, whatever its kind (a community request's, an emergency's or a
// warrant's). It reads only the ZIP and the key, and imports only the ledger's
// pure verification modules and the package's format: no server, no database. The package is
// attacker-controlled input: every field is checked before use, and the clips
// are hashed from the bytes in the package, never trusted from the manifest.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';
import { parseVerifierKey, type Verifier } from '../ledger/note.ts';
import { sha256, toHex, utf8 } from '../ledger/primitives.ts';
import { VerifyError, openSignedCheckpoint, verifyReceipt } from '../ledger/verify.ts';
import { importKeyPair } from '../platform/sealed/hpke.ts';
import { openBackup, parseBackup } from '../platform/sealed/keybackup.ts';
import { openSealedItems } from './evidence-open.ts';
import { BASIS_OF_KIND, EVIDENCE_FORMAT, type PackageKind } from './evidence-format.ts';

const USAGE = `porchlight log verify-evidence ZIP --key VKEY

  Checks an evidence package offline (GET …/requests/{id}/evidence.zip,
  …/emergency-requests/{id}/evidence.zip or …/legal-demands/{id}/evidence.zip):
  each clip's SHA-256 against its manifest, each checkpoint's Ed25519 signature,
  each RFC 9162 inclusion proof, that each log entry names this request,
  emergency or warrant and its agency on the matching basis (consent, emergency,
  warrant), and that it commits to the original clip's SHA-256.

  --key VKEY   the log's verifier key (GET /log/key), or a file holding it

  End-to-end encrypted items (.envelope) are also opened and checked, when given:
  --agency-key FILE       the agency's key backup file (made on its End-to-end
                          key page); its passphrase comes from --passphrase-file
                          or the PORCHLIGHT_KEY_PASSPHRASE environment variable
  --passphrase-file FILE  a file whose first line is that passphrase
  --out DIR               where to write each decrypted clip (.mp4)
  Each is decrypted and checked against the SHA-256 its camera sealed with the
  key; a changed byte fails authentication.

Exit status: 0 verified, 1 verification failed, 2 usage error.`;

/** Unzipped sizes above this are refused: a package is clips of at most a few hundred MB. */
const MAX_TOTAL_BYTES = 4 * 1024 ** 3;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';

class EvidenceError extends Error {}

function loadKey(value: string): Verifier {
  const text = !value.includes('+') && fs.existsSync(value) ? fs.readFileSync(value, 'utf8') : value;
  return parseVerifierKey(text.trim());
}

const KIND_NAME: Record<PackageKind, string> = { request: 'request', emergency: 'emergency request', warrant: 'search warrant' };

export interface EvidenceReport {
  kind: PackageKind;
  /** The request's, emergency's or warrant's id. */
  subjectId: string;
  /** `label` is the pseudonym in a request's package, the disclosure id otherwise. */
  items: { file: string; label: string; index: number }[];
  /** Clips shared or released, then deleted by their owner: listed in the package, with no bytes to check. */
  withdrawn: number;
}

/** Verifies unzipped package contents; throws EvidenceError or VerifyError on the first failure. */
export function verifyEvidence(files: Record<string, Uint8Array>, verifier: Verifier): EvidenceReport {
  const raw = files['manifest.json'];
  if (!raw) throw new EvidenceError('manifest.json is missing');
  let manifest: unknown;
  try {
    manifest = JSON.parse(utf8.decode(raw) ?? '');
  } catch {
    throw new EvidenceError('manifest.json is not JSON');
  }
  if (!isObj(manifest) || manifest.format !== EVIDENCE_FORMAT || !Array.isArray(manifest.items)) {
    throw new EvidenceError(`manifest.json is not a ${EVIDENCE_FORMAT} manifest`);
  }
  // Packages made before kinds existed were all community requests; a missing
  // kind is checked as one, the strictest reading (consent entries only).
  const kind = manifest.kind ?? 'request';
  if (!str(kind) || !Object.hasOwn(BASIS_OF_KIND, kind)) throw new EvidenceError(`manifest.json has an unknown kind ${JSON.stringify(kind)}`);
  const k = kind as PackageKind;
  const subject = manifest[k];
  if (!isObj(subject) || !str(subject.id) || !str(subject.agencyId)) throw new EvidenceError(`the manifest names no ${KIND_NAME[k]} or agency`);
  const basis = BASIS_OF_KIND[k];
  if (files['checkpoint.txt']) openSignedCheckpoint(files['checkpoint.txt'], verifier);

  const items: EvidenceReport['items'] = [];
  for (const [i, item] of manifest.items.entries()) {
    const where = `item ${i + 1}`;
    const label = isObj(item) ? (k === 'request' ? item.pseudonym : item.disclosureId) : undefined;
    if (!isObj(item) || !str(item.file) || !str(label) || !isObj(item.sha256) || !isObj(item.log) || !str(item.commitmentSalt)) {
      throw new EvidenceError(`${where}: malformed`);
    }
    const { original, delivered } = item.sha256;
    if (!str(original) || !str(delivered)) throw new EvidenceError(`${where}: no SHA-256`);
    const bytes = files[item.file];
    if (!bytes) throw new EvidenceError(`${where}: ${item.file} is missing from the package`);
    if (toHex(sha256(bytes)) !== delivered) throw new EvidenceError(`${where}: ${item.file} does not match its SHA-256 (altered)`);
    const log = item.log;
    if (!str(log.entry) || !Number.isSafeInteger(log.index) || !str(log.checkpoint) || !Array.isArray(log.proof)) {
      throw new EvidenceError(`${where}: the log entry is not integrated yet (no index or proof); download the package again later`);
    }
    // The receipt check: checkpoint signature, inclusion of the entry, and the entry's commitment to the original clip.
    const v = verifyReceipt({ entry: log.entry, index: log.index, checkpoint: log.checkpoint, proof: log.proof, clips: [{ id: item.file, sha256: original, salt: item.commitmentSalt }] }, verifier);
    if (v.entry.basis !== basis || v.entry.ref !== subject.id || v.entry.agency !== subject.agencyId) {
      throw new EvidenceError(`${where}: the log entry is not ${basis === 'emergency' ? 'an' : 'a'} ${basis} disclosure to agency ${subject.agencyId} for ${KIND_NAME[k]} ${subject.id}`);
    }
    items.push({ file: item.file, label, index: v.index });
  }
  return { kind: k, subjectId: subject.id, items, withdrawn: Array.isArray(manifest.withdrawn) ? manifest.withdrawn.length : 0 };
}

export async function runEvidenceCli(argv: string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { key: { type: 'string' }, 'agency-key': { type: 'string' }, 'passphrase-file': { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (err) {
    out(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const zipFile = parsed.positionals.find((p) => p !== 'verify-evidence');
  if (parsed.values.help || !zipFile || !parsed.values.key) {
    out(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  try {
    const verifier = loadKey(parsed.values.key);
    let total = 0;
    const files = unzipSync(fs.readFileSync(zipFile), {
      filter: (f) => {
        total += f.originalSize;
        if (total > MAX_TOTAL_BYTES) throw new EvidenceError('the package unzips to more than 4 GiB; refusing');
        return true;
      },
    });
    const r = verifyEvidence(files, verifier);
    out(`OK evidence for ${KIND_NAME[r.kind]} ${r.subjectId}: ${r.items.length} clip(s) verified`);
    for (const it of r.items) out(`   ${it.label}: ${it.file} (log index ${it.index})`);
    if (r.withdrawn) out(`   ${r.withdrawn} ${r.kind === 'request' ? 'shared' : 'released'} clip(s) withdrawn: deleted by their owners afterwards (no bytes in the package)`);
    if (parsed.values['agency-key']) await openSealed(files, parsed.values as OpenOptions, out);
    return 0;
  } catch (err) {
    if (err instanceof EvidenceError || err instanceof VerifyError) {
      out(`FAILED: ${err.message}`);
      return 1;
    }
    out(`FAILED: ${(err as Error).message}`);
    return 1;
  }
}

interface OpenOptions { 'agency-key': string; 'passphrase-file'?: string; out?: string }

async function openSealed(files: Record<string, Uint8Array>, o: OpenOptions, out: (s: string) => void): Promise<void> {
  const passphrase = o['passphrase-file'] ? fs.readFileSync(o['passphrase-file'], 'utf8').split(/\r?\n/)[0] : process.env.PORCHLIGHT_KEY_PASSPHRASE;
  if (!passphrase) throw new EvidenceError('the agency key backup needs its passphrase: --passphrase-file FILE or PORCHLIGHT_KEY_PASSPHRASE');
  const pair = await importKeyPair(await openBackup(parseBackup(fs.readFileSync(o['agency-key'], 'utf8')), passphrase));
  if (o.out) fs.mkdirSync(o.out, { recursive: true });
  let n = 0;
  for await (const it of openSealedItems(files, pair)) {
    n++;
    // Named by manifest position, never by the package's own path; 'wx' refuses to overwrite or follow a link.
    const name = `${String(it.index + 1).padStart(3, '0')}-${path.basename(it.file, '.envelope').replace(/[^A-Za-z0-9_-]/g, '_')}.mp4`;
    if (o.out) fs.writeFileSync(path.join(o.out, name), it.plaintext, { flag: 'wx' });
    out(`OK opened ${it.file}: every chunk authenticates, and it matches the SHA-256 ${it.plainSha256} sealed with its key${o.out ? `; written to ${path.join(o.out, name)}` : ''}`);
  }
  if (n === 0) out('   no end-to-end encrypted items to open');
}
