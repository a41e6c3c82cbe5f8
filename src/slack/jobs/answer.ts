import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { getSlackAnswer, type SlackAnswerRecord } from '../../db/slack.ts';
import { isAppError, newReferenceId } from '../../errors.ts';
import { defineJob, type JobContext } from '../../jobs/types.ts';
import { answerInSlack, MAX_QUESTION_CHARS } from '../answering.ts';
import type { SlackDeps } from '../deps.ts';
import { failureSummary } from '../failures.ts';
import { threadHistory } from '../thread-history.ts';
import { SEARCHING_STATUS, threadTitle } from '../views/assistant.ts';
import { answerMessages } from '../views/answer.ts';
import { errorMessage, noticeMessage } from '../views/message.ts';
import type { Poster } from '../post.ts';
import { durableResponsePoster, durableThreadPoster, postToResponseUrl } from './post.ts';

const id = z.string().min(1).max(64);
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/, 'a Slack timestamp');

/** Where the answer goes: into a thread (mentions, DMs, the assistant pane) or a response_url (/ask, the shortcut: ephemeral). */
export const replyTargetSchema = z.discriminatedUnion('via', [
  z.object({ via: z.literal('thread'), channel: id, threadTs: ts }),
  z.object({ via: z.literal('response_url'), url: z.string().url().max(2000) }),
]);
export type ReplyTarget = z.infer<typeof replyTargetSchema>;

/** The answer.slack job: a question asked in Slack, answered after the ack by any instance. */
export const answerJobPayload = z.object({
  // Listeners check the length first (tooLongNotice) and tell the person.
  question: z.string().min(1).max(MAX_QUESTION_CHARS),
  surface: z.enum(['mention', 'dm', 'assistant', 'command', 'shortcut']),
  teamId: id.nullable(),
  channelId: id.nullable(),
  threadTs: ts.nullable(),
  userId: id.nullable(),
  shareable: z.boolean().default(false),
  reply: replyTargetSchema,
  /** Read the thread before `beforeTs` as the conversation so far (follow-ups in DMs and the pane). */
  history: z.object({ channel: id, threadTs: ts, beforeTs: ts, botUserId: id.optional(), botId: id.optional() }).optional(),
  /** The assistant pane: a status line while searching, and a title for a new thread. */
  assistant: z.object({ channel: id, threadTs: ts }).optional(),
});
export type AnswerJobPayload = z.infer<typeof answerJobPayload>;

export interface SlackJobEnv {
  deps: SlackDeps;
  /** The app's client (retries on its own): reads, status lines. */
  client: webApi.WebClient;
  /** No retries of its own, rate-limited calls rejected: posts that must not be sent twice (jobs/post.ts). */
  postClient: webApi.WebClient;
}

export function replyPoster(env: SlackJobEnv, ctx: JobContext, target: ReplyTarget, step?: string): Poster {
  return target.via === 'thread'
    ? durableThreadPoster(ctx, { postClient: env.postClient, readClient: env.client }, target.channel, target.threadTs, step)
    : durableResponsePoster(ctx, target.url, step ? { step } : {});
}

/** A best-effort message outside the once-only bookkeeping (failure notes). */
async function plainReply(env: SlackJobEnv, target: ReplyTarget, message: { text: string; blocks: unknown[] }): Promise<void> {
  if (target.via === 'thread') {
    await env.client.chat.postMessage({ channel: target.channel, thread_ts: target.threadTs, text: message.text, blocks: message.blocks as never, unfurl_links: false });
  } else {
    await postToResponseUrl(target.url, { response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
  }
}

/** What listeners enqueue with (enqueueDelivery / enqueueRequest). */
export const ANSWER_JOB = { kind: 'answer.slack' as const, payload: answerJobPayload, maxAttempts: 5 };

/**
 * Answers one Slack question: retrieve and compose (the same ask() as the CLI), store the answer
 * (its id is recorded in the job's progress, so a retry re-sends the same answer rather than
 * composing a second one), then post it once (jobs/post.ts).
 */
export function answerJob(env: SlackJobEnv) {
  const { deps } = env;
  return defineJob<AnswerJobPayload>({
    ...ANSWER_JOB,
    async run(p, ctx) {
      const post = replyPoster(env, ctx, p.reply);
      const answerId = typeof ctx.progress.answerId === 'string' ? ctx.progress.answerId : null;
      let record: SlackAnswerRecord | null = answerId ? await getSlackAnswer(deps.services.db, answerId) : null;
      if (!record) {
        if (p.assistant) {
          // Status and title are niceties: a plain DM thread may not accept them, and that is fine.
          await env.client.assistant.threads
            .setStatus({ channel_id: p.assistant.channel, thread_ts: p.assistant.threadTs, status: SEARCHING_STATUS })
            .catch((err: unknown) => ctx.logger.debug({ err }, 'slack: setStatus failed'));
        }
        const history = p.history ? await threadHistory(env.client, p.history) : [];
        if (p.assistant && !history.some((t) => t.role === 'user')) {
          await env.client.assistant.threads
            .setTitle({ channel_id: p.assistant.channel, thread_ts: p.assistant.threadTs, title: threadTitle(p.question) })
            .catch((err: unknown) => ctx.logger.debug({ err }, 'slack: setTitle failed'));
        }
        try {
          ({ record } = await answerInSlack(deps, {
            question: p.question,
            history,
            surface: p.surface,
            teamId: p.teamId,
            channelId: p.channelId,
            threadTs: p.threadTs,
            userId: p.userId,
            shareable: p.shareable,
          }));
        } catch (err) {
          // The person's own input (too long): tell them; retrying would not change it.
          if (isAppError(err, 'input.invalid')) {
            deps.logger.info({ jobId: ctx.id, reason: err.message }, 'slack request rejected');
            await post(noticeMessage(err.message));
            return;
          }
          throw err;
        }
        await ctx.checkpoint({ answerId: record.id });
      }
      await post(answerMessages(record.answer, { answerId: record.id, shareable: p.shareable }));
    },
    async onDead(p, ctx, error) {
      const ref = newReferenceId();
      deps.logger.error({ ref, jobId: ctx.id, kind: ctx.kind, attempts: ctx.attempt, error }, 'slack request failed');
      await plainReply(env, p.reply, errorMessage(failureSummary(undefined), ref));
    },
  });
}
