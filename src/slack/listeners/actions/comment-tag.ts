import { z } from 'zod';
import { getComment } from '../../../comments/queue.ts';
import { commentSlack } from '../../comments/context.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { commentTagsModal } from '../../views/comment-details.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema, commentIdSchema } from './comment-click.ts';

const buttonSchema = z.object({ value: commentIdSchema });

/** "Tag": opens the tag editor (over the details modal when clicked there). Staff only. */
export const commentTag: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.commentTag }],
  register(app, deps) {
    app.action(ACTION_IDS.commentTag, async ({ ack, body, action, client, respond }) => {
      await ack();
      const click = commentClickSchema.safeParse(body);
      const button = buttonSchema.safeParse(action);
      if (!click.success || !button.success || !click.data.trigger_id) {
        deps.logger.warn({ actionId: ACTION_IDS.commentTag }, 'slack: unexpected click payload');
        return;
      }
      const c = clickContext(click.data, client, respond);
      const triggerId = click.data.trigger_id;
      try {
        const actor = await clickActor(deps, client, c);
        const comment = await getComment(commentSlack(deps).services, actor, button.data.value);
        const view = commentTagsModal(comment, { commentId: comment.id });
        if (c.inModal) await client.views.push({ trigger_id: triggerId, view });
        else await client.views.open({ trigger_id: triggerId, view });
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.commentTag, commentId: button.data.value, userId: c.userId }, c.tell);
      }
    });
  },
};
