import type { RespondFn, types, webApi } from '@slack/bolt';
import { ACCESS_DENIED_MESSAGE } from '../../comments/access.ts';
import { isAppError, newReferenceId, type ErrorCode } from '../../errors.ts';
import type { SlackDeps } from '../deps.ts';
import { modalLabel } from '../limits.ts';
import { errorMessage, noticeMessage, section, type SlackMessage } from '../views/message.ts';

/**
 * How a comment-queue failure reads in Slack. The error code decides: a refusal, a bad filter, an
 * invalid move or an unknown tracking number is told as it is (the message was written for the
 * user); anything else is a short sentence with a reference id, the details in the log under it.
 */
const TOLD_AS_IS: readonly ErrorCode[] = ['comment.not_found', 'comment.transition', 'input.invalid', 'comment.invalid'];

export function commentFailureMessage(err: unknown, ref: string): SlackMessage {
  if (isAppError(err, 'access.denied')) return noticeMessage(ACCESS_DENIED_MESSAGE);
  if (isAppError(err) && TOLD_AS_IS.includes(err.code)) return noticeMessage(err.message);
  if (isAppError(err, 'db.unavailable')) return errorMessage('The comment queue is unavailable right now.', ref);
  return errorMessage('Sorry, something went wrong with the comment queue.', ref);
}

/** True for failures the user caused or may not do: told plainly, logged at info (refusals are logged by requireStaff). */
export function isUserFacing(err: unknown): boolean {
  return isAppError(err) && (err.code === 'access.denied' || TOLD_AS_IS.includes(err.code));
}

/** Logs a failure under a new reference id and tells the user; returns the id. Never throws. */
export async function reportCommentFailure(
  deps: SlackDeps,
  err: unknown,
  fields: Record<string, unknown>,
  tell: (message: SlackMessage) => Promise<unknown>,
): Promise<string> {
  const ref = newReferenceId();
  if (isUserFacing(err)) deps.logger.info({ ref, ...fields, code: (err as { code?: string }).code, reason: (err as Error).message }, 'slack: comment request refused');
  else deps.logger.error({ err, ref, ...fields }, 'slack: comment request failed');
  try {
    await tell(commentFailureMessage(err, ref));
  } catch (tellErr) {
    deps.logger.error({ err: tellErr, ref, ...fields }, 'slack: could not tell the user about a failure');
  }
  return ref;
}

/** A one-message modal, for replies to clicks that have no conversation to answer in (the Home tab, a modal). */
export function noticeModal(message: SlackMessage, title = 'Policy Desk'): types.ModalView {
  return { type: 'modal', title: modalLabel(title), close: modalLabel('Close'), blocks: message.blocks.length ? message.blocks : [section(message.text)] };
}

/**
 * Where to answer an interaction: its response_url (ephemeral, in the conversation); else a small
 * modal (pushed over an open one, or opened from the Home tab) while the trigger_id is fresh; else a DM.
 */
export function interactionReplier(args: {
  client: webApi.WebClient;
  respond?: RespondFn;
  responseUrl?: string;
  triggerId?: string;
  inModal: boolean;
  userId: string;
}): (message: SlackMessage) => Promise<unknown> {
  return async (message) => {
    if (args.respond && args.responseUrl) {
      return args.respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
    }
    if (args.triggerId) {
      const view = noticeModal(message);
      return args.inModal ? args.client.views.push({ trigger_id: args.triggerId, view }) : args.client.views.open({ trigger_id: args.triggerId, view });
    }
    return args.client.chat.postMessage({ channel: args.userId, text: message.text, blocks: message.blocks });
  };
}
