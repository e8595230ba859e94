// The offline-verifiable evidence package (ZIP) an agency downloads for what
// it received on one basis: the clips consented to a community request, released
// by an emergency's two determinations, or released by a search warrant (issue 5
// §5, issue 19). One builder for all three, so they verify the same way
// (evidence-cli.ts): manifest.json with a top-level `kind`, the clips, the
// signed checkpoint, one proof file per clip (RFC 9162 §2.1.3 inclusion) and a
// README. Bytes are read only through DisclosureService.openDisclosedClip, so
// every clip read is written into its owner's access log in the transaction
// that checks the clip is still there.
import type { Readable } from 'node:stream';
import { zipWriter } from '../platform/zip.ts';
import type { Actor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { latestCheckpoint } from '../ledger/repository.ts';
import type { EvidenceManifest, EvidenceRecord } from './manifest.ts';
import type { DisclosureService } from './service.ts';
import { BASIS_OF_KIND, EVIDENCE_FORMAT, type PackageKind } from './evidence-format.ts';

export { EVIDENCE_FORMAT, type PackageKind };


/** The manifest as an agency gets it: no clip id (for a request it would link shares of one clip across requests). */
export type AgencyManifest = Omit<EvidenceManifest, 'clipId'> & {
  /** Opens the log entry's commitment to sha256.original (src/ledger/entry.ts). */
  commitmentSalt: string;
};

export interface PackageItem {
  id: string;
  /** False once the owner deleted the clip (or it passed their retention): the shared copy is destroyed with it. */
  available: boolean;
  manifest: AgencyManifest;
}

export interface PackageSpec {
  kind: PackageKind;
  /** What the package is evidence of, under the manifest key named by `kind`; the verifier needs its id and agencyId. */
  subject: { id: string; agencyId: string } & Record<string, unknown>;
  /** Folders of clips ('clips/neighbor-1' for a request's pseudonyms, 'clips' otherwise), each with its label fields. */
  groups: { folder: string; label: Record<string, string>; items: PackageItem[] }[];
  filename: string;
}

/** A disclosure's manifest as the recipient agency gets it, and whether its bytes can still be read. */
export function toPackageItem({ row: d, manifest: m, clipLive }: EvidenceRecord): PackageItem {
  const { clipId: _clipId, ...rest } = m;
  const available = clipLive && (d.content !== 'derived' || (d.copy_wrapped_key !== null && d.copy_blob_key !== null));
  return { id: d.id, available, manifest: { ...rest, commitmentSalt: d.salt } };
}

/**
 * The package, streamed as it is built. Clips are stored uncompressed (MP4
 * does not compress); a slow reader pauses the clip reads instead of filling
 * memory. The caller has checked that the actor is a member of the recipient
 * agency; openDisclosedClip checks it again for every clip.
 */
export async function evidencePackage(ctx: AppContext, disclosure: DisclosureService, actor: Actor, spec: PackageSpec): Promise<{ filename: string; body: Readable }> {
  const cp = await latestCheckpoint(ctx.db.kysely);
  const zip = zipWriter();
  const addText = zip.addText;
  // A sealed item is the envelope, not an MP4: it opens with manifest.e2ee and the agency's key.
  const all = spec.groups.flatMap((g) => g.items.map((it) => ({ label: g.label, file: `${g.folder}/${it.id}.${it.manifest.content === 'sealed' ? 'envelope' : 'mp4'}`, proofFile: `proofs/${it.id}.json`, ...it })));
  const items = all.filter((it) => it.available);
  const manifest = {
    format: EVIDENCE_FORMAT,
    kind: spec.kind,
    [spec.kind]: spec.subject,
    generatedAt: new Date(ctx.clock.now()).toISOString(),
    log: { origin: ctx.config.logOrigin, checkpoint: cp?.note ?? null },
    items: items.map((it) => ({ ...it.label, file: it.file, proofFile: it.proofFile, ...it.manifest })),
    // Released, then deleted by the owner: the log entry stays (it is public), the bytes do not.
    withdrawn: all.filter((it) => !it.available).map((it) => ({ ...it.label, disclosureId: it.id, logEntry: it.manifest.log.entry, reason: 'the owner deleted the clip; the shared copy was destroyed with it' })),
  };
  const pump = async () => {
    addText('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
    addText('README.txt', readme(spec.kind));
    if (cp) addText('checkpoint.txt', cp.note);
    for (const it of items) {
      addText(it.proofFile, JSON.stringify({ entry: it.manifest.log.entry, index: it.manifest.log.index, checkpoint: it.manifest.log.checkpoint, proof: it.manifest.log.proof }, null, 2) + '\n');
      const video = await disclosure.openDisclosedClip(actor, it.id, undefined);
      await zip.addStream(it.file, video.body);
    }
    zip.end();
  };
  pump().catch(zip.fail);
  return { filename: spec.filename, body: zip.out };
}

const TAIL = `the device signature and key, the camera-reported times,
                and its disclosure-log entry with index, inclusion proof and
                signed checkpoint.`;

const SUBJECT: Record<PackageKind, { manifest: string; clips: string }> = {
  request: {
    manifest: `manifest.json   the request, and for each clip: its pseudonymous neighbour, the
                SHA-256 of the original and of the delivered (privacy-redacted)
                copy, ${TAIL}`,
    clips: `clips/          the delivered copies, one folder per neighbour. A .envelope file
                is an end-to-end encrypted clip: it opens with the sealed key in
                its manifest item (e2ee) and your agency's private key, in a
                member's browser that holds it, or offline (below).`,
  },
  emergency: {
    manifest: `manifest.json   the emergency request, and for each clip its two reviewers
                released: the SHA-256 of the original and of the delivered bytes,
                ${TAIL}`,
    clips: `clips/          the released clips (original bytes).`,
  },
  warrant: {
    manifest: `manifest.json   the search warrant, and for each clip it released: the SHA-256
                of the original and of the delivered bytes,
                ${TAIL}`,
    clips: `clips/          the released clips (original bytes).`,
  },
};

function readme(kind: PackageKind): string {
  return `Porchlight evidence package (${EVIDENCE_FORMAT}, ${kind})

${SUBJECT[kind].manifest}
${SUBJECT[kind].clips}
proofs/         the log entry, index, inclusion proof and checkpoint per clip.
checkpoint.txt  the log's latest signed checkpoint when the package was made.

Verify offline, with the log's public key:
  porchlight log verify-evidence evidence.zip --key <verifier key>
This checks every clip's SHA-256, each checkpoint's Ed25519 signature, each
RFC 9162 inclusion proof, that each entry is ${kind === 'emergency' ? 'an' : 'a'} ${BASIS_OF_KIND[kind]} disclosure to
your agency for this ${kind}, and that it commits to the original clip.
Add --agency-key <backup file> --out <folder> to also decrypt each .envelope
and check it against the SHA-256 its camera sealed (the backup's passphrase
comes from --passphrase-file or PORCHLIGHT_KEY_PASSPHRASE).
`;
}
