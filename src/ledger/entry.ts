// The disclosure log's entry format (PRODUCT.md F; documented in docs/ledger.md).
// An entry is RFC 8785 canonical JSON, so one entry has exactly one byte string
// and its leaf hash (RFC 9162 §2.1.1) can be recomputed by anyone from the JSON.
//
// An entry never holds an owner's id, name, e-mail or address. A clip appears
// only as a salted commitment SHA-256(salt || SHA-256(clip)), where the salt is
// 32 random bytes that only the owner receives (in their receipt): the public
// cannot tell which clip, or whose, an entry is about; the owner can.
// Identifiers are restricted to a token alphabet without "@" or spaces so that
// free text (and with it personal data) cannot slip into an entry by mistake.
import canonicalize from 'canonicalize';
import { fromHex, randomBytes, sha256, toHex, utf8 } from './primitives.ts';
import { MAX_ENTRY_BYTES } from './tiles.ts';

/**
 * The bases a disclosure can have. Later capabilities add kinds here; readers
 * (the verifier) accept any well-formed basis so an old verifier can read a newer log.
 */
export const KNOWN_BASES = [
  'consent',
  'warrant',
  'emergency',
  'subpoena',
  'court_order',
  'preservation',
  'public_post',
  'refusal_e2ee',
  'no_follow_up',
  // Version 2 (issue 13): what the transparency report counts besides disclosures.
  'request_sent',
  'request_answered',
  'decision',
  'owners_notified',
  'follow_up',
] as const;
export type KnownBasis = (typeof KNOWN_BASES)[number];

/** The version writers use. Version 1 entries (no `count`, `demand`, `outcome` or `incident`) stay valid. */
export const ENTRY_VERSION = 2 as const;
export const ENTRY_VERSIONS = [1, 2] as const;
/** The kinds of demand a `decision` or `follow_up` entry names (docs/ledger.md). */
export const DEMAND_KINDS = ['warrant', 'subpoena', 'court_order', 'preservation', 'emergency'] as const;
export type DemandKind = (typeof DEMAND_KINDS)[number];
export const OUTCOMES = ['approved', 'narrowed', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** The largest `count` an entry holds: far above any neighbourhood, and an exact integer in every JSON reader. */
export const MAX_COUNT = 1_000_000_000;
/** Entries are framed with a uint16 length in entry bundles (tlog-tiles), so at most 65,535 bytes. */
export const MAX_ENTRY_SIZE = MAX_ENTRY_BYTES;

export interface LogEntry {
  readonly v: 1 | 2;
  readonly basis: string;
  /** The agency's id, or null when no agency is involved (a public post). */
  readonly agency: string | null;
  /** The request or demand id. */
  readonly ref: string;
  /** Reviewer ids (never names). */
  readonly reviewers: readonly string[];
  /** ISO 8601 UTC time, e.g. 2026-11-26T21:38:01.000Z. */
  readonly time: string;
  /** Salted commitments to clips, 64 lower-case hex characters each. */
  readonly clips: readonly string[];
  /** v2: how many: homes a request reached, owners notified, or 1 for a home that answered with clips. */
  readonly count?: number;
  /** v2: the kind of demand a decision or follow-up is about. */
  readonly demand?: DemandKind;
  /** v2: a decision's outcome. */
  readonly outcome?: Outcome;
  /** v2: a community request's incident type, a lower-case identifier. */
  readonly incident?: string;
}

export type EntryErrorCode = 'not_json' | 'not_canonical' | 'too_large' | 'bad_field' | 'unknown_field' | 'unknown_basis';

export class EntryError extends Error {
  readonly code: EntryErrorCode;
  constructor(code: EntryErrorCode, message: string) {
    super(message);
    this.name = 'EntryError';
    this.code = code;
  }
}

const V1_FIELDS = ['v', 'basis', 'agency', 'ref', 'reviewers', 'time', 'clips'] as const;
const V2_FIELDS = [...V1_FIELDS, 'count', 'demand', 'outcome', 'incident'] as const;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const BASIS_RE = /^[a-z][a-z0-9_]{0,39}$/;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const COMMITMENT_RE = /^[0-9a-f]{64}$/;
const MAX_LIST = 1000;

const bad = (field: string, why: string) => new EntryError('bad_field', `${field} ${why}`);

function checkShape(e: Record<string, unknown>): LogEntry {
  if (e.v !== 1 && e.v !== 2) throw bad('v', `must be one of ${ENTRY_VERSIONS.join(', ')}`);
  const fields: readonly string[] = e.v === 1 ? V1_FIELDS : V2_FIELDS;
  for (const k of Object.keys(e)) if (!fields.includes(k)) throw new EntryError('unknown_field', `unknown field "${k}" in a version ${e.v} entry`);
  if (typeof e.basis !== 'string' || !BASIS_RE.test(e.basis)) throw bad('basis', 'must be a lower-case identifier');
  if (e.agency !== null && (typeof e.agency !== 'string' || !ID_RE.test(e.agency))) throw bad('agency', 'must be an id or null');
  if (typeof e.ref !== 'string' || !ID_RE.test(e.ref)) throw bad('ref', 'must be an id');
  if (!Array.isArray(e.reviewers) || e.reviewers.length > MAX_LIST || !e.reviewers.every((r) => typeof r === 'string' && ID_RE.test(r))) {
    throw bad('reviewers', 'must be a list of ids');
  }
  if (typeof e.time !== 'string' || !TIME_RE.test(e.time) || Number.isNaN(Date.parse(e.time))) throw bad('time', 'must be an ISO 8601 UTC time');
  if (!Array.isArray(e.clips) || e.clips.length > MAX_LIST || !e.clips.every((c) => typeof c === 'string' && COMMITMENT_RE.test(c))) {
    throw bad('clips', 'must be a list of 64-hex commitments');
  }
  if ('count' in e && !(Number.isSafeInteger(e.count) && (e.count as number) >= 0 && (e.count as number) <= MAX_COUNT)) throw bad('count', `must be an integer from 0 to ${MAX_COUNT}`);
  if ('demand' in e && !(DEMAND_KINDS as readonly unknown[]).includes(e.demand)) throw bad('demand', `must be one of ${DEMAND_KINDS.join(', ')}`);
  if ('outcome' in e && !(OUTCOMES as readonly unknown[]).includes(e.outcome)) throw bad('outcome', `must be one of ${OUTCOMES.join(', ')}`);
  if ('incident' in e && (typeof e.incident !== 'string' || !BASIS_RE.test(e.incident))) throw bad('incident', 'must be a lower-case identifier');
  return e as unknown as LogEntry;
}

/** Validates an entry (known bases only: writers must not invent kinds) and returns its canonical bytes. */
export function encodeEntry(entry: LogEntry): Uint8Array {
  const e = checkShape({ ...entry });
  if (!(KNOWN_BASES as readonly string[]).includes(e.basis)) throw new EntryError('unknown_basis', `unknown basis "${e.basis}"`);
  const bytes = utf8.encode(canonicalize(e) as string);
  if (bytes.length > MAX_ENTRY_SIZE) throw new EntryError('too_large', `an entry is at most ${MAX_ENTRY_SIZE} bytes`);
  return bytes;
}

/** Parses entry bytes from the log: strict shape, and the bytes must be the canonical form. */
export function parseEntry(bytes: Uint8Array): LogEntry {
  if (bytes.length > MAX_ENTRY_SIZE) throw new EntryError('too_large', `an entry is at most ${MAX_ENTRY_SIZE} bytes`);
  const text = utf8.decode(bytes);
  if (text === null) throw new EntryError('not_json', 'an entry is UTF-8 JSON');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EntryError('not_json', 'an entry is UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryError('not_json', 'an entry is a JSON object');
  const entry = checkShape(value as Record<string, unknown>);
  if (canonicalText(entry) !== text) throw new EntryError('not_canonical', 'an entry must be RFC 8785 canonical JSON');
  return entry;
}

/**
 * RFC 8785 text of a checked entry, fast: its values are only strings, null, the
 * integer 1 and arrays of strings, for which RFC 8785 §3.2.2 serialises exactly as
 * JSON.stringify does; so listing the keys in sorted order (§3.2.3) is all that is
 * left to do. (Writers use the general `canonicalize`; a test checks they agree.)
 */
export function canonicalText(e: LogEntry): string {
  // Optional fields are left out when absent (JSON.stringify drops undefined); `count` is a
  // safe integer, which §3.2.2.3 serialises as JSON.stringify does.
  return JSON.stringify({
    agency: e.agency, basis: e.basis, clips: e.clips, count: e.count, demand: e.demand, incident: e.incident,
    outcome: e.outcome, ref: e.ref, reviewers: e.reviewers, time: e.time, v: e.v,
  });
}

/** A fresh 32-byte salt for one clip in one entry; the owner keeps it. */
export function newClipSalt(): Uint8Array {
  return randomBytes(32);
}

/** The public commitment to a clip: hex SHA-256(salt || SHA-256(clip)). */
export function clipCommitment(salt: Uint8Array, clipSha256: Uint8Array): string {
  if (salt.length !== 32) throw bad('salt', 'must be 32 bytes');
  if (clipSha256.length !== 32) throw bad('clip hash', 'must be a SHA-256 (32 bytes)');
  return toHex(sha256(salt, clipSha256));
}

/** Whether an entry commits to the clip with this SHA-256 under this salt (hex inputs, as in receipts). */
export function entryCommitsTo(entry: LogEntry, saltHex: string, clipSha256Hex: string): boolean {
  const salt = fromHex(saltHex);
  const clip = fromHex(clipSha256Hex);
  if (!salt || !clip || salt.length !== 32 || clip.length !== 32) return false;
  return entry.clips.includes(clipCommitment(salt, clip));
}
