// TypeBox schemas shared across capabilities.
import { Type } from 'typebox';

/** A WGS 84 point. Latitude ±90, longitude ±180 (RFC 7946 §3.1.1 order is lon,lat; here named fields). */
export const LatLon = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });
export const Email = Type.String({ format: 'email', maxLength: 254 });
