import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { reportFailure } from '../../failures.ts';
import { channelPoster, responsePoster } from '../../post.ts';
import { responseUrlStatus, summarizeThreadInSlack } from '../../summarizing.ts';
import { SHORTCUT_IDS } from '../../views/ids.ts';

const summarizeShortcutSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.literal(SHORTCUT_IDS.summarizeThread),
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }),
  response_url: z.string().url(),
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
    app.shortcut({ callback_id: SHORTCUT_IDS.summarizeThread, type: 'message_action' }, async ({ shortcut, ack, respond, client, context }) => {
      await ack();
      const parsed = summarizeShortcutSchema.safeParse(shortcut);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected summarize shortcut payload');
        return;
      }
      const s = parsed.data;
      const rootTs = s.message.thread_ts ?? s.message.ts;
      const status = responseUrlStatus(respond);
      try {
        await summarizeThreadInSlack(deps, {
          client,
          channel: s.channel.id,
          ts: rootTs,
          requester: s.user.id,
          botUserId: context.botUserId,
          botId: context.botId,
          status,
          deliver: channelPoster(client, s.channel.id, rootTs),
          surface: 'shortcut',
          shareable: true,
        });
        await respond({ response_type: 'ephemeral', replace_original: status.used() > 0, text: 'Done: the summary is in the thread.' }).catch(() => undefined);
      } catch (err) {
        await reportFailure(deps, err, { kind: 'shortcut', callbackId: SHORTCUT_IDS.summarizeThread, channel: s.channel.id }, responsePoster(respond));
      }
    });
  },
};
