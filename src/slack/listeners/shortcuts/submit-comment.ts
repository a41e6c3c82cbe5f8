import { z } from 'zod';
import { sendDm } from '../../comments/delivery.ts';
import { openCommentForm } from '../../comments/intake.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { SHORTCUT_IDS } from '../../views/ids.ts';

const globalShortcutSchema = z.object({
  type: z.literal('shortcut'),
  callback_id: z.literal(SHORTCUT_IDS.submitComment),
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
});

/**
 * Global shortcut "Submit a comment" (the + menu or the search bar): opens the comment form.
 * There is no conversation to answer in, so the receipt is the modal itself and a DM.
 */
export const submitCommentShortcut: SlackListener = {
  handles: [{ kind: 'shortcut', name: SHORTCUT_IDS.submitComment }],
  register(app, deps) {
    app.shortcut({ callback_id: SHORTCUT_IDS.submitComment, type: 'shortcut' }, async ({ shortcut, ack, client }) => {
      await ack();
      const parsed = globalShortcutSchema.safeParse(shortcut);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected global shortcut payload');
        return;
      }
      try {
        await openCommentForm(deps, client, { triggerId: parsed.data.trigger_id, userId: parsed.data.user.id, metadata: { origin: 'shortcut' } });
      } catch (err) {
        // No conversation to answer in, and the trigger is spent: the person hears by DM.
        const userId = parsed.data.user.id;
        await reportCommentFailure(deps, err, { kind: 'shortcut', shortcut: SHORTCUT_IDS.submitComment }, (m) => sendDm(client, userId, m));
      }
    });
  },
};
