// The evidence manifest of one disclosure (PRODUCT.md C, "What the agency
// sees"; issue 6 §1 "original bytes plus the evidence manifest"): the SHA-256
// of the original and of the bytes delivered, the device's signature and key,
// the times the camera reported, and the log entry: its index, the signed
// checkpoint and an inclusion proof (RFC 9162 §2.1.3) computed from the stored
// tiles. Before the integrator has run, the entry is "pending" and has no index.
import type { DbHandle } from '../platform/db/db.ts';
import { toBase64, utf8 } from '../ledger/primitives.ts';
import { entriesBySeq, latestCheckpoint, readTiles } from '../ledger/repository.ts';
import { inclusionProofFromTiles, inclusionProofTiles } from '../ledger/tiles.ts';
import { manifestClipFacts, type DisclosureRow } from './repository.ts';
import { zonesOf } from './views.ts';
import { clipKeysOfDisclosures, type ClipKeyRow } from '../e2ee/repository.ts';
import { toSealedKeyView, type SealedKeyView } from '../e2ee/service.ts';

export interface EvidenceManifest {
  disclosureId: string;
  clipId: string;
  basis: { kind: string; ref: string };
  content: 'derived' | 'original' | 'sealed';
  sha256: { original: string; delivered: string };
  size: number;
  device: { signed: boolean; signature: string | null; publicKey: string | null };
  cameraReported: { startedAt: string; endedAt: string; kind: string };
  log: { entry: string; index: number | null; checkpoint: string | null; proof: string[] | null };
  disclosedAt: string;
  /** content 'sealed': the clip secret re-wrapped for the recipient's key, and the envelope header it is bound to. */
  e2ee: SealedKeyView | null;
  /** A derived copy: the privacy zones burned in (the log entry commits to the original). */
  redaction: { zones: unknown[] } | null;
}

/** A disclosure's row with its manifest, and whether its clip still exists (an owner may delete it after sharing). */
export interface EvidenceRecord {
  row: DisclosureRow;
  manifest: EvidenceManifest;
  clipLive: boolean;
}

/**
 * The manifests of many disclosures in a fixed number of queries, whatever
 * their count: the clips, the entries and the tiles their proofs need are each
 * read in one batch, all against one checkpoint.
 */
export async function manifestsOf(db: DbHandle, rows: readonly DisclosureRow[]): Promise<EvidenceRecord[]> {
  if (rows.length === 0) return [];
  const clips = await manifestClipFacts(db, [...new Set(rows.map((d) => d.clip_id))]);
  const entries = await entriesBySeq(db, rows.map((d) => Number(d.log_seq)));
  const sealedKeys = await clipKeysOfDisclosures(db, rows.filter((d) => d.content === 'sealed').map((d) => d.id));
  const cp = await latestCheckpoint(db);
  const provable = (idx: number | null | undefined): idx is number => idx !== null && idx !== undefined && cp !== undefined && idx < cp.size;
  const coords = new Map<string, { level: number; index: number }>();
  for (const e of entries.values()) {
    if (provable(e.idx)) for (const c of inclusionProofTiles(e.idx, cp!.size)) coords.set(`${c.level}/${c.index}`, c);
  }
  const tiles = new Map([...(await readTiles(db, [...coords.values()]))].map(([k, r]) => [k, r.bytes]));
  return rows.map((d) => {
    const clip = clips.get(d.clip_id);
    const entry = entries.get(Number(d.log_seq));
    // The disclosure row references both; a missing one is corruption, not input.
    if (!clip || !entry) throw new Error(`disclosure ${d.id} references a missing ${clip ? 'log entry' : 'clip'}`);
    const proof = provable(entry.idx) ? inclusionProofFromTiles(tiles, entry.idx, cp!.size).map(toBase64) : null;
    const manifest: EvidenceManifest = {
      disclosureId: d.id,
      clipId: d.clip_id,
      basis: { kind: d.basis_kind, ref: d.basis_ref },
      content: d.content,
      sha256: { original: d.original_sha256, delivered: d.copy_sha256 },
      size: Number(d.copy_size),
      device: { signed: clip.signed === 1, signature: clip.device_signature, publicKey: clip.device_public_key },
      cameraReported: { startedAt: new Date(Number(clip.started_at)).toISOString(), endedAt: new Date(Number(clip.ended_at)).toISOString(), kind: clip.kind },
      log: { entry: utf8.decode(entry.entry) ?? '', index: entry.idx, checkpoint: proof ? cp!.note : null, proof },
      disclosedAt: new Date(Number(d.created_at)).toISOString(),
      e2ee: sealedOf(sealedKeys.get(d.id), clip.envelope_header),
      redaction: d.content === 'derived' && d.redaction !== null ? { zones: zonesOf(d.redaction) } : null,
    };
    return { row: d, manifest, clipLive: clip.deleted_at === null };
  });
}

function sealedOf(key: ClipKeyRow | undefined, header: Uint8Array | null): SealedKeyView | null {
  return key && header ? toSealedKeyView(key, header) : null;
}
