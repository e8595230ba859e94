// RFC 9457 problem details. Services throw HttpError; the app's error handler
// turns it, Fastify's validation errors and body-parser errors into
// application/problem+json. Anything else is a 500 with no detail leaked.
import { Type, type Static } from 'typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Checked } from '../problems.ts';

export const FieldError = Type.Object({ field: Type.String(), message: Type.String() });
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type ProblemBody = Static<typeof Problem>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class HttpError extends Error {
  readonly status: number;
  readonly errors?: { field: string; message: string }[];
  readonly headers?: Record<string, string>;
  constructor(status: number, detail: string, opts: { errors?: { field: string; message: string }[]; headers?: Record<string, string> } = {}) {
    super(detail);
    this.status = status;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

export const badRequest = (detail: string, errors?: { field: string; message: string }[]) => new HttpError(400, detail, { errors });
export const unauthorized = (detail = 'sign in first') => new HttpError(401, detail);
export const forbidden = (detail = 'not allowed') => new HttpError(403, detail);
export const notFound = (detail = 'not found') => new HttpError(404, detail);
export const conflict = (detail: string) => new HttpError(409, detail);

export function problem(status: number, detail?: string, errors?: ProblemBody['errors']): ProblemBody {
  const body: ProblemBody = { type: 'about:blank', title: TITLES[status] ?? 'Error', status };
  if (detail) body.detail = detail;
  if (errors?.length) body.errors = errors;
  return body;
}

/** Error responses a route declares, so each status has its own schema (fastify/demo style). */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof Problem> {
  return Object.fromEntries(statuses.map((s) => [s, Problem])) as Record<S, typeof Problem>;
}

function fieldOf(instancePath: string | undefined, params: Record<string, unknown> | undefined): string {
  const base = (instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = params && typeof params.additionalProperty === 'string' ? params.additionalProperty
    : params && typeof params.missingProperty === 'string' ? params.missingProperty : '';
  return [base, extra].filter(Boolean).join('.') || '(root)';
}

type ValidationError = NonNullable<FastifyError['validation']>[number];

/**
 * A union (anyOf) that fails reports one error per branch plus "must match a
 * schema in anyOf": for `1..180 or null` and 181 that is "must be <= 180",
 * "must be null" and the anyOf line, and a form shows whichever comes last.
 * Per place, keep what says what is wrong: drop the anyOf summary, and a
 * branch's bare type mismatch when another branch of the right type said more.
 */
function specificErrors(all: ValidationError[]): ValidationError[] {
  const at = (v: ValidationError) => v.instancePath ?? '';
  const unions = new Set(all.filter((v) => v.keyword === 'anyOf').map(at));
  if (unions.size === 0) return all;
  return all.filter((v) => {
    if (!unions.has(at(v))) return true;
    const specific = all.some((o) => at(o) === at(v) && o.keyword !== 'anyOf' && o.keyword !== 'type');
    if (v.keyword === 'anyOf') return !all.some((o) => at(o) === at(v) && o.keyword !== 'anyOf');
    return !(specific && v.keyword === 'type');
  });
}

export function errorHandler(err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply) {
  let status: number;
  let body: ProblemBody;
  if (err instanceof HttpError) {
    status = err.status;
    body = problem(status, err.message, err.errors);
    if (err.headers) reply.headers(err.headers);
  } else if ((err as FastifyError).validation) {
    const fe = err as FastifyError;
    status = 400;
    const part = fe.validationContext ?? 'body';
    const errors = specificErrors(fe.validation!).map((v) => {
      const params = (v as { params?: Record<string, unknown> }).params;
      return { field: `${part}${fieldOf(v.instancePath, params) === '(root)' ? '' : '.' + fieldOf(v.instancePath, params)}`, message: v.message ?? 'invalid' };
    });
    body = problem(400, `invalid ${part}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
    // Body parser and framework errors: bad JSON, body too large, wrong content type.
    status = (err as FastifyError).statusCode!;
    body = problem(status, err.message);
  } else {
    req.log.error({ err }, 'unhandled error');
    status = 500;
    body = problem(500, 'internal error');
  }
  reply.code(status).type('application/problem+json').send(body);
}

/** The value of a pure check (platform/problems.ts), or a 400 naming each problem. */
export function orBadRequest<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  throw badRequest(checked.detail, checked.problems);
}
