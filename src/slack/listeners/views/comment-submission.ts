import { z } from 'zod';
import { commentFieldErrors, submitComment } from '../../../comments/queue.ts';
import { validateCommentInput, type CommentAttachmentInput, type CommentInput } from '../../../comments/schema.ts';
import { isAppError, newReferenceId } from '../../../errors.ts';
import { commentBucket } from '../../../app/rate-limits.ts';
import { commentSlack } from '../../comments/context.ts';
import { pendingFileOf, slackFileRef } from '../../comments/files.ts';
import { within } from '../../comments/intake.ts';
import { enqueueIntake } from '../../jobs/comment-intake.ts';
import type { SlackListener } from '../../deps.ts';
import { commentFormStateSchema, formErrors, formInput, formMetadataSchema, type CommentFormMetadata, type CommentFormValues } from '../../views/comment-form.ts';
import { receivedModal } from '../../views/comment-receipt.ts';
import { VIEW_IDS } from '../../views/ids.ts';

const submissionSchema = z.object({
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  view: z.object({
    id: z.string(),
    team_id: z.string().optional(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.unknown()) }),
  }),
});

/** Slack waits 3 s for the answer to a submission; what is left after this goes to the network. */
export const SUBMIT_BUDGET_MS = 2_000;

const SLOW_MESSAGE =
  'Saving is taking longer than usual. Wait a few seconds and press Submit again: your comment will not be stored twice.';

function unavailableMessage(ref: string): string {
  return `Your comment could not be saved: the comment queue is unavailable right now. Your text is still here; please try again in a minute. If it keeps happening, tell the Policy Desk team: reference ${ref}.`;
}

function metadataOf(raw: string): CommentFormMetadata {
  try {
    const parsed = formMetadataSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: a form without metadata still submits, only without the ephemeral receipt
  }
  return { origin: 'shortcut' };
}

function commentInput(values: CommentFormValues, who: { userId: string; teamId: string | null; external: boolean }, attachments: CommentAttachmentInput[]): CommentInput {
  // Blank and missing fields go to the schema as they are: it says what is missing, per field.
  return {
    submitterName: values.submitterName ?? '',
    email: values.email,
    organization: values.organization,
    organizationType: values.organizationType ?? '',
    onBehalfOf: values.onBehalfOf,
    topic: values.topic,
    documentId: values.documentId,
    title: values.title,
    text: values.text ?? '',
    attachments,
    consentToPublish: values.consentToPublish ?? '',
    source: 'slack_modal',
    slackUserId: who.userId,
    slackTeamId: who.teamId,
    submitterExternal: who.external,
  };
}

/**
 * The comment form's submission. The view id is the idempotency key, so a double click or a
 * resubmission stores one comment. The comment is stored before Slack is answered, so problems
 * show on the form itself (`response_action: errors`: a wrong field, or the database being down,
 * with a reference id) and the typed input stays. Files in the form are recorded by name and read
 * afterwards, like the receipt (DM, and ephemeral where /comment was typed) and the review card:
 * all by the comment.intake job, inserted in the comment's own transaction, so what follows a
 * saved comment happens even if this instance dies the moment after the commit.
 */
export const commentSubmission: SlackListener = {
  handles: [{ kind: 'view', name: VIEW_IDS.commentForm }],
  register(app, deps) {
    app.view(VIEW_IDS.commentForm, async ({ ack, body, client }) => {
      const parsed = submissionSchema.safeParse(body);
      const state = parsed.success ? commentFormStateSchema.safeParse(parsed.data.view.state.values) : null;
      if (!parsed.success || !state?.success) {
        const ref = newReferenceId();
        deps.logger.warn({ ref, issues: (parsed.success ? state?.error : parsed.error)?.issues.slice(0, 3) }, 'slack: unexpected comment form submission');
        await ack({ response_action: 'errors', errors: { text: `The form could not be read; please try again (reference ${ref}).` } });
        return;
      }
      const { user, view } = parsed.data;
      const meta = metadataOf(view.private_metadata);
      const { values, files } = formInput(state.data);
      const ctx = commentSlack(deps).use(client);
      const topics = deps.services.config.comments.topics;
      // Usually cached from opening the form; a slow lookup falls back to the payload's workspace.
      const person = await within(300, ctx.person(client, user.id), null);
      const who = {
        userId: user.id,
        teamId: person?.teamId ?? user.team_id ?? null,
        external: person?.external ?? (user.team_id !== undefined && view.team_id !== undefined && user.team_id !== view.team_id),
      };
      const log = { viewId: view.id, userId: user.id, files: files.length };
      const input = commentInput(values, who, []);
      const checked = validateCommentInput(input, topics);
      if (!checked.ok) {
        await ack({ response_action: 'errors', errors: formErrors(checked.errors) });
        return;
      }

      const refs = files.map(slackFileRef);
      const submitting = submitComment(ctx.services, input, {
        idempotencyKey: `slack-view:${view.id}`,
        rateLimit: commentBucket(deps.services.config.rateLimits, who),
        pendingFiles: refs.map(pendingFileOf),
        onCreated: enqueueIntake({ dmTo: user.id, responseUrl: meta.responseUrl ?? null, addedBy: null, files: refs }),
      }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      const outcome = await Promise.race([submitting, new Promise<'slow'>((r) => setTimeout(() => r('slow'), SUBMIT_BUDGET_MS).unref())]);
      if (outcome === 'slow') {
        await ack({ response_action: 'errors', errors: { text: SLOW_MESSAGE } });
        deps.logger.warn(log, 'slack: comment submission slower than Slack waits; the form asked to resubmit');
        // Once it commits, the receipt goes by DM (the intake job); a resubmission stores nothing twice.
        const late = await submitting;
        if ('error' in late) deps.logger.error({ err: late.error, ...log }, 'slack: a slow comment submission failed');
        return;
      }
      if ('error' in outcome) {
        const fieldErrors = commentFieldErrors(outcome.error);
        if (fieldErrors) {
          await ack({ response_action: 'errors', errors: formErrors(fieldErrors) });
          return;
        }
        const ref = newReferenceId();
        deps.logger.error({ err: outcome.error, ref, ...log, code: isAppError(outcome.error) ? outcome.error.code : undefined }, 'slack: comment submission failed');
        await ack({ response_action: 'errors', errors: { text: unavailableMessage(ref) } });
        return;
      }
      const { result } = outcome;
      await ack({ response_action: 'update', view: receivedModal(result.comment, topics) });
      deps.logger.info({ ...log, commentId: result.comment.id, created: result.created }, 'slack: comment form submitted');
    });
  },
};
