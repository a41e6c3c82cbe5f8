import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { commentFieldErrors, submitComment, type SubmitResult } from '../../../comments/queue.ts';
import { validateCommentInput, type CommentAttachmentInput, type CommentInput } from '../../../comments/schema.ts';
import { isAppError, newReferenceId } from '../../../errors.ts';
import { commentBucket } from '../../../rate-limits.ts';
import { commentSlack } from '../../comments/context.ts';
import { afterCommit } from '../../comments/delivery.ts';
import { attachmentsFromSlackFiles, type SlackFile } from '../../comments/files.ts';
import { formDocuments, responseUrlPoster, within } from '../../comments/intake.ts';
import type { SlackDeps, SlackListener } from '../../deps.ts';
import { commentFormModal, commentFormStateSchema, formErrors, formInput, formMetadataSchema, type CommentFormMetadata, type CommentFormValues } from '../../views/comment-form.ts';
import { receivedModal, savingModal } from '../../views/comment-receipt.ts';
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

async function deliver(deps: SlackDeps, client: webApi.WebClient, result: SubmitResult, userId: string, meta: CommentFormMetadata): Promise<void> {
  if (!result.created) return;
  await afterCommit(deps, client, result.comment, { submitterId: userId, ...(meta.responseUrl ? { ephemeral: responseUrlPoster(meta.responseUrl) } : {}) });
}

/**
 * The comment form's submission. The view id is the idempotency key, so a double click or a
 * resubmission stores one comment. Without files the comment is stored before Slack is answered,
 * so problems show on the form itself (`response_action: errors`: a wrong field, or the database
 * being down, with a reference id) and the typed input stays; with files, the form turns into a
 * "saving" view while they are read, then into the receipt or back into the form. Receipts go
 * out only after submitComment has returned, i.e. after the commit.
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
      const idempotencyKey = `slack-view:${view.id}`;
      const log = { viewId: view.id, userId: user.id, files: files.length };

      const checked = validateCommentInput(commentInput(values, who, []), topics);
      if (!checked.ok) {
        await ack({ response_action: 'errors', errors: formErrors(checked.errors) });
        return;
      }

      if (files.length > 0) {
        await ack({ response_action: 'update', view: savingModal(files.length) });
        await submitWithFiles(deps, client, { values, files, who, idempotencyKey, meta, viewId: view.id, userId: user.id });
        return;
      }

      const rateLimit = commentBucket(deps.services.config.rateLimits, who);
      const submitting = submitComment(ctx.services, commentInput(values, who, []), { idempotencyKey, rateLimit }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      const outcome = await Promise.race([submitting, new Promise<'slow'>((r) => setTimeout(() => r('slow'), SUBMIT_BUDGET_MS).unref())]);
      if (outcome === 'slow') {
        await ack({ response_action: 'errors', errors: { text: SLOW_MESSAGE } });
        deps.logger.warn(log, 'slack: comment submission slower than Slack waits; the form asked to resubmit');
        const late = await submitting;
        if ('result' in late) await deliver(deps, client, late.result, user.id, meta);
        else deps.logger.error({ err: late.error, ...log }, 'slack: a slow comment submission failed');
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
      await deliver(deps, client, result, user.id, meta);
    });
  },
};

async function submitWithFiles(
  deps: SlackDeps,
  client: webApi.WebClient,
  args: {
    values: CommentFormValues;
    files: SlackFile[];
    who: { userId: string; teamId: string | null; external: boolean };
    idempotencyKey: string;
    meta: CommentFormMetadata;
    viewId: string;
    userId: string;
  },
): Promise<void> {
  const topics = deps.services.config.comments.topics;
  const log = { viewId: args.viewId, userId: args.userId, files: args.files.length };
  const attachments = await attachmentsFromSlackFiles(args.files, { client, apiUrl: deps.services.config.slack.apiUrl, logger: deps.logger });
  let result: SubmitResult;
  try {
    result = await submitComment(commentSlack(deps).services, commentInput(args.values, args.who, attachments), {
      idempotencyKey: args.idempotencyKey,
      rateLimit: commentBucket(deps.services.config.rateLimits, args.who),
    });
  } catch (err) {
    const fieldErrors = commentFieldErrors(err);
    const ref = newReferenceId();
    if (fieldErrors) deps.logger.info({ ...log, ref, fieldErrors }, 'slack: comment with attachments refused');
    else deps.logger.error({ err, ref, ...log }, 'slack: comment submission with attachments failed');
    const notice = fieldErrors
      ? `Your comment was not saved: ${Object.values(fieldErrors).join(' ')} Attach the files again and submit.`
      : `${unavailableMessage(ref)} Attach the files again when you resubmit.`;
    // The form comes back with everything typed; files cannot be put back into a file input.
    const documents = await within(1_000, formDocuments(deps), []);
    const form = commentFormModal({ topics, documents, initial: args.values, metadata: args.meta, notice });
    await client.views.update({ view_id: args.viewId, view: form }).catch((e: unknown) => deps.logger.warn({ err: e, ...log }, 'slack: could not restore the comment form'));
    return;
  }
  await client.views.update({ view_id: args.viewId, view: receivedModal(result.comment, topics) }).catch((e: unknown) =>
    deps.logger.info({ err: e, ...log }, 'slack: could not show the receipt in the form (closed?); the DM still goes'),
  );
  deps.logger.info({ ...log, commentId: result.comment.id, created: result.created }, 'slack: comment form with attachments submitted');
  await deliver(deps, client, result, args.userId, args.meta);
}
