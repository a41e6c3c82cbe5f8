import { z } from 'zod';
import { requireStaff } from '../../../comments/access.ts';
import { listComments } from '../../../comments/queue.ts';
import { commentSlack } from '../../comments/context.ts';
import { exportSentMessage, exportToDm } from '../../comments/export.ts';
import { parseCommentsCommand } from '../../comments/filter.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { isDocketSummaryText, parseDocketSummaryText } from '../../docket-summarizing.ts';
import { enqueueRequest, jobSpec } from '../../enqueue.ts';
import { DOCKET_SUMMARY_JOB } from '../../jobs/docket-summary.ts';
import { responsePoster } from '../../post.ts';
import { COMMENTS_HELP, commentListMessage, LIST_PAGE_SIZE, MAX_FILTER_CHARS } from '../../views/comment-list.ts';
import { COMMANDS } from '../../views/ids.ts';
import { section } from '../../views/message.ts';

export const commentsCommandSchema = z.object({
  command: z.literal(COMMANDS.comments),
  text: z.string().default(''),
  user_id: z.string(),
  team_id: z.string().optional(),
  channel_id: z.string(),
  response_url: z.string().url(),
  trigger_id: z.string().optional(),
});

/**
 * `/comments [export csv|json] <filters>`: the queue for staff, 10 at a time with paging and
 * export buttons, shown only to the person asking. Everyone else gets the polite refusal (logged).
 * `/comments summary [topic] [since] [shareable]`: the docket summary, also staff only.
 */
export const commentsCommand: SlackListener = {
  handles: [{ kind: 'command', name: COMMANDS.comments }],
  register(app, deps) {
    app.command(COMMANDS.comments, async ({ command, ack, respond, client }) => {
      const parsed = commentsCommandSchema.safeParse(command);
      if (!parsed.success) {
        await ack({ response_type: 'ephemeral', text: 'Usage: `/comments status:new topic:mtcr <words>`; `/comments help` for more.' });
        return;
      }
      const c = parsed.data;
      if (c.text.length > MAX_FILTER_CHARS) {
        await ack({ response_type: 'ephemeral', text: `That filter is ${c.text.length} characters long; keep it under ${MAX_FILTER_CHARS}.` });
        return;
      }
      await ack();
      const post = responsePoster(respond);
      const ctx = commentSlack(deps).use(client);
      try {
        const actor = await ctx.actor(client, { userId: c.user_id, teamId: c.team_id ?? null });
        if (isDocketSummaryText(c.text)) {
          // `/comments summary [topic] [since] [shareable]` (src/slack/docket-summarizing.ts), as a
          // job: a large docket takes a while. Refused here first, so a non-staff request queues nothing.
          requireStaff(ctx.services, actor, 'comments.summary');
          parseDocketSummaryText(c.text, deps.services.config.comments.topics);
          await enqueueRequest(
            deps,
            { kind: 'command', command: c.command, userId: c.user_id },
            post,
            jobSpec(DOCKET_SUMMARY_JOB, { requester: c.user_id, teamId: c.team_id ?? null, text: c.text, responseUrl: c.response_url }),
            { dedupeKey: c.trigger_id ? `slack:trigger:${c.trigger_id}` : null },
          );
          return;
        }
        const cmd = parseCommentsCommand(c.text, { topics: deps.services.config.comments.topics, me: c.user_id });
        if (cmd.kind === 'help') {
          requireStaff(ctx.services, actor, 'comments.help');
          await post({ text: COMMENTS_HELP, blocks: [section(COMMENTS_HELP)] });
          return;
        }
        if (cmd.kind === 'export') {
          await post(exportSentMessage(await exportToDm(deps, client, actor, c.user_id, cmd.format, cmd.filter, cmd.summary)));
          return;
        }
        const { comments, total } = await listComments(ctx.services, actor, { ...cmd.filter, limit: LIST_PAGE_SIZE, offset: 0 });
        await post(commentListMessage({ comments, total, offset: 0, filterText: cmd.filterText, filterSummary: cmd.summary, topics: deps.services.config.comments.topics }));
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'command', command: c.command, channel: c.channel_id, userId: c.user_id }, post);
      }
    });
  },
};
