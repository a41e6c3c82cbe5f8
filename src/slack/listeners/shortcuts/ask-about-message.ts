import { z } from 'zod';
import { MAX_QUESTION_CHARS } from '../../answering.ts';
import type { SlackListener } from '../../deps.ts';
import { enqueueRequest, jobSpec, questionGate } from '../../enqueue.ts';
import { ANSWER_JOB } from '../../jobs/answer.ts';
import { responsePoster } from '../../post.ts';
import { plainSlackText } from '../../thread-history.ts';
import { SHORTCUT_IDS } from '../../views/ids.ts';
import { noticeMessage } from '../../views/message.ts';

const messageShortcutSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.literal(SHORTCUT_IDS.askAboutMessage),
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullable().optional(),
  channel: z.object({ id: z.string() }),
  message: z.object({ text: z.string().default(''), ts: z.string(), thread_ts: z.string().optional() }),
  response_url: z.string().url().max(2000),
  trigger_id: z.string().max(255).optional(),
});

/**
 * Message shortcut "Ask Policy Desk": the message's text is the question; the answer comes back
 * only to the person who asked (ephemeral), with a button to share it.
 */
export const askAboutMessage: SlackListener = {
  handles: [{ kind: 'shortcut', name: SHORTCUT_IDS.askAboutMessage }],
  register(app, deps) {
    app.shortcut({ callback_id: SHORTCUT_IDS.askAboutMessage, type: 'message_action' }, async ({ shortcut, ack, respond }) => {
      await ack();
      const parsed = messageShortcutSchema.safeParse(shortcut);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected message shortcut payload');
        return;
      }
      const s = parsed.data;
      const post = responsePoster(respond);
      const question = plainSlackText(s.message.text).slice(0, MAX_QUESTION_CHARS);
      if (!question) {
        await post(noticeMessage('That message has no text to ask about.')).catch((err: unknown) => deps.logger.warn({ err }, 'slack: could not reply to a shortcut'));
        return;
      }
      await enqueueRequest(
        deps,
        { kind: 'shortcut', channel: s.channel.id },
        post,
        jobSpec(ANSWER_JOB, {
          question,
          surface: 'shortcut',
          teamId: s.team?.id ?? null,
          channelId: s.channel.id,
          threadTs: s.message.thread_ts ?? s.message.ts,
          userId: s.user.id,
          shareable: true,
          reply: { via: 'response_url', url: s.response_url },
        }),
        { dedupeKey: s.trigger_id ? `slack:trigger:${s.trigger_id}` : null, gate: questionGate(deps, { teamId: s.team?.id ?? null, userId: s.user.id }) },
      );
    });
  },
};
