import { z } from 'zod';
import { assignCampaign } from '../../comments/dedupe.ts';
import { completeAttachments, readCommentForDelivery } from '../../comments/queue.ts';
import { COMMENT_LIMITS, type Comment } from '../../comments/schema.ts';
import { findCommentCard, recordCommentCard } from '../../db/comment-cards.ts';
import type { Queryable } from '../../db/types.ts';
import { insertJob } from '../../jobs/queue.ts';
import { defineJob, PermanentJobError, type JobContext } from '../../jobs/types.ts';
import { commentSlack } from '../comments/context.ts';
import { openDm } from '../comments/delivery.ts';
import { attachmentsFromSlackFiles, slackFileRefSchema, type SlackFileRef } from '../comments/files.ts';
import { platformError } from '../failures.ts';
import { commentCard } from '../views/comment-card.ts';
import { addedForOtherMessage, receiptMessage } from '../views/comment-receipt.ts';
import type { SlackJobEnv } from './answer.ts';
import { durableResponsePoster, durableThreadPoster } from './post.ts';

const id = z.string().min(1).max(64);

/**
 * The comment.intake job: everything that follows a comment's commit in Slack, run by any
 * instance, each step once across retries (recorded in the job's progress):
 *
 * 1. attachments: the Slack files shared with it are downloaded and read (a download that may work
 *    later fails the attempt and is retried; on the last attempt the file is recorded without text),
 *    then the comment is grouped into a campaign with its full text;
 * 2. the receipt: an ephemeral copy where the request came from (the form's /comment, the
 *    shortcut), a DM to the submitter, and for a message someone else queued, a note to them;
 * 3. the review card in REVIEW_CHANNEL_ID.
 *
 * The job is inserted in the comment's own transaction (submitComment's onCreated), so it exists
 * exactly when the comment does: an instance killed after the commit leaves it to another.
 */
export const commentIntakePayload = z.object({
  commentId: z.number().int().positive(),
  files: z.array(slackFileRefSchema).max(COMMENT_LIMITS.attachments).default([]),
  /** The submitter's Slack user id: the receipt goes to them by DM. Null: no DM (a bot, an unknown author). */
  dmTo: id.nullable(),
  /** Where the request came from: the form's /comment response_url, the message shortcut's. */
  responseUrl: z.string().url().max(2000).nullable(),
  /** The message shortcut on someone else's message: who ran it (named in the receipt, told via responseUrl). */
  addedBy: id.nullable(),
});
export type CommentIntakePayload = z.infer<typeof commentIntakePayload>;

export const COMMENT_INTAKE_JOB = { kind: 'comment.intake' as const, payload: commentIntakePayload, maxAttempts: 5 };

/** For submitComment's onCreated: the intake job, in the comment's transaction, once per comment. */
export function enqueueIntake(payload: Omit<CommentIntakePayload, 'commentId' | 'files'> & { files?: SlackFileRef[] }) {
  return async (tx: Queryable, comment: Comment): Promise<void> => {
    await insertJob(tx, COMMENT_INTAKE_JOB, { ...payload, files: payload.files ?? [], commentId: comment.id }, { dedupeKey: `comment:${comment.id}:intake` });
  };
}

export function commentIntakeJob(env: SlackJobEnv) {
  const { deps } = env;
  const clients = { postClient: env.postClient, readClient: env.client };
  const services = () => commentSlack(deps).services;

  const readComment = async (commentId: number): Promise<Comment> => {
    const c = await readCommentForDelivery(services(), commentId);
    if (!c) throw new PermanentJobError(`comment ${commentId} no longer exists`);
    return c;
  };

  /** A step that reaches one person: refused by Slack (they cannot be sent a DM), it is recorded as not sent; anything else fails the attempt. */
  const bestEffort = async (ctx: JobContext, step: string, fn: () => Promise<void>): Promise<boolean> => {
    const done = ctx.progress[step];
    if (done === 'sent') return true;
    if (typeof done === 'string') return false;
    try {
      await fn();
      await ctx.checkpoint({ [step]: 'sent' });
      return true;
    } catch (err) {
      const refused = platformError(err) ?? responseUrlRefusal(err);
      if (!refused) throw err;
      ctx.logger.warn({ err, step }, 'slack: comment receipt step refused; not sent');
      await ctx.checkpoint({ [step]: `refused: ${refused}` });
      return false;
    }
  };

  return defineJob<CommentIntakePayload>({
    ...COMMENT_INTAKE_JOB,
    async run(p, ctx) {
      const topics = deps.services.config.comments.topics;
      let comment = await readComment(p.commentId);

      if (!ctx.progress.attachments) {
        if (p.files.length > 0) {
          const results = await attachmentsFromSlackFiles(p.files, {
            client: env.client,
            apiUrl: deps.services.config.slack.apiUrl,
            logger: ctx.logger,
            throwTransient: ctx.attempt < ctx.maxAttempts,
          });
          ({ comment } = await completeAttachments(services(), p.commentId, results));
        } else {
          // submitComment grouped it after the commit, unless its instance died right there.
          await assignCampaign(deps.services.db, p.commentId, deps.services.config.comments.nearDuplicateThreshold);
          comment = await readComment(p.commentId);
        }
        await ctx.checkpoint({ attachments: true });
      }

      const receipt = receiptMessage(comment, topics, p.addedBy ? { addedBy: p.addedBy } : {});
      if (p.responseUrl && !p.addedBy) {
        await bestEffort(ctx, 'ephemeral', () => durableResponsePoster(ctx, p.responseUrl!, { step: 'ephemeral' })(receipt));
      }
      const dm = p.dmTo
        ? await bestEffort(ctx, 'dm', async () => {
            const channel = typeof ctx.progress.dmChannel === 'string' ? ctx.progress.dmChannel : await openDm(env.client, p.dmTo!);
            if (ctx.progress.dmChannel !== channel) await ctx.checkpoint({ dmChannel: channel });
            await durableThreadPoster(ctx, clients, channel, undefined, 'dm')(receipt);
          })
        : false;
      if (p.addedBy && p.responseUrl) {
        await bestEffort(ctx, 'invoker', () => durableResponsePoster(ctx, p.responseUrl!, { step: 'invoker' })(addedForOtherMessage(comment, p.dmTo, dm)));
      }
      deps.logger.info({ commentId: comment.id, trackingNumber: comment.trackingNumber, dm, jobId: ctx.id }, 'slack: comment receipt sent');

      await postCard(env, ctx, p.commentId);
    },
    async onDead(p, ctx, error) {
      deps.logger.error({ jobId: ctx.id, commentId: p.commentId, error }, 'slack: follow-up of a saved comment given up (receipt or review card); `policy-desk jobs retry` after fixing the cause');
      // The comment is safe; files that could not be read are recorded as such so it is complete.
      await completeAttachments(services(), p.commentId, []).catch((err: unknown) => deps.logger.warn({ err, commentId: p.commentId }, 'comments: could not close pending attachments'));
    },
  });
}

/** A response_url that no longer takes posts (expired after 30 minutes, used 5 times): not worth retrying. */
function responseUrlRefusal(err: unknown): string | null {
  const m = /response_url answered HTTP (4\d\d)/.exec((err as Error)?.message ?? '');
  return m && m[1] !== '429' ? `response_url HTTP ${m[1]}` : null;
}

/**
 * Posts the comment's review card once (the card's message carries the job's metadata, so a
 * retry finds it in the channel), records where it is, and brings it up to date if the comment
 * changed while it was being posted. A channel the app cannot post in is a permanent failure:
 * the job is dead (`policy-desk doctor` shows it) until someone fixes the channel and retries it.
 */
async function postCard(env: SlackJobEnv, ctx: JobContext, commentId: number): Promise<void> {
  const { deps } = env;
  const channel = deps.services.config.slack.reviewChannelId;
  if (!channel) return;
  const db = deps.services.db;
  if (await findCommentCard(db, commentId)) return;
  const topics = deps.services.config.comments.topics;
  const comment = await readCommentForDelivery({ db }, commentId);
  if (!comment) return;
  try {
    await durableThreadPoster(ctx, { postClient: env.postClient, readClient: env.client }, channel, undefined, 'card')(commentCard(comment, topics));
  } catch (err) {
    const refused = platformError(err);
    if (refused) throw new PermanentJobError(`the review card could not be posted in ${channel}: ${refused}`, { cause: err });
    throw err;
  }
  const posted = (ctx.progress.posted as Record<string, string> | undefined)?.['card.0'];
  if (!posted || !/^\d+\.\d+$/.test(posted)) return;
  await recordCommentCard(db, commentId, channel, posted);
  deps.logger.info({ commentId, channel, ts: posted }, 'slack: review card posted');
  const now = await readCommentForDelivery({ db }, commentId);
  if (now && now.updatedAt.getTime() !== comment.updatedAt.getTime()) {
    const card = commentCard(now, topics);
    await env.client.chat.update({ channel, ts: posted, text: card.text, blocks: card.blocks }).catch((err: unknown) => ctx.logger.warn({ err, commentId }, 'slack: could not update the new review card'));
  }
}
