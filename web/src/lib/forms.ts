// The server's validation messages on the form's own fields: an RFC 9457
// problem names each field as "body.<name>", or "querystring.<name>" for a
// route whose metadata rides in the query, as a clip upload's does
// (src/platform/http/errors.ts).
import { ApiError } from '../api/client';

export function applyServerErrors(form: { setFieldError(path: string, error: string): void }, err: unknown): boolean {
  if (!(err instanceof ApiError) || err.fieldErrors.length === 0) return false;
  for (const e of err.fieldErrors) form.setFieldError(e.field.replace(/^(body|querystring)\./, ''), e.message);
  return true;
}
