// The reviewers' audit trail (issue 6 §3): every reviewer action on legal
// demands, emergencies and community requests: who, what, when and why,
// appended in the same transaction as the action itself, so an action without
// its audit row cannot commit.
import type { DbHandle } from './db/db.ts';
import { newId } from './crypto.ts';

export interface AuditInput {
  actorId: string;
  action: string;
  subjectKind: 'legal_demand' | 'emergency' | 'community_request' | string;
  subjectId: string;
  reason: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(tx: DbHandle, a: AuditInput, now: number): Promise<void> {
  await tx.insertInto('review_audit').values({
    id: newId(), actor_id: a.actorId, action: a.action, subject_kind: a.subjectKind, subject_id: a.subjectId,
    reason: a.reason, details: JSON.stringify(a.details ?? {}), created_at: now,
  }).execute();
}

export interface AuditView {
  id: string;
  actorId: string;
  action: string;
  subject: { kind: string; id: string };
  reason: string;
  details: Record<string, unknown>;
  at: string;
}

/** Newest first; keyset on (created_at, id). */
export async function listAudit(db: DbHandle, q: { limit: number; before?: { at: number; id: string }; subjectId?: string }): Promise<AuditView[]> {
  let sel = db.selectFrom('review_audit').selectAll();
  if (q.subjectId) sel = sel.where('subject_id', '=', q.subjectId);
  if (q.before) {
    const { at, id } = q.before;
    sel = sel.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await sel.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: r.id, actorId: r.actor_id, action: r.action, subject: { kind: r.subject_kind, id: r.subject_id }, reason: r.reason,
    details: JSON.parse(r.details) as Record<string, unknown>, at: new Date(Number(r.created_at)).toISOString(),
  }));
}
