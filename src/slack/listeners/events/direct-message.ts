import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { enqueueConversationTurn } from '../../conversation.ts';
import { channelPoster } from '../../post.ts';

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
      // "summarize <link>" in a DM: the linked thread, summarized for this person alone.
      await enqueueConversationTurn(deps, {
        delivery,
        post,
        context,
        user: m.user,
        channel: m.channel,
        text: m.text,
        surface: 'dm',
        replyThreadTs: m.ts,
        privateHere: true,
        usage: DM_USAGE,
      });
    });
  },
};
