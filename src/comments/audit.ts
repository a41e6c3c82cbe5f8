import type { Queryable } from '../db/types.ts';
import { AppError, isAppError } from '../errors.ts';
import { wakeLocalWorkers } from '../jobs/queue.ts';
import { actorLabel, requireStaff, type Actor } from './access.ts';
import type { CommentDeps } from './deps.ts';
import { getComment, notFound, readComment, refCondition, type CommentRef } from './read.ts';
import type { Comment, CommentStatus } from './schema.ts';

// Each change and its audit entry commit together.

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  from: string | null;
  to: string | null;
  note: string | null;
  at: Date;
}

export async function auditTrail(db: Queryable, commentId: number): Promise<AuditEntry[]> {
  const rows = await db.query<AuditEntry & { id: string | number }>(
    `SELECT id, actor, action, from_value AS "from", to_value AS "to", note, at
       FROM comment_audit WHERE comment_id = $1 ORDER BY id`,
    [commentId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The audit log of one comment, oldest first. Staff only. */
export async function getAuditLog(deps: CommentDeps, actor: Actor, ref: CommentRef): Promise<AuditEntry[]> {
  const comment = await getComment(deps, actor, ref);
  return auditTrail(deps.db, comment.id);
}

export async function insertAudit(
  tx: Queryable,
  commentId: number,
  actor: string,
  action: string,
  from: string | null,
  to: string | null,
  note: string | null,
): Promise<void> {
  await tx.query(
    'INSERT INTO comment_audit (comment_id, actor, action, from_value, to_value, note) VALUES ($1, $2, $3, $4, $5, $6)',
    [commentId, actor, action, from, to, note],
  );
}

export interface LockedComment {
  id: number;
  trackingNumber: string;
  status: CommentStatus;
  assignee: string | null;
  tags: string[];
}

export async function lockComment(tx: Queryable, ref: CommentRef): Promise<LockedComment> {
  const { sql, value } = refCondition(ref, 1);
  const rows = await tx.query<LockedComment>(
    `SELECT c.id, c.tracking_number AS "trackingNumber", c.status, c.assignee, c.tags FROM comments c WHERE ${sql} FOR UPDATE`,
    [value],
  );
  if (!rows[0]) throw notFound(ref);
  return rows[0];
}

export async function change(
  deps: CommentDeps,
  actor: Actor,
  action: string,
  ref: CommentRef,
  fn: (tx: Queryable, locked: LockedComment, who: string) => Promise<void>,
): Promise<Comment> {
  requireStaff(deps, actor, action, String(ref));
  const who = actorLabel(actor);
  try {
    return await deps.db.transaction(async (tx) => {
      const locked = await lockComment(tx, ref);
      await fn(tx, locked, who);
      await tx.query('UPDATE comments SET updated_at = now() WHERE id = $1', [locked.id]);
      await deps.onChange?.(tx, locked.id);
      return (await readComment(tx, locked.id))!;
    });
  } catch (err) {
    throw asChangeError(err);
  } finally {
    if (deps.onChange) wakeLocalWorkers();
  }
}

function asChangeError(err: unknown): AppError {
  if (isAppError(err)) return err;
  return new AppError('db.unavailable', 'The change was not saved because the database is unavailable. Please try again.', { cause: err });
}
