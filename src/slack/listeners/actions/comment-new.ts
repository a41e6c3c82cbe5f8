import { z } from 'zod';
import { sendDm } from '../../comments/delivery.ts';
import { openCommentForm } from '../../comments/intake.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { ACTION_IDS } from '../../views/ids.ts';

const clickSchema = z.object({ user: z.object({ id: z.string() }), trigger_id: z.string() });

/** "Submit a comment" on the App Home tab: the same form as /comment. Anyone. */
export const commentNew: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.commentNew }],
  register(app, deps) {
    app.action(ACTION_IDS.commentNew, async ({ ack, body, client }) => {
      await ack();
      const click = clickSchema.safeParse(body);
      if (!click.success) {
        deps.logger.warn({ actionId: ACTION_IDS.commentNew }, 'slack: unexpected click payload');
        return;
      }
      const userId = click.data.user.id;
      try {
        await openCommentForm(deps, client, { triggerId: click.data.trigger_id, userId, metadata: { origin: 'home' } });
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.commentNew, userId }, (m) => sendDm(client, userId, m));
      }
    });
  },
};
