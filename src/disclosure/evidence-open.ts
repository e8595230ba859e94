// Offline opening of the end-to-end items of an evidence package (issue 15
// §5): each .envelope is opened with the agency's own key (from its backup
// file), decrypted in full, and checked: every chunk authenticates under the
// envelope header the sealed key is bound to, and the plaintext's SHA-256 is
// the one the camera sealed beside the content key. The camera's own Ed25519
// signature travels sealed too, but its payload names the camera, which an
// agency's package never does (neighbours are pseudonyms), so it is the owner
// who can show it. Like evidence-cli.ts this needs no server and no database.
import { fromBase64 } from '../platform/base64.ts';
import { ENVELOPE_HEADER_SIZE, importContentKey, openEnvelopeRange, parseEnvelopeHeader } from '../platform/sealed/envelope.ts';
import { openSecret } from '../platform/sealed/hpke.ts';
import { sha256Hex } from '../cameras/e2ee-signature.ts';

export class OpenError extends Error {}

export interface OpenedItem {
  /** The item's position in the manifest (0-based): unique, unlike file names an attacker may repeat. */
  index: number;
  file: string;
  plaintext: Uint8Array;
  plainSha256: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Opens each sealed item of a package that verify-evidence has already verified, one at a time, so only one plaintext is held. */
export async function* openSealedItems(files: Record<string, Uint8Array>, agency: CryptoKeyPair): AsyncGenerator<OpenedItem> {
  const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as { items: unknown[] };
  for (const [i, item] of manifest.items.entries()) {
    if (!isObj(item) || item.content !== 'sealed') continue;
    const where = `item ${i + 1} (${String(item.file)})`;
    const e2ee = item.e2ee;
    if (!isObj(e2ee) || !str(e2ee.sealedKey) || !str(e2ee.envelopeHeader) || !str(item.file)) throw new OpenError(`${where}: no sealed key in the manifest`);
    const header = fromBase64(e2ee.envelopeHeader);
    const sealedKey = fromBase64(e2ee.sealedKey);
    const envelope = files[item.file];
    if (!header || !sealedKey) throw new OpenError(`${where}: the sealed key or header is not base64`);
    if (!envelope || !same(envelope.subarray(0, ENVELOPE_HEADER_SIZE), header)) throw new OpenError(`${where}: the envelope's header is not the one its key is sealed with`);
    const h = parseEnvelopeHeader(header);
    const secret = await openSecret(agency, header, sealedKey).catch(() => {
      throw new OpenError(`${where}: the sealed key does not open with this agency key (sealed to another key?)`);
    });
    const key = await importContentKey(secret.contentKey);
    secret.contentKey.fill(0);
    const plaintext = h.plainSize === 0 ? new Uint8Array(0) : await openEnvelopeRange(key, h, 0, h.plainSize - 1, envelope.subarray(ENVELOPE_HEADER_SIZE));
    const plainSha256 = await sha256Hex(plaintext);
    if (plainSha256 !== Buffer.from(secret.plainSha256).toString('hex')) throw new OpenError(`${where}: the decrypted clip does not match the SHA-256 its camera sealed`);
    yield { index: i, file: item.file, plaintext, plainSha256 };
  }
}
