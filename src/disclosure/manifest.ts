// The evidence manifest of one disclosure (PRODUCT.md C, "What the agency
// sees"; issue 6 §1 "original bytes plus the evidence manifest"): the SHA-256
// of the original and of the bytes delivered, the device's signature and key,
// the times the camera reported, and the log entry: its index, the signed
// checkpoint and an inclusion proof (RFC 9162 §2.1.3) computed from the stored
// tiles. Before the integrator has run, the entry is "pending" and has no index.
import type { DbHandle } from '../platform/db/db.ts';
import { toBase64, utf8 } from '../ledger/primitives.ts';
import { entryIndexOf, latestCheckpoint, readTiles } from '../ledger/repository.ts';
import { inclusionProofFromTiles, inclusionProofTiles } from '../ledger/tiles.ts';
import type { DisclosureRow } from './repository.ts';

export interface EvidenceManifest {
  disclosureId: string;
  clipId: string;
  basis: { kind: string; ref: string };
  content: 'derived' | 'original';
  sha256: { original: string; delivered: string };
  size: number;
  device: { signed: boolean; signature: string | null; publicKey: string | null };
  cameraReported: { startedAt: string; endedAt: string; kind: string };
  log: { entry: string; index: number | null; checkpoint: string | null; proof: string[] | null };
  disclosedAt: string;
}

export async function manifestOf(db: DbHandle, d: DisclosureRow): Promise<EvidenceManifest> {
  const clip = await db.selectFrom('clips').leftJoin('cameras', 'cameras.id', 'clips.camera_id')
    .select(['clips.started_at', 'clips.ended_at', 'clips.kind', 'clips.signed', 'clips.device_signature', 'clips.device_public_key'])
    .where('clips.id', '=', d.clip_id).executeTakeFirstOrThrow();
  const entryRow = await db.selectFrom('log_entries').select('entry').where('seq', '=', d.log_seq).executeTakeFirstOrThrow();
  const index = await entryIndexOf(db, Number(d.log_seq));
  const cp = await latestCheckpoint(db);
  let proof: string[] | null = null;
  if (index !== null && index !== undefined && cp && index < cp.size) {
    const tiles = new Map([...(await readTiles(db, inclusionProofTiles(index, cp.size)))].map(([k, r]) => [k, r.bytes]));
    proof = inclusionProofFromTiles(tiles, index, cp.size).map(toBase64);
  }
  return {
    disclosureId: d.id,
    clipId: d.clip_id,
    basis: { kind: d.basis_kind, ref: d.basis_ref },
    content: d.content,
    sha256: { original: d.original_sha256, delivered: d.copy_sha256 },
    size: Number(d.copy_size),
    device: { signed: clip.signed === 1, signature: clip.device_signature, publicKey: clip.device_public_key },
    cameraReported: { startedAt: new Date(Number(clip.started_at)).toISOString(), endedAt: new Date(Number(clip.ended_at)).toISOString(), kind: clip.kind },
    log: { entry: utf8.decode(entryRow.entry) ?? '', index: index ?? null, checkpoint: proof ? cp!.note : null, proof },
    disclosedAt: new Date(Number(d.created_at)).toISOString(),
  };
}
