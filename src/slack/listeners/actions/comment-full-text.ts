import { z } from 'zod';
import { fullTextSentMessage, sendFullTextToDm } from '../../comments/export.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema, commentIdSchema } from './comment-click.ts';

const buttonSchema = z.object({ value: commentIdSchema });

/** "Send me the full text" on a card or in the details modal: the whole text as a file in the staff member's DM. Staff only. */
export const commentFullText: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.commentFullText }],
  register(app, deps) {
    app.action(ACTION_IDS.commentFullText, async ({ ack, body, action, client, respond }) => {
      await ack();
      const click = commentClickSchema.safeParse(body);
      const button = buttonSchema.safeParse(action);
      if (!click.success || !button.success) {
        deps.logger.warn({ actionId: ACTION_IDS.commentFullText }, 'slack: unexpected click payload');
        return;
      }
      const c = clickContext(click.data, client, respond);
      try {
        const actor = await clickActor(deps, client, c);
        const sent = await sendFullTextToDm(deps, client, actor, c.userId, button.data.value);
        await c.tell(fullTextSentMessage(sent));
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.commentFullText, commentId: button.data.value, userId: c.userId }, c.tell);
      }
    });
  },
};
