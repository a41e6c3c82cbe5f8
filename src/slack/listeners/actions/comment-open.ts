import { z } from 'zod';
import { getCommentDetails } from '../../../comments/queue.ts';
import { commentSlack } from '../../comments/context.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { commentDetailsModal } from '../../views/comment-details.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema, commentIdSchema } from './comment-click.ts';

const buttonSchema = z.object({ value: commentIdSchema });

/** "Open details" on a card, "Open" in a list or on the Home tab: the details modal with notes and the audit log. Staff only. */
export const commentOpen: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.commentOpen }],
  register(app, deps) {
    app.action(ACTION_IDS.commentOpen, async ({ ack, body, action, client, respond }) => {
      await ack();
      const click = commentClickSchema.safeParse(body);
      const button = buttonSchema.safeParse(action);
      if (!click.success || !button.success || !click.data.trigger_id) {
        deps.logger.warn({ actionId: ACTION_IDS.commentOpen }, 'slack: unexpected click payload');
        return;
      }
      const c = clickContext(click.data, client, respond);
      const triggerId = click.data.trigger_id;
      try {
        const actor = await clickActor(deps, client, c);
        const details = await getCommentDetails(commentSlack(deps).services, actor, button.data.value);
        const view = commentDetailsModal(details, deps.services.config.comments.topics, { commentId: details.comment.id });
        if (c.inModal) await client.views.push({ trigger_id: triggerId, view });
        else await client.views.open({ trigger_id: triggerId, view });
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.commentOpen, commentId: button.data.value, userId: c.userId }, c.tell);
      }
    });
  },
};
