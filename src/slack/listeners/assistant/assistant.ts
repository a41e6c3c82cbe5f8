import { Assistant } from '@slack/bolt';
import { z } from 'zod';
import { answerInSlack } from '../../answering.ts';
import { once } from '../../dedupe.ts';
import type { SlackListener } from '../../deps.ts';
import { channelPoster } from '../../post.ts';
import { plainSlackText, threadHistory } from '../../thread-history.ts';
import { SEARCHING_STATUS, suggestedPrompts, threadTitle } from '../../views/assistant.ts';
import { assistantStatus, parseSummarizeText, summarizeOnRequest } from '../../summarizing.ts';
import { usageMessage } from '../../views/message.ts';
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
      userMessage: async ({ message, body, context, client, setStatus, setTitle }) => {
        const parsed = humanMessageSchema.safeParse(message);
        if (!parsed.success || parsed.data.thread_ts === undefined || parsed.data.user === context.botUserId) return;
        const m = { ...parsed.data, thread_ts: parsed.data.thread_ts };
        const post = channelPoster(client, m.channel, m.thread_ts);
        await once(
          deps,
          { id: String(body.event_id), kind: 'message.im', retryNum: context.retryNum, retryReason: context.retryReason, channel: m.channel, thread: true },
          post,
          async () => {
            const intent = parseSummarizeText(m.text);
            if (intent) {
              // "summarize <link>", or "summarize this thread" about this very conversation.
              await summarizeOnRequest(deps, {
                client,
                intent,
                requester: m.user,
                botUserId: context.botUserId,
                botId: context.botId,
                channel: m.channel,
                replyThreadTs: m.thread_ts,
                inThreadTs: m.thread_ts,
                privateHere: true,
                surface: 'assistant',
                status: assistantStatus(setStatus),
              });
              return;
            }
            const question = plainSlackText(m.text);
            if (!question) {
              await post(usageMessage(DM_USAGE));
              return;
            }
            // Status and title are niceties: a plain DM thread may not accept them, and that is fine.
            await setStatus(SEARCHING_STATUS).catch((err: unknown) => deps.logger.debug({ err }, 'slack: setStatus failed'));
            const history = await threadHistory(client, {
              channel: m.channel,
              threadTs: m.thread_ts,
              beforeTs: m.ts,
              botUserId: context.botUserId,
              botId: context.botId,
            });
            if (!history.some((t) => t.role === 'user')) {
              await setTitle(threadTitle(question)).catch((err: unknown) => deps.logger.debug({ err }, 'slack: setTitle failed'));
            }
            const { messages } = await answerInSlack(deps, {
              question,
              history,
              surface: 'assistant',
              teamId: context.teamId ?? null,
              channelId: m.channel,
              threadTs: m.thread_ts,
              userId: m.user,
            });
            await post(messages);
          },
        );
      },
    });
    app.assistant(assistant);
  },
};
