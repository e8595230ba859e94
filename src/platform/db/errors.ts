// Database errors both engines raise in their own shapes.

/**
 * Whether `err` is a unique-constraint violation: PostgreSQL SQLSTATE 23505
 * (unique_violation), or SQLite's "UNIQUE constraint failed" (extended code
 * SQLITE_CONSTRAINT_UNIQUE 2067, or 1555 for a primary key).
 */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e.code === '23505') return true;
  if (e.errcode === 2067 || e.errcode === 1555) return true;
  return typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed');
}
