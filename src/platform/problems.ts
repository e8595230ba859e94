// What pure checks answer when input is wrong. Policies return these and never
// throw HTTP errors; the service or route turns a refusal into a 400 with one
// RFC 9457 `errors` entry per problem (platform/http/errors.ts, `orBadRequest`).

/** One thing wrong with one input field, named by its place (`body.scope.from`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A check's answer: the checked value, or why the input was refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string; problems: FieldProblem[] };

export const accept = <T>(value: T): Checked<T> => ({ ok: true, value });
export const refuse = (detail: string, field: string, message: string): Checked<never> => ({ ok: false, detail, problems: [{ field, message }] });
