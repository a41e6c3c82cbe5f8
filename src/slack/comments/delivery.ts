import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Comment } from '../../comments/schema.ts';
import { claimCommentCard, findCommentCard, recordCommentCard, releaseCommentCard, type CardLocation } from '../../db/comment-cards.ts';
import type { SlackDeps } from '../deps.ts';
import { commentCard } from '../views/comment-card.ts';
import { receiptMessage } from '../views/comment-receipt.ts';
import type { SlackMessage } from '../views/message.ts';

/**
 * What happens after a comment is committed: the receipt (ephemeral where there is a
 * conversation, and a DM) and the review card. Called only with a `created` result, so a
 * resubmitted modal or a second shortcut on the same message sends nothing twice. Each step is
 * best effort and logged: the comment is already safe, and a failed DM must not hide the card.
 */

const openSchema = z.object({ channel: z.object({ id: z.string() }).passthrough() }).passthrough();

/** The app's DM with a person (conversations.open, im:write). */
export async function openDm(client: webApi.WebClient, userId: string): Promise<string> {
  return openSchema.parse(await client.conversations.open({ users: userId })).channel.id;
}

export async function sendDm(client: webApi.WebClient, userId: string, message: SlackMessage): Promise<void> {
  const channel = await openDm(client, userId);
  await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
}

export interface AfterCommit {
  /** Who gets the DM receipt: the submitter's Slack user id (the author of a queued message). */
  submitterId: string | null;
  /** An ephemeral copy in the conversation the request came from, when there is one. */
  ephemeral?: (message: SlackMessage) => Promise<unknown>;
  /** The message's author was not the person who queued it. */
  addedBy?: string;
}

export async function deliverReceipt(deps: SlackDeps, client: webApi.WebClient, comment: Comment, to: AfterCommit): Promise<{ dm: boolean; ephemeral: boolean }> {
  const topics = deps.services.config.comments.topics;
  const receipt = receiptMessage(comment, topics, to.addedBy ? { addedBy: to.addedBy } : {});
  const log = { commentId: comment.id, trackingNumber: comment.trackingNumber };
  let ephemeral = false;
  let dm = false;
  if (to.ephemeral) {
    try {
      await to.ephemeral(receipt);
      ephemeral = true;
    } catch (err) {
      deps.logger.warn({ err, ...log }, 'slack: could not post the ephemeral receipt');
    }
  }
  if (to.submitterId) {
    try {
      await sendDm(client, to.submitterId, receipt);
      dm = true;
    } catch (err) {
      // External (Slack Connect) people often cannot be sent a DM by another organization's app.
      deps.logger.warn({ err, ...log, userId: to.submitterId }, 'slack: could not send the receipt by DM');
    }
  }
  deps.logger.info({ ...log, dm, ephemeral }, 'slack: comment receipt sent');
  return { dm, ephemeral };
}

/**
 * Posts the review card in REVIEW_CHANNEL_ID, once per comment: the card's row is claimed first,
 * so a second instance or a retried delivery finds it and posts nothing.
 */
export async function postReviewCard(deps: SlackDeps, client: webApi.WebClient, comment: Comment): Promise<CardLocation | null> {
  const channel = deps.services.config.slack.reviewChannelId;
  if (!channel) return null;
  const db = deps.services.db;
  try {
    if (!(await claimCommentCard(db, comment.id, channel))) return null;
  } catch (err) {
    deps.logger.warn({ err, commentId: comment.id }, 'slack: could not claim the review card');
    return null;
  }
  try {
    const card = commentCard(comment, deps.services.config.comments.topics);
    const res = await client.chat.postMessage({ channel, text: card.text, blocks: card.blocks, unfurl_links: false, unfurl_media: false });
    const ts = typeof res.ts === 'string' ? res.ts : null;
    if (!ts) throw new Error('chat.postMessage returned no ts');
    await recordCommentCard(db, comment.id, ts);
    deps.logger.info({ commentId: comment.id, channel, ts }, 'slack: review card posted');
    return { channel, ts };
  } catch (err) {
    deps.logger.warn({ err, commentId: comment.id, channel }, 'slack: could not post the review card');
    await releaseCommentCard(db, comment.id).catch(() => undefined);
    return null;
  }
}

/**
 * Swaps a comment's card for its current state (chat.update). `at` is the card a click came
 * from; otherwise the stored location. Best effort: the change itself is already committed.
 */
export async function refreshReviewCard(deps: SlackDeps, client: webApi.WebClient, comment: Comment, at?: CardLocation | null): Promise<boolean> {
  try {
    const where = at ?? (await findCommentCard(deps.services.db, comment.id));
    if (!where) return false;
    const card = commentCard(comment, deps.services.config.comments.topics);
    await client.chat.update({ channel: where.channel, ts: where.ts, text: card.text, blocks: card.blocks });
    return true;
  } catch (err) {
    deps.logger.warn({ err, commentId: comment.id }, 'slack: could not update the review card');
    return false;
  }
}

export async function afterCommit(deps: SlackDeps, client: webApi.WebClient, comment: Comment, to: AfterCommit): Promise<{ dm: boolean; ephemeral: boolean }> {
  const sent = await deliverReceipt(deps, client, comment, to);
  await postReviewCard(deps, client, comment);
  return sent;
}
