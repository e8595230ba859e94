// The typed API client (openapi-fetch over the generated schema.d.ts). The
// session lives in an HttpOnly cookie; unsafe requests echo the readable CSRF
// cookie in X-CSRF-Token, as the server requires for cookie sessions.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export const CSRF_COOKIE = 'porchlight_csrf';

export function csrfToken(): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === CSRF_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      const t = csrfToken();
      if (t) request.headers.set('X-CSRF-Token', t);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

/** An RFC 9457 problem answered by the API, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: { field: string; message: string }[];
  /** Seconds the server asked us to wait (Retry-After, RFC 9110 §10.2.3), when it said. */
  readonly retryAfter: number | null;
  constructor(status: number, message: string, fieldErrors: { field: string; message: string }[] = [], retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.retryAfter = retryAfter;
  }
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in seconds from now. */
function retryAfterOf(res: Response): number | null {
  const v = res.headers.get('retry-after');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : null;
}

type Problemish = { title?: string; detail?: string; errors?: { field: string; message: string }[] } | undefined;

/** Turns an openapi-fetch result into its data or a thrown ApiError, so TanStack Query sees failures. */
export async function unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch {
    throw new ApiError(0, 'Porchlight could not be reached. Check your connection and try again.');
  }
  if (r.response.ok) return r.data as T;
  const e = r.error as Problemish;
  throw new ApiError(r.response.status, e?.detail ?? e?.title ?? `request failed (${r.response.status})`, e?.errors ?? [], retryAfterOf(r.response));
}

/** For routes outside the JSON API (log tiles, checkpoints): plain fetch with the same error type. */
export async function fetchBytes(path: string): Promise<Uint8Array | null> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, `could not fetch ${path}`);
  }
  if (res.status === 404) return null;
  if (!res.ok) throw new ApiError(res.status, `${path} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function fetchText(path: string): Promise<string> {
  const b = await fetchBytes(path);
  if (!b) throw new ApiError(404, `${path} is missing`);
  return new TextDecoder().decode(b);
}

/** Unsafe request outside the typed client (multipart uploads, routes newer than the schema). */
export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const t = csrfToken();
  if (t) headers['X-CSRF-Token'] = t;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'Porchlight could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = data as Problemish;
    throw new ApiError(res.status, e?.detail ?? e?.title ?? `request failed (${res.status})`, e?.errors ?? [], retryAfterOf(res));
  }
  return data as T;
}

export const getJson = <T,>(path: string) => send<T>('GET', path);
