// Agency schemas that other capabilities' routes also use (a request's area,
// an owner's blocked agency types). They live here, not in routes.ts, because
// no capability imports another's routes (the layering rules, .dependency-cruiser.cjs).
import { Type } from 'typebox';

const strict = { additionalProperties: false } as const;

export const AgencyType = Type.Union([Type.Literal('law_enforcement'), Type.Literal('fire'), Type.Literal('ems'), Type.Literal('other_public_safety')]);
/** Shape only; closure, self-intersection, ranges and size are checked in policy (hostile input never reaches turf unchecked). */
export const GeoArea = Type.Object({
  type: Type.String({ maxLength: 20 }),
  coordinates: Type.Array(Type.Unknown(), { maxItems: 5000 }),
}, strict);
