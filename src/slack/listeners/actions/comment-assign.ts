import { z } from 'zod';
import { actorLabel } from '../../../comments/access.ts';
import { assignComment } from '../../../comments/queue.ts';
import { commentSlack } from '../../comments/context.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema, commentIdSchema, showChange } from './comment-click.ts';

const buttonSchema = z.object({ value: commentIdSchema });

/** "Assign to me" on a card or in the details modal (staff only); the card updates in place. */
export const commentAssignMe: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.commentAssignMe }],
  register(app, deps) {
    app.action(ACTION_IDS.commentAssignMe, async ({ ack, body, action, client, respond }) => {
      await ack();
      const click = commentClickSchema.safeParse(body);
      const button = buttonSchema.safeParse(action);
      if (!click.success || !button.success) {
        deps.logger.warn({ actionId: ACTION_IDS.commentAssignMe }, 'slack: unexpected click payload');
        return;
      }
      const c = clickContext(click.data, client, respond);
      try {
        const actor = await clickActor(deps, client, c);
        const comment = await assignComment(commentSlack(deps).services, actor, button.data.value, actorLabel(actor));
        await showChange(deps, client, actor, comment, c);
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.commentAssignMe, commentId: button.data.value, userId: c.userId }, c.tell);
      }
    });
  },
};
