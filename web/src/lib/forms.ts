// The server's validation messages on the form's own fields: an RFC 9457
// problem names each field as "body.<name>", or "querystring.<name>" for a
// route whose metadata rides in the query, as a clip upload's does
// (src/platform/http/errors.ts).
import { ApiError } from '../api/client';

export function applyServerErrors(form: { setFieldError(path: string, error: string): void }, err: unknown): boolean {
  if (!(err instanceof ApiError) || err.fieldErrors.length === 0) return false;
  // The first message per field: setting each in turn would leave the last, often the vaguest.
  const seen = new Set<string>();
  for (const e of err.fieldErrors) {
    const field = e.field.replace(/^(body|querystring)\./, '');
    if (seen.has(field)) continue;
    seen.add(field);
    form.setFieldError(field, e.message);
  }
  return true;
}
