import { z } from 'zod';
import { getComment, parseStatus, setStatus } from '../../../comments/queue.ts';
import { isAppError } from '../../../errors.ts';
import { commentSlack } from '../../comments/context.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { requestCardRedraw } from '../../jobs/comment-card.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema, showChange } from './comment-click.ts';

const selectSchema = z.object({
  selected_option: z.object({
    value: z.string().transform((v, ctx) => {
      const m = /^(\d+):([a-z_]+)$/.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: 'expected <comment id>:<status>' });
        return z.NEVER;
      }
      return { commentId: Number(m[1]), to: m[2]! };
    }),
  }),
});

/**
 * "Set status" on a card or in the details modal. The menu offers only the moves valid from the
 * status it was drawn with; if the comment moved on meanwhile (another reviewer, the CLI), the
 * domain refuses the stale move, the person is told which moves are allowed, and the card is
 * redrawn with the current ones.
 */
export const commentSetStatus: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.commentSetStatus }],
  register(app, deps) {
    app.action(ACTION_IDS.commentSetStatus, async ({ ack, body, action, client, respond }) => {
      await ack();
      const click = commentClickSchema.safeParse(body);
      const select = selectSchema.safeParse(action);
      if (!click.success || !select.success) {
        deps.logger.warn({ actionId: ACTION_IDS.commentSetStatus }, 'slack: unexpected status menu payload');
        return;
      }
      const { commentId, to } = select.data.selected_option.value;
      const c = clickContext(click.data, client, respond);
      const services = commentSlack(deps).services;
      try {
        const actor = await clickActor(deps, client, c);
        try {
          const comment = await setStatus(services, actor, commentId, parseStatus(to));
          await showChange(deps, client, actor, comment, c);
        } catch (err) {
          if (isAppError(err, 'comment.transition')) {
            // Show the current state, so the menu offers only what is allowed now.
            if (deps.services.config.slack.reviewChannelId) await requestCardRedraw(deps.services.db, commentId).catch(() => undefined);
            await showChange(deps, client, actor, await getComment(services, actor, commentId), c).catch(() => undefined);
          }
          throw err;
        }
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.commentSetStatus, commentId, to, userId: c.userId }, c.tell);
      }
    });
  },
};
