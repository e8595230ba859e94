// The server's validation messages on the form's own fields: an RFC 9457
// problem names each field as "body.<name>", or "querystring.<name>" for a
// route whose metadata rides in the query, as a clip upload's does
// (src/platform/http/errors.ts).
import { ApiError } from '../api/client';

type Form = { setFieldError(path: string, error: string): void; getValues(): object };

const fieldOf = (e: { field: string }, rename: Record<string, string>) => {
  const name = e.field.replace(/^(body|querystring)\./, '');
  return rename[name] ?? name;
};

/**
 * Sets each field error the server named; true when it named any, so the
 * caller shows a general alert only otherwise. `rename` maps a body field onto
 * the form field that fed it, where the two differ (a reason picker sends
 * "reason: text" as one body field, and the text is what the user can fix).
 */
export function applyServerErrors(form: Pick<Form, 'setFieldError'>, err: unknown, rename: Record<string, string> = {}): boolean {
  if (!(err instanceof ApiError) || err.fieldErrors.length === 0) return false;
  // The first message per field: setting each in turn would leave the last, often the vaguest.
  const seen = new Set<string>();
  for (const e of err.fieldErrors) {
    const field = fieldOf(e, rename);
    if (seen.has(field)) continue;
    seen.add(field);
    form.setFieldError(field, e.message);
  }
  return true;
}

/**
 * True when every message of the error landed on a field the form shows, so
 * no alert need repeat them; a message about a field the form lacks (a scope
 * the server derived) still needs the alert, or it would be shown nowhere.
 */
export function shownOnFields(form: Pick<Form, 'getValues'>, err: unknown, rename: Record<string, string> = {}): boolean {
  if (!(err instanceof ApiError) || err.fieldErrors.length === 0) return false;
  const values = form.getValues();
  return err.fieldErrors.every((e) => fieldOf(e, rename).split('.')[0] in values);
}
