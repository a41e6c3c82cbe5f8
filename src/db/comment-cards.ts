import type { Queryable } from './types.ts';

/** A posted review card: the message to chat.update when its comment changes. */
export interface CardLocation {
  channel: string;
  ts: string;
}

/** Claims the card of a comment before posting it; false when it is claimed (or posted) already. */
export async function claimCommentCard(db: Queryable, commentId: number, channel: string): Promise<boolean> {
  const rows = await db.query<{ comment_id: number }>(
    'INSERT INTO slack_comment_cards (comment_id, channel_id) VALUES ($1, $2) ON CONFLICT (comment_id) DO NOTHING RETURNING comment_id',
    [commentId, channel],
  );
  return rows.length === 1;
}

export async function recordCommentCard(db: Queryable, commentId: number, ts: string): Promise<void> {
  await db.query('UPDATE slack_comment_cards SET message_ts = $2, posted_at = now() WHERE comment_id = $1', [commentId, ts]);
}

/** Gives up a claim whose post failed, so a later attempt can post the card. */
export async function releaseCommentCard(db: Queryable, commentId: number): Promise<void> {
  await db.query('DELETE FROM slack_comment_cards WHERE comment_id = $1 AND message_ts IS NULL', [commentId]);
}

export async function findCommentCard(db: Queryable, commentId: number): Promise<CardLocation | null> {
  const rows = await db.query<{ channel: string; ts: string | null }>(
    'SELECT channel_id AS channel, message_ts AS ts FROM slack_comment_cards WHERE comment_id = $1',
    [commentId],
  );
  const r = rows[0];
  return r?.ts ? { channel: r.channel, ts: r.ts } : null;
}
