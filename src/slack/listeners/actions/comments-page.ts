import type { App } from '@slack/bolt';
import { z } from 'zod';
import { listComments } from '../../../comments/queue.ts';
import { commentSlack } from '../../comments/context.ts';
import { parseCommentsCommand } from '../../comments/filter.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackDeps, SlackListener } from '../../deps.ts';
import { commentListMessage, LIST_PAGE_SIZE, MAX_FILTER_CHARS } from '../../views/comment-list.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema } from './comment-click.ts';

/** A paging or export button's value: the filter as typed and the offset. */
export const cursorSchema = z.object({
  value: z.string().transform((v, ctx) => {
    try {
      const parsed = z.object({ q: z.string().max(MAX_FILTER_CHARS), o: z.number().int().min(0) }).safeParse(JSON.parse(v));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'expected a list cursor' });
    return z.NEVER;
  }),
});

function registerPage(app: App, deps: SlackDeps, actionId: string): void {
  app.action(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const click = commentClickSchema.safeParse(body);
    const button = cursorSchema.safeParse(action);
    if (!click.success || !button.success) {
      deps.logger.warn({ actionId }, 'slack: unexpected paging payload');
      return;
    }
    const c = clickContext(click.data, client, respond);
    const { q, o } = button.data.value;
    try {
      const actor = await clickActor(deps, client, c);
      const topics = deps.services.config.comments.topics;
      const cmd = parseCommentsCommand(q, { topics, me: c.userId });
      const { comments, total } = await listComments(commentSlack(deps).services, actor, { ...cmd.filter, limit: LIST_PAGE_SIZE, offset: o });
      const page = commentListMessage({ comments, total, offset: o, filterText: cmd.filterText, filterSummary: cmd.summary, topics });
      await respond({ response_type: 'ephemeral', replace_original: true, text: page.text, blocks: page.blocks });
    } catch (err) {
      await reportCommentFailure(deps, err, { kind: 'action', actionId, userId: c.userId }, c.tell);
    }
  });
}

/** Previous / Next under a `/comments` list: the same filter, another page, in place. Staff only. */
export const commentsPage: SlackListener = {
  handles: [
    { kind: 'action', name: ACTION_IDS.commentsPrev },
    { kind: 'action', name: ACTION_IDS.commentsNext },
  ],
  register(app, deps) {
    registerPage(app, deps, ACTION_IDS.commentsPrev);
    registerPage(app, deps, ACTION_IDS.commentsNext);
  },
};
