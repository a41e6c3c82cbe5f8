import { z } from 'zod';
import { isStaff } from '../../../comments/access.ts';
import { guessOrganizationType } from '../../../comments/mail-import.ts';
import { submitComment } from '../../../comments/queue.ts';
import { COMMENT_LIMITS } from '../../../comments/schema.ts';
import { commentBucket } from '../../../app/rate-limits.ts';
import { commentSlack } from '../../comments/context.ts';
import { pendingFileOf, slackFileRef, slackFileSchema } from '../../comments/files.ts';
import { enqueueIntake } from '../../jobs/comment-intake.ts';
import { commentTextFromSlack, fitCommentText, teamName } from '../../comments/intake.ts';
import { reportCommentFailure } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { responsePoster } from '../../post.ts';
import { alreadyQueuedMessage } from '../../views/comment-receipt.ts';
import { SHORTCUT_IDS } from '../../views/ids.ts';
import { noticeMessage } from '../../views/message.ts';

export const addToQueueSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.literal(SHORTCUT_IDS.addToCommentQueue),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullable().optional(),
  channel: z.object({ id: z.string() }),
  message: z
    .object({
      ts: z.string(),
      text: z.string().default(''),
      user: z.string().optional(),
      user_team: z.string().optional(),
      username: z.string().optional(),
      bot_id: z.string().optional(),
      bot_profile: z.object({ name: z.string().optional() }).passthrough().optional(),
      files: z.array(slackFileSchema).default([]),
    })
    .passthrough(),
  response_url: z.string().url(),
});

/**
 * Message shortcut "Add to comment queue": any message (e.g. a partner organization's in a Slack
 * Connect channel) becomes a comment by its author, with their organization when Slack knows it,
 * the message's permalink, and its files as attachments with their text. One comment per message
 * (channel and ts are the idempotency key), however often the shortcut is used on it.
 */
export const addToCommentQueue: SlackListener = {
  handles: [{ kind: 'shortcut', name: SHORTCUT_IDS.addToCommentQueue }],
  register(app, deps) {
    app.shortcut({ callback_id: SHORTCUT_IDS.addToCommentQueue, type: 'message_action' }, async ({ shortcut, ack, respond, client }) => {
      await ack();
      const parsed = addToQueueSchema.safeParse(shortcut);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected message shortcut payload');
        return;
      }
      const s = parsed.data;
      const post = responsePoster(respond);
      const ctx = commentSlack(deps).use(client);
      const log = { kind: 'shortcut', shortcut: SHORTCUT_IDS.addToCommentQueue, channel: s.channel.id, ts: s.message.ts };
      try {
        const raw = commentTextFromSlack(s.message.text);
        if (!raw && s.message.files.length === 0) {
          await post(noticeMessage('That message has no text or files to add to the comment queue.'));
          return;
        }
        const authorId = s.message.user ?? null;
        const [author, invoker, permalink] = await Promise.all([
          authorId ? ctx.person(client, authorId) : Promise.resolve(null),
          ctx.actor(client, { userId: s.user.id, teamId: s.user.team_id ?? s.team?.id ?? null }),
          client.chat
            .getPermalink({ channel: s.channel.id, message_ts: s.message.ts })
            .then((r) => (typeof r.permalink === 'string' ? r.permalink : null))
            .catch(() => null),
        ]);
        const teamId = author?.teamId ?? s.message.user_team ?? null;
        const external = author?.external ?? false;
        const organization = external ? await teamName(client, teamId) : null;
        const { text, overflow } = fitCommentText(raw || 'See attached file(s).');
        const files = s.message.files.slice(0, COMMENT_LIMITS.attachments - (overflow ? 1 : 0)).map(slackFileRef);
        const name = author?.name ?? s.message.bot_profile?.name ?? s.message.username ?? (authorId ? authorId : 'Unknown sender');
        const ownMessage = authorId === s.user.id;
        // The receipt goes to the author (the submitter) by DM; the person who ran the shortcut is
        // told where they ran it. Both, with the files and the card, by the comment.intake job.
        const canDm = authorId !== null && author !== null && !author.isBot;
        const { comment, created } = await submitComment(
          ctx.services,
          {
            submitterName: name,
            email: author?.email ?? null,
            organization,
            organizationType: guessOrganizationType(organization, author?.email),
            text,
            attachments: overflow ? [overflow] : [],
            // Nobody asked the author; a comment is publishable only with their yes.
            consentToPublish: false,
            source: 'slack_message',
            sourceRef: permalink ?? `Slack message ${s.channel.id}/${s.message.ts}`,
            receivedAt: new Date(Number(s.message.ts.split('.')[0]) * 1000),
            slackUserId: authorId,
            slackTeamId: teamId,
            submitterExternal: external,
          },
          {
            idempotencyKey: `slack-message:${s.channel.id}:${s.message.ts}`,
            actor: invoker,
            pendingFiles: files.map(pendingFileOf),
            onCreated: enqueueIntake({ dmTo: canDm ? authorId : null, responseUrl: s.response_url, addedBy: ownMessage ? null : s.user.id, files }),
            // Whoever runs the shortcut is limited (staff filing messages for others are not).
            ...(isStaff(deps.services.config.comments, invoker)
              ? {}
              : { rateLimit: commentBucket(deps.services.config.rateLimits, { teamId: s.user.team_id ?? s.team?.id ?? null, userId: s.user.id }) }),
          },
        );
        if (!created) {
          await post(alreadyQueuedMessage(comment, ownMessage || isStaff(deps.services.config.comments, invoker)));
          return;
        }
        deps.logger.info({ ...log, commentId: comment.id, external, files: files.length }, 'slack: message added to the comment queue');
      } catch (err) {
        await reportCommentFailure(deps, err, log, post);
      }
    });
  },
};
