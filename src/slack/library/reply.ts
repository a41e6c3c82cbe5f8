import { LIBRARY_DENIED_MESSAGE } from '../../app/library.ts';
import { isAppError, newReferenceId } from '../../errors.ts';
import type { SlackDeps } from '../deps.ts';
import { errorMessage, noticeMessage, type SlackMessage } from '../views/message.ts';

/** A refusal or a bad request is told as it is (written for the person); anything else gets a reference id, details in the log. */
export async function reportLibraryFailure(deps: SlackDeps, err: unknown, fields: Record<string, unknown>, tell: (m: SlackMessage) => Promise<unknown>): Promise<void> {
  const ref = newReferenceId();
  let message: SlackMessage;
  if (isAppError(err, 'access.denied')) message = noticeMessage(LIBRARY_DENIED_MESSAGE);
  else if (isAppError(err) && (err.code === 'input.invalid' || err.code.startsWith('ingest.') || err.code.startsWith('fetch.'))) message = noticeMessage(err.message);
  else {
    deps.logger.error({ err, ref, ...fields }, 'slack: library request failed');
    message = errorMessage('Sorry, something went wrong with the library.', ref);
  }
  await tell(message).catch((tellErr: unknown) => deps.logger.error({ err: tellErr, ref, ...fields }, 'slack: could not tell the user about a library failure'));
}

/** Slack writes links in command text as <https://…> or <https://…|label>. */
export function unwrapSlackLink(text: string): string {
  const m = /^<([^|>]+)(?:\|[^>]*)?>$/.exec(text.trim());
  return m ? m[1]! : text.trim();
}
