// TypeBox shapes shared by the legal, emergency and reviewer-console routes.
import type { Readable } from 'node:stream';
import { SealedKeyView } from '../e2ee/schemas.ts';
import { Redaction } from '../disclosure/schemas.ts';
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { Id, IsoTime } from '../platform/http/schemas.ts';
import { LIMITS } from './policy.ts';

export const strict = { additionalProperties: false } as const;
export const Binary = (description: string) => Type.Unsafe<Buffer | Readable>({ type: 'string', format: 'binary', description });
export const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export const AgencyParams = Type.Object({ id: Id }, strict);
export const AgencyItemParams = Type.Object({ id: Id, itemId: Id }, strict);
export const AgencyEvidenceParams = Type.Object({ id: Id, itemId: Id, disclosureId: Id }, strict);

/** A scope as sent: named cameras and/or an address with a radius, and time ranges. Limits are checked in policy.ts, naming each problem. */
export const ScopeInput = Type.Object({
  cameraIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  address: Type.Optional(Type.Object({ lat: Type.Number(), lon: Type.Number(), radiusM: Type.Number() }, strict)),
  ranges: Type.Optional(Type.Array(Type.Object({ from: IsoTime, to: IsoTime }, strict), { maxItems: 100 })),
}, strict);

/**
 * A value checked against a schema outside the route (a JSON field of a
 * multipart form): one problem per offending field, named from `field` down
 * ("scope.ranges.0.from must be string"). Empty when the value conforms.
 */
export function schemaProblems(schema: TSchema, value: unknown, field: string): { field: string; message: string }[] {
  const out = new Map<string, { field: string; message: string }>();
  for (const e of Value.Errors(schema, value)) {
    const at = [field, ...e.instancePath.split('/').filter(Boolean)].join('.');
    // additionalProperties reports each unknown field as "schema is false" at its own path.
    const message = e.keyword === 'boolean' ? 'is not a known field' : e.message;
    if (e.keyword === 'additionalProperties') continue;
    if (!out.has(`${at} ${message}`)) out.set(`${at} ${message}`, { field: at, message });
  }
  return [...out.values()];
}

export const ScopeView = Type.Object({
  cameraIds: Type.Array(Type.String()),
  address: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number(), radiusM: Type.Number() }), Type.Null()]),
  ranges: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
});

const Time = Type.String({ format: 'date-time' });

/** Clips in scope the server could not release: "not disclosable: end-to-end encrypted". */
export const Refused = Type.Union([Type.Object({ clips: Type.Integer(), reason: Type.String() }), Type.Null()]);
const NullableTime = Type.Union([Time, Type.Null()]);

export const Demand = Type.Object({
  id: Type.String(),
  agencyId: Type.String(),
  type: Type.Union([Type.Literal('search_warrant'), Type.Literal('court_order'), Type.Literal('subpoena'), Type.Literal('preservation')]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
  issuingAuthority: Type.String(),
  caseNumber: Type.String(),
  nondisclosureUntil: NullableTime,
  scopeRequested: ScopeView,
  scope: ScopeView,
  document: Type.Object({ sha256: Type.String(), size: Type.Integer() }),
  createdAt: Time,
  ageMs: Type.Integer({ description: 'how long the demand has waited since intake' }),
  review: Type.Union([Type.Object({ decision: Type.String(), reason: Type.String(), reviewerId: Type.String(), at: Time }), Type.Null()]),
  hold: Type.Union([Type.Object({ until: Time, extended: Type.Boolean() }), Type.Null()]),
  refused: Refused,
});

export const ReviewBody = Type.Object({
  decision: Type.Union([Type.Literal('approve'), Type.Literal('narrow'), Type.Literal('reject')]),
  reason: Type.String({ minLength: 1, maxLength: LIMITS.textMax, description: 'written reasons (required)' }),
  scope: Type.Optional(ScopeInput),
}, strict);

export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: LIMITS.textMax }) }, strict);

export const Records = Type.Object({
  accounts: Type.Array(Type.Object({ ownerRef: Type.String(), name: Type.String(), email: Type.String() })),
  cameras: Type.Array(Type.Object({ id: Type.String(), ownerRef: Type.String(), name: Type.String(), location: Type.Object({ lat: Type.Number(), lon: Type.Number() }) })),
  clips: Type.Array(Type.Object({ id: Type.String(), cameraId: Type.String(), startedAt: Time, endedAt: Time, kind: Type.String(), sha256: Type.String(), size: Type.Integer(), signed: Type.Boolean() })),
});

export const Manifest = Type.Object({
  disclosureId: Type.String(),
  clipId: Type.String(),
  basis: Type.Object({ kind: Type.String(), ref: Type.String() }),
  content: Type.Union([Type.Literal('derived'), Type.Literal('original'), Type.Literal('sealed')]),
  sha256: Type.Object({ original: Type.String(), delivered: Type.String() }),
  size: Type.Integer(),
  device: Type.Object({ signed: Type.Boolean(), signature: Type.Union([Type.String(), Type.Null()]), publicKey: Type.Union([Type.String(), Type.Null()]) }),
  cameraReported: Type.Object({ startedAt: Time, endedAt: Time, kind: Type.String() }),
  log: Type.Object({ entry: Type.String(), index: Type.Union([Type.Integer(), Type.Null()]), checkpoint: Type.Union([Type.String(), Type.Null()]), proof: Type.Union([Type.Array(Type.String()), Type.Null()]) }),
  disclosedAt: Time,
  e2ee: Type.Union([SealedKeyView, Type.Null()], { description: "content 'sealed': the clip secret the owner re-wrapped for the agency's key, and the envelope header it is bound to" }),
  redaction: Redaction,
});
