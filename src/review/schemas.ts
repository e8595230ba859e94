// The reviewer console's response shapes.
import { Type } from 'typebox';

export const strict = { additionalProperties: false } as const;
const Time = Type.String({ format: 'date-time' });

export const Item = Type.Object({ kind: Type.String(), id: Type.String(), agencyId: Type.String(), summary: Type.String(), createdAt: Type.String({ format: 'date-time' }), ageMs: Type.Integer() });

export const Audit = Type.Object({
  id: Type.String(),
  actorId: Type.String(),
  action: Type.String(),
  subject: Type.Object({ kind: Type.String(), id: Type.String() }),
  reason: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  at: Time,
});
