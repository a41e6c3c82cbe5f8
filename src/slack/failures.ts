import { isAppError, newReferenceId } from '../errors.ts';
import type { SlackDeps } from './deps.ts';
import { errorMessage, noticeMessage, type SlackMessage } from './views/message.ts';

/** The sentence a Slack user sees for a failure: decided by the error code, never the raw message. */
export function failureSummary(err: unknown): string {
  if (isAppError(err)) {
    switch (err.code) {
      case 'db.unavailable':
        return 'The policy document store is unavailable right now.';
      case 'llm.unavailable':
      case 'llm.invalid_output':
        return 'The answer service is unavailable right now.';
      default:
        break;
    }
  }
  return 'Sorry, something went wrong while answering.';
}

/**
 * Logs a failure with a new reference id and tells the user in a short message that carries the
 * same id. Telling the user is best effort: if Slack itself fails, that goes to the log too.
 */
export async function reportFailure(
  deps: SlackDeps,
  err: unknown,
  fields: Record<string, unknown>,
  post: (message: SlackMessage) => Promise<unknown>,
): Promise<string> {
  const ref = newReferenceId();
  const userInput = isAppError(err, 'input.invalid');
  if (userInput) deps.logger.info({ ref, ...fields, reason: (err as Error).message }, 'slack request rejected');
  else deps.logger.error({ err, ref, ...fields }, 'slack request failed');
  try {
    await post(userInput ? noticeMessage((err as Error).message) : errorMessage(failureSummary(err), ref));
  } catch (postErr) {
    deps.logger.error({ err: postErr, ref, ...fields }, 'slack: could not tell the user about a failure');
  }
  return ref;
}

/** A Slack platform error (the request reached Slack and was refused: cannot_dm_bot, channel_not_found, ...), else null. */
export function platformError(err: unknown): string | null {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === 'slack_webapi_platform_error' ? (e.data?.error ?? 'platform_error') : null;
}
