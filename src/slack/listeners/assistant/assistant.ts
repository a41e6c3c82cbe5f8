import { Assistant } from '@slack/bolt';
import { z } from 'zod';
import { tooLongMessage } from '../../answering.ts';
import { once } from '../../dedupe.ts';
import type { SlackListener } from '../../deps.ts';
import { botIds, enqueueDelivery, jobSpec, questionGate } from '../../enqueue.ts';
import { ANSWER_JOB, type AnswerJobPayload } from '../../jobs/answer.ts';
import { SUMMARIZE_JOB, type SummarizeJobPayload } from '../../jobs/summarize.ts';
import { channelPoster } from '../../post.ts';
import { plainSlackText } from '../../thread-history.ts';
import { suggestedPrompts } from '../../views/assistant.ts';
import { parseSummarizeText } from '../../summarizing.ts';
import { noticeMessage, usageMessage } from '../../views/message.ts';
import { DM_USAGE, humanMessageSchema } from '../events/direct-message.ts';

const threadStartedSchema = z.object({
  assistant_thread: z.object({ channel_id: z.string(), thread_ts: z.string(), user_id: z.string().optional() }),
});

/**
 * Slack's assistant pane, and every threaded reply in a DM with the app (Bolt routes both to
 * `userMessage`): suggested prompts when a thread opens; for each question a status line while it
 * searches, the thread as follow-up context, the answer in the thread, and a title for new threads.
 */
export const assistantPane: SlackListener = {
  handles: [
    { kind: 'event', name: 'assistant_thread_started' },
    { kind: 'event', name: 'assistant_thread_context_changed' },
  ],
  register(app, deps) {
    const assistant = new Assistant({
      threadStarted: async ({ event, body, context, setSuggestedPrompts }) => {
        const parsed = threadStartedSchema.safeParse(event);
        if (!parsed.success) return;
        // Nothing useful to tell the user if this fails: the pane still works without prompts.
        await once(deps, { id: String(body.event_id), kind: 'assistant_thread_started', retryNum: context.retryNum }, async () => undefined, async () => {
          await setSuggestedPrompts(suggestedPrompts());
        });
      },
      // The answers do not depend on which channel the user is looking at, so the context is not stored.
      threadContextChanged: async ({ body }) => {
        deps.logger.debug({ slackEventId: body.event_id }, 'slack: assistant thread context changed (not used)');
      },
      userMessage: async ({ message, body, context, client }) => {
        const parsed = humanMessageSchema.safeParse(message);
        if (!parsed.success || parsed.data.thread_ts === undefined || parsed.data.user === context.botUserId) return;
        const m = { ...parsed.data, thread_ts: parsed.data.thread_ts };
        const post = channelPoster(client, m.channel, m.thread_ts);
        const delivery = { id: String(body.event_id), kind: 'message.im', retryNum: context.retryNum, retryReason: context.retryReason, channel: m.channel, thread: true };
        const limits = { gate: questionGate(deps, { teamId: context.teamId ?? null, userId: m.user }) };
        const intent = parseSummarizeText(m.text);
        if (intent) {
          // "summarize <link>", or "summarize this thread" about this very conversation.
          const summary: SummarizeJobPayload = {
            flow: 'conversation',
            intent,
            requester: m.user,
            ...botIds(context),
            channel: m.channel,
            replyThreadTs: m.thread_ts,
            inThreadTs: m.thread_ts,
            privateHere: true,
            surface: 'assistant',
            assistantStatus: true,
          };
          await enqueueDelivery(deps, delivery, post, jobSpec(SUMMARIZE_JOB, summary), limits);
          return;
        }
        const question = plainSlackText(m.text);
        const tooLong = tooLongMessage(question);
        // The job reads the thread before this message as the conversation so far, sets the
        // status line while it searches, and titles a new thread.
        const payload: AnswerJobPayload = {
          question,
          surface: 'assistant',
          teamId: context.teamId ?? null,
          channelId: m.channel,
          threadTs: m.thread_ts,
          userId: m.user,
          shareable: false,
          reply: { via: 'thread', channel: m.channel, threadTs: m.thread_ts },
          history: { channel: m.channel, threadTs: m.thread_ts, beforeTs: m.ts, ...botIds(context) },
          assistant: { channel: m.channel, threadTs: m.thread_ts },
        };
        await enqueueDelivery(deps, delivery, post, question && !tooLong ? jobSpec(ANSWER_JOB, payload) : null, {
          ...limits,
          inline: () => post(tooLong ? noticeMessage(tooLong) : usageMessage(DM_USAGE)),
        });
      },
    });
    app.assistant(assistant);
  },
};
