import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { requireStaff, type Actor } from '../../../comments/access.ts';
import { addNote, getCommentDetails } from '../../../comments/queue.ts';
import { claimSlackEvent, releaseSlackEvent } from '../../../db/slack.ts';
import { isAppError, newReferenceId } from '../../../errors.ts';
import { commentSlack } from '../../comments/context.ts';
import { commentFailureMessage, isUserFacing } from '../../comments/reply.ts';
import type { SlackDeps, SlackListener } from '../../deps.ts';
import { commentDetailsModal, commentModalMetadataSchema, NOTE_ACTION, NOTE_BLOCK, noteStateSchema, type CommentModalMetadata } from '../../views/comment-details.ts';
import { VIEW_IDS } from '../../views/ids.ts';

export const modalSubmissionSchema = z.object({
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  view: z.object({
    id: z.string(),
    hash: z.string().optional(),
    previous_view_id: z.string().nullish(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.unknown()) }),
  }),
});

/** Redraws the details modal under a pushed view (the tag editor) after its change. */
export async function refreshParentDetails(
  deps: SlackDeps,
  client: webApi.WebClient,
  actor: Actor,
  commentId: number,
  parentViewId: string | null | undefined,
  meta: CommentModalMetadata,
): Promise<void> {
  if (!parentViewId) return;
  try {
    const details = await getCommentDetails(commentSlack(deps).services, actor, commentId);
    await client.views.update({ view_id: parentViewId, view: commentDetailsModal(details, deps.services.config.comments.topics, meta) });
  } catch (err) {
    deps.logger.info({ err, commentId }, 'slack: could not redraw the details modal');
  }
}

/**
 * The details modal's submit ("Add note"): the note is stored (with its audit entry) and the
 * modal redrawn with it; an empty note just closes the modal. Claimed by view id and hash, so a
 * double click stores one note. Staff only: anyone else sees the refusal under the note input.
 */
export const commentDetailsSubmission: SlackListener = {
  handles: [{ kind: 'view', name: VIEW_IDS.commentDetails }],
  register(app, deps) {
    app.view(VIEW_IDS.commentDetails, async ({ ack, body, client }) => {
      const parsed = modalSubmissionSchema.safeParse(body);
      const meta = parsed.success ? commentModalMetadataSchema.safeParse(JSON.parse(parsed.data.view.private_metadata || '{}')) : null;
      const state = parsed.success ? noteStateSchema.safeParse(parsed.data.view.state.values) : null;
      if (!parsed.success || !meta?.success || !state?.success) {
        deps.logger.warn({ callbackId: VIEW_IDS.commentDetails }, 'slack: unexpected details submission');
        await ack();
        return;
      }
      const { user, view } = parsed.data;
      const note = state.data[NOTE_BLOCK]?.[NOTE_ACTION].value?.trim() ?? '';
      if (!note) {
        await ack();
        return;
      }
      const ctx = commentSlack(deps).use(client);
      const claim = `view:${view.id}:${view.hash ?? ''}`;
      let claimed = false;
      try {
        const actor = await ctx.actor(client, { userId: user.id, teamId: user.team_id ?? null });
        requireStaff(ctx.services, actor, 'comments.note', String(meta.data.commentId));
        if (!(await claimSlackEvent(deps.services.db, claim, 'view_submission'))) {
          await ack();
          return;
        }
        claimed = true;
        const comment = await addNote(ctx.services, actor, meta.data.commentId, note);
        claimed = false; // stored: the claim stays, a second click must not add it again
        const details = await getCommentDetails(ctx.services, actor, comment.id);
        await ack({ response_action: 'update', view: commentDetailsModal(details, deps.services.config.comments.topics, meta.data) });
      } catch (err) {
        if (claimed) await releaseSlackEvent(deps.services.db, claim).catch(() => undefined);
        const ref = newReferenceId();
        if (isUserFacing(err)) deps.logger.info({ ref, code: isAppError(err) ? err.code : undefined, commentId: meta.data.commentId }, 'slack: note refused');
        else deps.logger.error({ err, ref, commentId: meta.data.commentId }, 'slack: note failed');
        await ack({ response_action: 'errors', errors: { [NOTE_BLOCK]: commentFailureMessage(err, ref).text.slice(0, 300) } });
      }
    });
  },
};
