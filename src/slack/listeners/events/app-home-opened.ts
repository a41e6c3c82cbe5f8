import { z } from 'zod';
import { isStaff } from '../../../comments/access.ts';
import { listOwnComments, queueHome } from '../../../comments/queue.ts';
import { newReferenceId } from '../../../errors.ts';
import { commentSlack } from '../../comments/context.ts';
import type { SlackListener } from '../../deps.ts';
import { staffHomeView, visitorHomeView } from '../../views/home.ts';
import { errorMessage } from '../../views/message.ts';

const homeOpenedSchema = z.object({ type: z.literal('app_home_opened'), user: z.string(), tab: z.string().optional() });

/**
 * The App Home tab, drawn each time it is opened (views.publish): the queue for staff; for
 * everyone else what Policy Desk does, a "Submit a comment" button and their own comments. The
 * queue's data is fetched only for staff.
 */
export const appHomeOpened: SlackListener = {
  handles: [{ kind: 'event', name: 'app_home_opened' }],
  register(app, deps) {
    app.event('app_home_opened', async ({ event, client }) => {
      const parsed = homeOpenedSchema.safeParse(event);
      if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
      const userId = parsed.data.user;
      const ctx = commentSlack(deps).use(client);
      try {
        const actor = await ctx.actor(client, { userId });
        const view = isStaff(deps.services.config.comments, actor)
          ? staffHomeView(await queueHome(ctx.services, actor), deps.services.config.comments.topics)
          : visitorHomeView(await listOwnComments(ctx.services, { slackUserId: userId }));
        await client.views.publish({ user_id: userId, view });
      } catch (err) {
        const ref = newReferenceId();
        deps.logger.error({ err, ref, userId }, 'slack: could not draw the App Home');
        const m = errorMessage('The comment queue is unavailable right now.', ref);
        await client.views.publish({ user_id: userId, view: { type: 'home', blocks: m.blocks } }).catch(() => undefined);
      }
    });
  },
};
