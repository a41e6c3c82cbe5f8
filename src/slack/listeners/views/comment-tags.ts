import { z } from 'zod';
import { addTags, getComment, normalizeTags, removeTags } from '../../../comments/queue.ts';
import type { Comment } from '../../../comments/schema.ts';
import { claimSlackEvent, releaseSlackEvent } from '../../../db/slack.ts';
import { isAppError, newReferenceId } from '../../../errors.ts';
import { commentSlack } from '../../comments/context.ts';
import { commentFailureMessage, isUserFacing } from '../../comments/reply.ts';
import type { SlackListener } from '../../deps.ts';
import { commentModalMetadataSchema, TAGS_ACTION, TAGS_BLOCK, tagsStateSchema } from '../../views/comment-details.ts';
import { VIEW_IDS } from '../../views/ids.ts';
import { modalSubmissionSchema, refreshParentDetails } from './comment-details.ts';

/**
 * The tag editor's submission: tags added and removed (each an audit entry), then the card and,
 * when it was opened from the details modal, that modal redrawn. A double click is claimed by
 * view id and hash, so it changes nothing twice. Problems show under the tags input.
 */
export const commentTagsSubmission: SlackListener = {
  handles: [{ kind: 'view', name: VIEW_IDS.commentTags }],
  register(app, deps) {
    app.view(VIEW_IDS.commentTags, async ({ ack, body, client }) => {
      const parsed = modalSubmissionSchema.safeParse(body);
      const meta = parsed.success ? commentModalMetadataSchema.safeParse(JSON.parse(parsed.data.view.private_metadata || '{}')) : null;
      const state = parsed.success ? tagsStateSchema.safeParse(parsed.data.view.state.values) : null;
      if (!parsed.success || !meta?.success || !state?.success) {
        deps.logger.warn({ callbackId: VIEW_IDS.commentTags }, 'slack: unexpected tags submission');
        await ack();
        return;
      }
      const { user, view } = parsed.data;
      const services = commentSlack(deps).use(client).services;
      const raw = state.data[TAGS_BLOCK]?.[TAGS_ACTION].value ?? '';
      const claim = `view:${view.id}:${view.hash ?? ''}`;
      let claimed = false;
      try {
        const actor = await commentSlack(deps).actor(client, { userId: user.id, teamId: user.team_id ?? null });
        let comment: Comment = await getComment(services, actor, meta.data.commentId);
        const wanted = normalizeTags(raw.split(','));
        if (!(await claimSlackEvent(deps.services.db, claim, 'view_submission'))) {
          await ack();
          return;
        }
        claimed = true;
        const drop = comment.tags.filter((t) => !wanted.includes(t));
        const add = wanted.filter((t) => !comment.tags.includes(t));
        if (drop.length) comment = await removeTags(services, actor, comment.id, drop);
        if (add.length) comment = await addTags(services, actor, comment.id, add);
        claimed = false; // stored: the claim stays, a second click must not apply it again
        await ack();
        await refreshParentDetails(deps, client, actor, comment.id, view.previous_view_id, meta.data);
      } catch (err) {
        if (claimed) await releaseSlackEvent(deps.services.db, claim).catch(() => undefined);
        const ref = newReferenceId();
        if (isUserFacing(err)) deps.logger.info({ ref, code: isAppError(err) ? err.code : undefined, commentId: meta.data.commentId }, 'slack: tags refused');
        else deps.logger.error({ err, ref, commentId: meta.data.commentId }, 'slack: tags failed');
        await ack({ response_action: 'errors', errors: { [TAGS_BLOCK]: commentFailureMessage(err, ref).text.slice(0, 300) } });
      }
    });
  },
};

export const tagsStateForTests = z.object({});
