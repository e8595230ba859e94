// Opaque keyset cursors for paged lists: base64url of "<time>.<id>". A cursor
// is client input, so decoding checks it and refuses what this server did not issue.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { orBadRequest } from './errors.ts';
import { accept, refuse, type Checked } from '../problems.ts';

export function encodeCursor(t: number, id: string): string {
  return Buffer.from(`${t}.${id}`, 'utf8').toString('base64url');
}

export function parseCursor(cursor: string): Checked<{ t: number; id: string }> {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? accept({ t: Number(m[1]), id: m[2] }) : refuse('invalid cursor', 'querystring.cursor', 'not a cursor this server issued');
}

/** The cursor's position, or a 400. */
export const decodeCursor = (cursor: string): { t: number; id: string } => orBadRequest(parseCursor(cursor));

/**
 * A keyset cursor that cannot be forged or moved to another query: the
 * position and the query it belongs to (`scope`: who asked, and with which
 * filters), with an HMAC-SHA256 tag (RFC 2104) under a server key. A cursor
 * edited by hand, or replayed on another query, is refused with a 400.
 */
export function signCursor(key: Uint8Array, scope: string, t: number, id: string): string {
  const body = `${t}.${id}`;
  return `${Buffer.from(body, 'utf8').toString('base64url')}.${createHmac('sha256', key).update(`${scope}\n${body}`).digest('base64url')}`;
}

export function parseSignedCursor(key: Uint8Array, scope: string, cursor: string): Checked<{ t: number; id: string }> {
  const bad = refuse('invalid cursor', 'querystring.cursor', 'was changed, or belongs to another query');
  const [b64, tag, ...rest] = cursor.split('.');
  if (rest.length || !b64 || !tag || tag.length > 64) return bad;
  const parsed = parseCursor(b64);
  if (!parsed.ok) return bad;
  const want = createHmac('sha256', key).update(`${scope}\n${parsed.value.t}.${parsed.value.id}`).digest();
  const got = Buffer.from(tag, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want) ? parsed : bad;
}
