// Wire shapes the capabilities above share when they show a disclosure's
// evidence manifest (legal, emergency, requests).
import { Type } from 'typebox';

/** Issue 17, defect 9: a consent copy says which privacy zones were burned in. */
export const Redaction = Type.Union([
  Type.Object({
    zones: Type.Array(Type.Unknown(), { description: "the camera's privacy zones as burned into this copy, in the camera's image coordinates" }),
  }, { description: "content 'derived': sha256.delivered is the redacted copy's SHA-256; the log entry commits to sha256.original, the clip as the camera signed it" }),
  Type.Null(),
]);
