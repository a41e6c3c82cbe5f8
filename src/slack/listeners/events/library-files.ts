import { z } from 'zod';
import { isLibraryAdmin, LIBRARY_DENIED_MESSAGE, requireLibraryAdmin } from '../../../app/library.ts';
import { isAppError } from '../../../errors.ts';
import { slackFileRef, slackFileSchema } from '../../comments/files.ts';
import type { SlackListener } from '../../deps.ts';
import { enqueueDelivery, jobSpec } from '../../enqueue.ts';
import { LIBRARY_ADD_JOB } from '../../jobs/library.ts';
import { libraryActor } from '../../library/context.ts';
import { channelPoster } from '../../post.ts';
import { noticeMessage } from '../../views/message.ts';

/** A person's message sharing files: subtype file_share, not from a bot. */
export const fileShareSchema = z.object({
  type: z.literal('message'),
  subtype: z.literal('file_share'),
  bot_id: z.never().optional(),
  user: z.string(),
  text: z.string().default(''),
  channel: z.string(),
  channel_type: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(slackFileSchema).min(1),
});

/** Facts may be written with the upload: `supersedes=<id> issued=2023-02`. Anything else in the message is a note to people. */
export function factsInMessage(text: string): string {
  return [...text.matchAll(/\b(?:title|issued|status|supersedes|implements|note)=(?:"[^"]*"|“[^”]*”|\S*)/gi)].map((m) => m[0]).join(' ');
}

/**
 * A file shared with the app in a DM, or uploaded into LIBRARY_CHANNEL_ID, by a library admin
 * becomes a document (the library.add job; the receipt is a reply in the message's thread).
 * Anyone else is told no, once per message, and the refusal is logged. Files shared elsewhere
 * are not the library's business and are left alone.
 *
 * DM file shares arrive as `message.im` events, which the direct-message listener declares for
 * the manifest; this one adds the channel events the library channel needs.
 */
export const libraryFiles: SlackListener = {
  handles: [
    { kind: 'event', name: 'message.channels' },
    { kind: 'event', name: 'message.groups' },
  ],
  register(app, deps) {
    app.message(async ({ message, body, context, client }) => {
      const parsed = fileShareSchema.safeParse(message);
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.user === context.botUserId) return;
      const libraryChannel = deps.services.config.library.channelId;
      const inDm = m.channel_type === 'im';
      if (!inDm && m.channel !== libraryChannel) return;
      const replyTs = m.thread_ts ?? m.ts;
      const post = channelPoster(client, m.channel, replyTs);
      const teamId = typeof (body as { team_id?: unknown }).team_id === 'string' ? (body as { team_id: string }).team_id : null;
      const delivery = { id: String((body as { event_id?: unknown }).event_id), kind: 'library.file', retryNum: context.retryNum, retryReason: context.retryReason, channel: m.channel };
      const file = m.files[0]!;
      const actor = await libraryActor(deps, client, { userId: m.user, teamId });
      if (!isLibraryAdmin(deps.services.config.library, actor)) {
        // Claimed first, so a Slack retry neither tells them twice nor logs the refusal twice.
        await enqueueDelivery(deps, delivery, post, null, {
          inline: async () => {
            try {
              requireLibraryAdmin(deps.services, actor, 'library.add', file.name ?? file.id);
            } catch (err) {
              if (!isAppError(err, 'access.denied')) throw err;
              await post(noticeMessage(LIBRARY_DENIED_MESSAGE));
            }
          },
        });
        return;
      }
      if (m.files.length > 1) deps.logger.info({ files: m.files.length, channel: m.channel }, 'library: only the first file of a message is added');
      await enqueueDelivery(
        deps,
        delivery,
        post,
        jobSpec(LIBRARY_ADD_JOB, {
          requester: m.user,
          teamId,
          input: { kind: 'file', file: slackFileRef(file) },
          facts: factsInMessage(m.text),
          reply: { via: 'thread', channel: m.channel, threadTs: replyTs },
        }),
      );
    });
  },
};
