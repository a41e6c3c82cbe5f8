import type { App } from '@slack/bolt';
import { exportSentMessage, exportToDm } from '../../comments/export.ts';
import { parseCommentsCommand } from '../../comments/filter.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackDeps, SlackListener } from '../../deps.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { clickActor, clickContext, commentClickSchema } from './comment-click.ts';
import { cursorSchema } from './comments-page.ts';

function registerExport(app: App, deps: SlackDeps, actionId: string, format: 'csv' | 'json'): void {
  app.action(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const click = commentClickSchema.safeParse(body);
    const button = cursorSchema.safeParse(action);
    if (!click.success || !button.success) {
      deps.logger.warn({ actionId }, 'slack: unexpected export payload');
      return;
    }
    const c = clickContext(click.data, client, respond);
    try {
      const actor = await clickActor(deps, client, c);
      const cmd = parseCommentsCommand(button.data.value.q, { topics: deps.services.config.comments.topics, me: c.userId });
      await c.tell(exportSentMessage(await exportToDm(deps, client, actor, c.userId, format, cmd.filter, cmd.summary)));
    } catch (err) {
      await reportCommentFailure(deps, err, { kind: 'action', actionId, userId: c.userId }, c.tell);
    }
  });
}

/** Export CSV / JSON under a `/comments` list: the listed comments, as a file in the staff member's DM. */
export const commentsExport: SlackListener = {
  handles: [
    { kind: 'action', name: ACTION_IDS.commentsExportCsv },
    { kind: 'action', name: ACTION_IDS.commentsExportJson },
  ],
  register(app, deps) {
    registerExport(app, deps, ACTION_IDS.commentsExportCsv, 'csv');
    registerExport(app, deps, ACTION_IDS.commentsExportJson, 'json');
  },
};
