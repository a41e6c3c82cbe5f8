import { z } from 'zod';
import { listOwnComments, submitterStatus } from '../../../comments/queue.ts';
import { commentSlack } from '../../comments/context.ts';
import { commentTextFromSlack, openCommentForm } from '../../comments/intake.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { responsePoster } from '../../post.ts';
import { ownCommentsMessage, statusMessage } from '../../views/comment-receipt.ts';
import { FORM_TEXT_MAX } from '../../views/comment-form.ts';
import { COMMANDS } from '../../views/ids.ts';
import { noticeMessage } from '../../views/message.ts';

export const commentCommandSchema = z.object({
  command: z.literal(COMMANDS.comment),
  text: z.string().default(''),
  user_id: z.string(),
  channel_id: z.string(),
  team_id: z.string().optional(),
  trigger_id: z.string(),
  response_url: z.string().url(),
});

export const COMMENT_USAGE =
  '`/comment` opens the comment form (`/comment <text>` starts it with your text). ' +
  '`/comment status <tracking number>` shows where your comment is; `/comment status` lists yours.';

/**
 * `/comment`: opens the form (anyone, including Slack Connect guests); `/comment status [number]`
 * shows the person their own comments only: a number that is not theirs reads as unknown.
 */
export const commentCommand: SlackListener = {
  handles: [{ kind: 'command', name: COMMANDS.comment }],
  register(app, deps) {
    app.command(COMMANDS.comment, async ({ command, ack, respond, client }) => {
      const parsed = commentCommandSchema.safeParse(command);
      if (!parsed.success) {
        await ack({ response_type: 'ephemeral', text: COMMENT_USAGE });
        return;
      }
      const c = parsed.data;
      const words = c.text.trim().split(/\s+/).filter(Boolean);
      if (words[0]?.toLowerCase() === 'help') {
        await ack({ response_type: 'ephemeral', text: COMMENT_USAGE });
        return;
      }
      await ack();
      const ctx = commentSlack(deps).use(client);
      const post = responsePoster(respond);
      try {
        if (words[0]?.toLowerCase() === 'status') {
          const person = await ctx.person(client, c.user_id);
          // A verified workspace e-mail also finds comments the person sent by e-mail; an external
          // person's address is not ours to vouch for, so for them only their Slack id counts.
          const identity = { slackUserId: c.user_id, ...(person?.email && !person.external ? { email: person.email } : {}) };
          if (words[1]) await post(statusMessage(await submitterStatus(ctx.services, words[1], identity), deps.services.config.comments.topics));
          else await post(ownCommentsMessage(await listOwnComments(ctx.services, identity)));
          return;
        }
        const text = commentTextFromSlack(c.text);
        await openCommentForm(deps, client, {
          triggerId: c.trigger_id,
          userId: c.user_id,
          metadata: { origin: 'command', channel: c.channel_id, responseUrl: c.response_url },
          ...(text ? { initial: { text } } : {}),
        });
        if (text.length > FORM_TEXT_MAX) {
          // The form's text box holds 3,000 characters: say so rather than cut the text silently (after
          // views.open, whose trigger_id expires in 3 s).
          await post(noticeMessage(`Your text is ${text.length.toLocaleString('en-US')} characters; the form's comment box holds ${FORM_TEXT_MAX.toLocaleString('en-US')}. The start of it is in the form: attach the whole text as a file there, or shorten it.`));
        }
      } catch (err) {
        await reportCommentFailure(deps, err, { kind: 'command', command: c.command, channel: c.channel_id }, post);
      }
    });
  },
};
