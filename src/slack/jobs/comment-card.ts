import { z } from 'zod';
import { readCommentForDelivery } from '../../comments/queue.ts';
import { findCommentCard } from '../../db/comment-cards.ts';
import type { Queryable } from '../../db/types.ts';
import { enqueueJob, insertJob } from '../../jobs/queue.ts';
import { defineJob } from '../../jobs/types.ts';
import { platformError } from '../failures.ts';
import { commentCard } from '../views/comment-card.ts';
import type { SlackJobEnv } from './answer.ts';

/**
 * The comment.card job: after a change to a comment (status, assignee, tags, a note), its review
 * card is redrawn from the comment as it is now (chat.update). Inserted in the change's own
 * transaction (CommentDeps.onChange), so a change never leaves its card behind, even when the
 * instance that made it dies. Redrawing is idempotent, so a job run twice, or two jobs for two
 * quick changes, show the same card.
 */
export const commentCardPayload = z.object({ commentId: z.number().int().positive() });
export type CommentCardPayload = z.infer<typeof commentCardPayload>;

export const COMMENT_CARD_JOB = { kind: 'comment.card' as const, payload: commentCardPayload, maxAttempts: 5 };

/** CommentDeps.onChange for an app with a review channel. */
export async function enqueueCardRefresh(tx: Queryable, commentId: number): Promise<void> {
  await insertJob(tx, COMMENT_CARD_JOB, { commentId });
}

/** A redraw without a change (a stale menu was used): the card catches up with the comment. */
export async function requestCardRedraw(db: Queryable, commentId: number): Promise<void> {
  await enqueueJob(db, COMMENT_CARD_JOB, { commentId });
}

export function commentCardJob(env: SlackJobEnv) {
  const { deps } = env;
  return defineJob<CommentCardPayload>({
    ...COMMENT_CARD_JOB,
    async run(p, ctx) {
      const db = deps.services.db;
      // No card yet: the comment.intake job posts it from the comment as it is then.
      const where = await findCommentCard(db, p.commentId);
      if (!where) return;
      const comment = await readCommentForDelivery({ db }, p.commentId);
      if (!comment) return;
      const card = commentCard(comment, deps.services.config.comments.topics);
      try {
        await env.client.chat.update({ channel: where.channel, ts: where.ts, text: card.text, blocks: card.blocks });
      } catch (err) {
        const refused = platformError(err);
        // The card was deleted in Slack, or the app left the channel: nothing to redraw.
        if (refused === 'message_not_found' || refused === 'channel_not_found' || refused === 'cant_update_message') {
          ctx.logger.warn({ commentId: p.commentId, error: refused }, 'slack: review card gone; not updated');
          return;
        }
        throw err;
      }
    },
  });
}
