import { claimSlackEvent } from '../db/slack.ts';
import type { SlackDeps } from './deps.ts';
import { reportFailure } from './failures.ts';
import type { SlackMessage } from './views/message.ts';

export interface DeliveryInfo {
  /** Events API `event_id`, or `view:<id>` for a modal submission. */
  id: string;
  kind: string;
  retryNum?: number;
  retryReason?: string;
  [field: string]: unknown;
}

/**
 * Runs `work` for a delivery at most once: the id is claimed in the database first, so Slack's
 * retries, a second instance, or the same event after a restart find the claim and stop. A
 * failure (including a failing claim) is logged and shown to the user through `reply`.
 */
export async function once(
  deps: SlackDeps,
  delivery: DeliveryInfo,
  reply: (message: SlackMessage) => Promise<unknown>,
  work: () => Promise<void>,
): Promise<'done' | 'duplicate' | 'failed'> {
  const { id, kind, ...fields } = delivery;
  const log = { slackEventId: id, kind, ...fields };
  try {
    if (!(await claimSlackEvent(deps.services.db, id, kind))) {
      deps.logger.info(log, 'slack: duplicate delivery skipped');
      return 'duplicate';
    }
    await work();
    deps.logger.debug(log, 'slack: delivery handled');
    return 'done';
  } catch (err) {
    await reportFailure(deps, err, log, reply);
    return 'failed';
  }
}
