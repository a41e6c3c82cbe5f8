import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { answerInSlack } from '../../answering.ts';
import { once } from '../../dedupe.ts';
import { plainSlackText } from '../../thread-history.ts';
import { channelPoster } from '../../post.ts';
import { summarizeOnRequest, parseSummarizeText } from '../../summarizing.ts';
import { usageMessage } from '../../views/message.ts';

const mentionSchema = z.object({
  type: z.literal('app_mention'),
  text: z.string().default(''),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  channel: z.string(),
  ts: z.string(),
  thread_ts: z.string().optional(),
});

export const MENTION_USAGE =
  'Mention me with a question about the policy documents, e.g. `@Policy Desk What are the three lines of effort in the implementation plan?`';

/**
 * `@Policy Desk <question>` in a channel: the answer goes in the message's thread.
 * `@Policy Desk summarize this thread` inside a thread summarizes it instead (summarizing.ts).
 */
export const appMention: SlackListener = {
  handles: [{ kind: 'event', name: 'app_mention' }],
  register(app, deps) {
    app.event('app_mention', async ({ event, body, context, client }) => {
      const parsed = mentionSchema.safeParse(event);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected app_mention payload ignored');
        return;
      }
      const m = parsed.data;
      // Other bots (and this one) mentioning the app, and edited messages, are not questions.
      if (m.bot_id || m.subtype || !m.user) return;
      const threadTs = m.thread_ts ?? m.ts;
      const post = channelPoster(client, m.channel, threadTs);
      await once(
        deps,
        { id: String(body.event_id), kind: 'app_mention', retryNum: context.retryNum, retryReason: context.retryReason, channel: m.channel },
        post,
        async () => {
          // "@Policy Desk summarize this thread" is a request for a summary, not a question.
          const intent = parseSummarizeText(m.text);
          if (intent) {
            await summarizeOnRequest(deps, {
              client,
              intent,
              requester: m.user!,
              botUserId: context.botUserId,
              botId: context.botId,
              channel: m.channel,
              replyThreadTs: threadTs,
              ...(m.thread_ts ? { inThreadTs: m.thread_ts } : {}),
              privateHere: false,
              surface: 'mention',
            });
            return;
          }
          const question = plainSlackText(m.text);
          if (!question) {
            await post(usageMessage(MENTION_USAGE));
            return;
          }
          const { messages } = await answerInSlack(deps, {
            question,
            surface: 'mention',
            teamId: context.teamId ?? null,
            channelId: m.channel,
            threadTs,
            userId: m.user ?? null,
          });
          await post(messages);
        },
      );
    });
  },
};
