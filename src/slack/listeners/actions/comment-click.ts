import type { RespondFn, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Actor } from '../../../comments/access.ts';
import { getCommentDetails } from '../../../comments/queue.ts';
import type { Comment } from '../../../comments/schema.ts';
import { commentSlack } from '../../comments/context.ts';
import { interactionReplier } from '../../comments/reply.ts';
import type { SlackDeps } from '../../deps.ts';
import { commentDetailsModal, commentModalMetadataSchema, type CommentModalMetadata } from '../../views/comment-details.ts';
import type { SlackMessage } from '../../views/message.ts';

/** The parts of a block_actions payload the comment buttons use: on a card, in a modal, on the Home tab or a list. */
export const commentClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullable().optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ type: z.string(), is_ephemeral: z.boolean().optional() }).passthrough().optional(),
  message: z.object({ ts: z.string() }).passthrough().optional(),
  view: z.object({ id: z.string(), type: z.string(), private_metadata: z.string().optional() }).passthrough().optional(),
});
export type CommentClick = z.infer<typeof commentClickSchema>;

/** A comment id in a button value. */
export const commentIdSchema = z.coerce.number().int().positive();

export interface ClickContext {
  userId: string;
  teamId: string | null;
  triggerId: string | undefined;
  /** The details modal the click came from, to re-render after the change. */
  modal: { viewId: string; meta: CommentModalMetadata } | null;
  inModal: boolean;
  tell: (message: SlackMessage) => Promise<unknown>;
}

export function clickContext(click: CommentClick, client: webApi.WebClient, respond: RespondFn | undefined): ClickContext {
  let modal: ClickContext['modal'] = null;
  if (click.view?.type === 'modal') {
    try {
      const meta = commentModalMetadataSchema.safeParse(JSON.parse(click.view.private_metadata ?? ''));
      if (meta.success) modal = { viewId: click.view.id, meta: meta.data };
    } catch {
      // a modal that is not a details modal: nothing to re-render
    }
  }
  return {
    userId: click.user.id,
    teamId: click.user.team_id ?? click.team?.id ?? null,
    triggerId: click.trigger_id,
    modal,
    inModal: click.view?.type === 'modal',
    tell: interactionReplier({
      client,
      respond,
      responseUrl: click.response_url,
      triggerId: click.trigger_id,
      inModal: click.view?.type === 'modal',
      userId: click.user.id,
    }),
  };
}

export async function clickActor(deps: SlackDeps, client: webApi.WebClient, c: ClickContext): Promise<Actor> {
  return commentSlack(deps).use(client).actor(client, { userId: c.userId, teamId: c.teamId });
}

/**
 * After a change: the details modal it came from (if any) is redrawn, best effort. The review card
 * is redrawn by the comment.card job that the change enqueued in its own transaction.
 */
export async function showChange(deps: SlackDeps, client: webApi.WebClient, actor: Actor, comment: Comment, c: ClickContext): Promise<void> {
  if (c.modal && c.modal.meta.commentId === comment.id) {
    try {
      const details = await getCommentDetails(commentSlack(deps).services, actor, comment.id);
      await client.views.update({ view_id: c.modal.viewId, view: commentDetailsModal(details, deps.services.config.comments.topics, c.modal.meta) });
    } catch (err) {
      deps.logger.warn({ err, commentId: comment.id }, 'slack: could not refresh the details modal');
    }
  }
}
