import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { botIds, enqueueRequest, jobSpec, questionGate } from '../../enqueue.ts';
import { SUMMARIZE_JOB } from '../../jobs/summarize.ts';
import { responsePoster } from '../../post.ts';
import { SHORTCUT_IDS } from '../../views/ids.ts';

const summarizeShortcutSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.literal(SHORTCUT_IDS.summarizeThread),
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullable().optional(),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }),
  response_url: z.string().url().max(2000),
  trigger_id: z.string().max(255).optional(),
});

/**
 * Message shortcut "Summarize this thread", on any message of a thread: acknowledged at once, a
 * status line only the requester sees ("Summarizing 312 messages…"), then the summary in the
 * thread, and the status replaced by a pointer to it. Whoever can see the message can see the
 * thread, so no further check is needed.
 */
export const summarizeThreadShortcut: SlackListener = {
  handles: [{ kind: 'shortcut', name: SHORTCUT_IDS.summarizeThread }],
  register(app, deps) {
    app.shortcut({ callback_id: SHORTCUT_IDS.summarizeThread, type: 'message_action' }, async ({ shortcut, ack, respond, context }) => {
      await ack();
      const parsed = summarizeShortcutSchema.safeParse(shortcut);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected summarize shortcut payload');
        return;
      }
      const s = parsed.data;
      await enqueueRequest(
        deps,
        { kind: 'shortcut', callbackId: SHORTCUT_IDS.summarizeThread, channel: s.channel.id },
        responsePoster(respond),
        jobSpec(SUMMARIZE_JOB, {
          flow: 'shortcut',
          channel: s.channel.id,
          threadTs: s.message.thread_ts ?? s.message.ts,
          requester: s.user.id,
          ...botIds(context),
          responseUrl: s.response_url,
        }),
        { dedupeKey: s.trigger_id ? `slack:trigger:${s.trigger_id}` : null, gate: questionGate(deps, { teamId: s.team?.id ?? null, userId: s.user.id }) },
      );
    });
  },
};
