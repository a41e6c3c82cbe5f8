import { z } from 'zod';
import { tooLongMessage } from '../../answering.ts';
import type { SlackListener } from '../../deps.ts';
import { botIds, enqueueDelivery, jobSpec, questionGate } from '../../enqueue.ts';
import { ANSWER_JOB, type AnswerJobPayload } from '../../jobs/answer.ts';
import { SUMMARIZE_JOB, type SummarizeJobPayload } from '../../jobs/summarize.ts';
import { channelPoster } from '../../post.ts';
import { plainSlackText } from '../../thread-history.ts';
import { parseSummarizeText } from '../../summarizing.ts';
import { noticeMessage, usageMessage } from '../../views/message.ts';

/** A person's new message: no subtype (edits, joins, deletions, bot messages all carry one) and no bot id. */
export const humanMessageSchema = z.object({
  type: z.literal('message'),
  subtype: z.never().optional(),
  bot_id: z.never().optional(),
  user: z.string(),
  text: z.string().default(''),
  channel: z.string(),
  channel_type: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
});

export const DM_USAGE = 'Ask me a question about the policy documents, e.g. "What are the three lines of effort in the implementation plan?"';

/**
 * A new direct message: answered in a thread under it, so the person can ask follow-ups there.
 * Replies in that thread are Bolt Assistant "user messages" and go to the assistant listener,
 * which reads the thread as context.
 */
export const directMessage: SlackListener = {
  handles: [{ kind: 'event', name: 'message.im' }],
  register(app, deps) {
    app.message(async ({ message, body, context, client }) => {
      const parsed = humanMessageSchema.safeParse(message);
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.channel_type !== 'im' || m.thread_ts !== undefined || m.user === context.botUserId) return;
      const post = channelPoster(client, m.channel, m.ts);
      const delivery = { id: String(body.event_id), kind: 'message.im', retryNum: context.retryNum, retryReason: context.retryReason, channel: m.channel };
      const limits = { gate: questionGate(deps, { teamId: context.teamId ?? null, userId: m.user }) };
      // "summarize <link>" in a DM: the linked thread, summarized for this person alone.
      const intent = parseSummarizeText(m.text);
      if (intent) {
        const summary: SummarizeJobPayload = {
          flow: 'conversation',
          intent,
          requester: m.user,
          ...botIds(context),
          channel: m.channel,
          replyThreadTs: m.ts,
          privateHere: true,
          surface: 'dm',
          assistantStatus: false,
        };
        await enqueueDelivery(deps, delivery, post, jobSpec(SUMMARIZE_JOB, summary), limits);
        return;
      }
      const question = plainSlackText(m.text);
      const tooLong = tooLongMessage(question);
      const payload: AnswerJobPayload = {
        question,
        surface: 'dm',
        teamId: context.teamId ?? null,
        channelId: m.channel,
        threadTs: m.ts,
        userId: m.user,
        shareable: false,
        reply: { via: 'thread', channel: m.channel, threadTs: m.ts },
      };
      await enqueueDelivery(deps, delivery, post, question && !tooLong ? jobSpec(ANSWER_JOB, payload) : null, {
        ...limits,
        inline: () => post(tooLong ? noticeMessage(tooLong) : usageMessage(DM_USAGE)),
      });
    });
  },
};
