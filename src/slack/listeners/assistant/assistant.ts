import { Assistant } from '@slack/bolt';
import { z } from 'zod';
import { once } from '../../dedupe.ts';
import type { SlackListener } from '../../deps.ts';
import { enqueueConversationTurn } from '../../conversation.ts';
import { botIds } from '../../enqueue.ts';
import { channelPoster } from '../../post.ts';
import { suggestedPrompts } from '../../views/assistant.ts';
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
        // "summarize <link>", or "summarize this thread" about this very conversation. A question's
        // job reads the thread before this message as the conversation so far, sets the status line
        // while it searches, and titles a new thread.
        await enqueueConversationTurn(deps, {
          delivery,
          post,
          context,
          user: m.user,
          channel: m.channel,
          text: m.text,
          surface: 'assistant',
          replyThreadTs: m.thread_ts,
          inThreadTs: m.thread_ts,
          privateHere: true,
          usage: DM_USAGE,
          answer: {
            history: { channel: m.channel, threadTs: m.thread_ts, beforeTs: m.ts, ...botIds(context) },
            assistant: { channel: m.channel, threadTs: m.thread_ts },
          },
        });
      },
    });
    app.assistant(assistant);
  },
};
