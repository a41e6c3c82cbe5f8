import type { Queryable } from './types.ts';

/** A posted review card: the message to chat.update when its comment changes. */
export interface CardLocation {
  channel: string;
  ts: string;
}

/**
 * Where a comment's review card was posted (by the comment.intake job, once: see
 * src/slack/jobs/comment-intake.ts), so later changes update it in place.
 */
export async function recordCommentCard(db: Queryable, commentId: number, channel: string, ts: string): Promise<void> {
  await db.query(
    `INSERT INTO slack_comment_cards (comment_id, channel_id, message_ts, posted_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (comment_id) DO UPDATE SET channel_id = EXCLUDED.channel_id, message_ts = EXCLUDED.message_ts, posted_at = now()`,
    [commentId, channel, ts],
  );
}

export async function findCommentCard(db: Queryable, commentId: number): Promise<CardLocation | null> {
  const rows = await db.query<{ channel: string; ts: string | null }>(
    'SELECT channel_id AS channel, message_ts AS ts FROM slack_comment_cards WHERE comment_id = $1',
    [commentId],
  );
  const r = rows[0];
  return r?.ts ? { channel: r.channel, ts: r.ts } : null;
}
