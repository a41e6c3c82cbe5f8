import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { enqueueConversationTurn } from '../../conversation.ts';
import { channelPoster } from '../../post.ts';
import { ephemeralPoster } from '../../summarizing.ts';

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
 * `@Policy Desk <question>` in a channel: the answer goes in the message's thread. The listener
 * only records the question as an answer.slack job (with the event id as its dedupe key); a
 * worker on any instance answers it (src/slack/jobs/answer.ts).
 * `@Policy Desk summarize this thread` inside a thread is a summarize.thread job instead (jobs/summarize.ts).
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
      const delivery = { id: String(body.event_id), kind: 'app_mention', retryNum: context.retryNum, retryReason: context.retryReason, channel: m.channel };
      // "@Policy Desk summarize this thread" is a request for a summary, not a question. A refusal
      // (rate limit) is for the asker only, not the channel.
      await enqueueConversationTurn(deps, {
        delivery,
        post,
        refuse: ephemeralPoster(client, m.channel, m.user, threadTs),
        context,
        user: m.user,
        channel: m.channel,
        text: m.text,
        surface: 'mention',
        replyThreadTs: threadTs,
        ...(m.thread_ts ? { inThreadTs: m.thread_ts } : {}),
        privateHere: false,
        usage: MENTION_USAGE,
      });
    });
  },
};
