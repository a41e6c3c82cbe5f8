import type { RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, newReferenceId } from '../../errors.ts';
import { defineJob, type JobContext } from '../../jobs/types.ts';
import { responsePoster } from '../post.ts';
import {
  assistantStatus,
  checkRequesterSees,
  responseUrlPoster,
  responseUrlStatus,
  summarizeOnRequest,
  summarizeThreadInSlack,
} from '../summarizing.ts';
import { errorMessage, noticeMessage } from '../views/message.ts';
import { failureSummary } from '../failures.ts';
import type { SlackJobEnv } from './answer.ts';
import { durableThreadPoster, postToResponseUrl } from './post.ts';

const id = z.string().min(1).max(64);
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/, 'a Slack timestamp');
const responseUrl = z.string().url().max(2000);
const bot = { botUserId: id.optional(), botId: id.optional() };

/**
 * The summarize.thread job: a thread summary asked for in Slack, made after the ack by any
 * instance. Three flows, as the requests arrive: said to the app (a mention, a DM, the assistant
 * pane), `/summarize <link>`, and the message shortcut.
 */
export const summarizeJobPayload = z.discriminatedUnion('flow', [
  z.object({
    flow: z.literal('conversation'),
    intent: z.object({
      link: z.object({ channel: id, ts, threadTs: ts.optional(), origin: z.string().url().max(200) }).optional(),
      private: z.boolean(),
    }),
    requester: id,
    ...bot,
    channel: id,
    replyThreadTs: ts,
    inThreadTs: ts.optional(),
    privateHere: z.boolean(),
    surface: z.enum(['mention', 'dm', 'assistant']),
    /** The assistant pane's status line under replyThreadTs. */
    assistantStatus: z.boolean().default(false),
  }),
  z.object({
    flow: z.literal('command'),
    channel: id,
    threadTs: ts,
    /** Where /summarize was typed. */
    askedIn: id,
    origin: z.string().url().max(200),
    requester: id,
    ...bot,
    private: z.boolean(),
    responseUrl,
  }),
  z.object({ flow: z.literal('shortcut'), channel: id, threadTs: ts, requester: id, ...bot, responseUrl }),
]);
export type SummarizeJobPayload = z.infer<typeof summarizeJobPayload>;

/** Summaries read whole threads and may call the model many times: fewer, later retries. */
export const SUMMARIZE_JOB = { kind: 'summarize.thread' as const, payload: summarizeJobPayload, maxAttempts: 3 };

/** A RespondFn over a response_url kept in the job's payload. */
function respondVia(url: string, signal?: AbortSignal): RespondFn {
  return async (message) => postToResponseUrl(url, typeof message === 'string' ? { text: message } : (message as Record<string, unknown>), signal);
}

export function summarizeJob(env: SlackJobEnv) {
  const { deps } = env;
  const clients = { postClient: env.postClient, readClient: env.client };
  const threadPoster = (ctx: JobContext) => (channel: string, threadTs: string, step: string) => durableThreadPoster(ctx, clients, channel, threadTs, step);
  return defineJob<SummarizeJobPayload>({
    ...SUMMARIZE_JOB,
    async run(p, ctx) {
      // The person's own mistake (no thread there, a thread they cannot see): say so once, do not retry.
      const tellOnce = async (err: unknown, say: (text: string) => Promise<unknown>) => {
        if (!isAppError(err, 'input.invalid')) throw err;
        deps.logger.info({ jobId: ctx.id, reason: err.message }, 'slack request rejected');
        if (!ctx.progress.told) {
          await say(err.message);
          await ctx.checkpoint({ told: true });
        }
      };
      if (p.flow === 'conversation') {
        const client = env.client;
        try {
          await summarizeOnRequest(deps, {
            client,
            intent: p.intent,
            requester: p.requester,
            botUserId: p.botUserId,
            botId: p.botId,
            channel: p.channel,
            replyThreadTs: p.replyThreadTs,
            ...(p.inThreadTs ? { inThreadTs: p.inThreadTs } : {}),
            privateHere: p.privateHere,
            surface: p.surface,
            ...(p.assistantStatus
              ? { status: assistantStatus((status) => client.assistant.threads.setStatus({ channel_id: p.channel, thread_ts: p.replyThreadTs, status })) }
              : {}),
            threadPoster: threadPoster(ctx),
          });
        } catch (err) {
          await tellOnce(err, (text) => durableThreadPoster(ctx, clients, p.channel, p.replyThreadTs, 'error')(noticeMessage(text)));
        }
        return;
      }
      const respond = respondVia(p.responseUrl, ctx.signal);
      const status = responseUrlStatus(respond);
      try {
        if (p.flow === 'command' && p.channel !== p.askedIn) await checkRequesterSees(env.client, { channel: p.channel, threadTs: p.threadTs }, p.requester);
        const privately = p.flow === 'command' && p.private;
        await summarizeThreadInSlack(deps, {
          client: env.client,
          channel: p.channel,
          ts: p.threadTs,
          requester: p.requester,
          botUserId: p.botUserId,
          botId: p.botId,
          status,
          deliver: privately ? responseUrlPoster(respond, () => status.used() > 0) : durableThreadPoster(ctx, clients, p.channel, p.threadTs, 'summary'),
          surface: p.flow,
          shareable: !privately,
        });
        if (!privately) {
          const where = p.flow === 'command' ? ` (${p.origin}/archives/${p.channel}/p${p.threadTs.replace('.', '')})` : '';
          await respond({ response_type: 'ephemeral', replace_original: status.used() > 0, text: `Done: the summary is in the thread${where}.` }).catch(() => undefined);
        }
      } catch (err) {
        await tellOnce(err, (text) => responsePoster(respond)(noticeMessage(text)));
      }
    },
    async onDead(p, ctx, error) {
      const ref = newReferenceId();
      deps.logger.error({ ref, jobId: ctx.id, kind: ctx.kind, error }, 'slack request failed');
      const message = errorMessage(failureSummary(undefined).replace('while answering', 'while summarizing'), ref);
      if (p.flow === 'conversation') {
        await env.client.chat.postMessage({ channel: p.channel, thread_ts: p.replyThreadTs, text: message.text, blocks: message.blocks });
      } else {
        await postToResponseUrl(p.responseUrl, { response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
      }
    },
  });
}
