// Opaque keyset cursors for paged lists: base64url of "<time>.<id>". A cursor
// is client input, so decoding checks it and refuses what this server did not issue.
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
