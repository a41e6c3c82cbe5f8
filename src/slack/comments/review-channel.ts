import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../log.ts';

const infoSchema = z.object({
  channel: z.object({ id: z.string(), name: z.string().optional(), is_private: z.boolean().optional(), is_ext_shared: z.boolean().optional() }).passthrough(),
});

export type ReviewChannelCheck = 'unset' | 'private' | 'public' | 'shared' | 'unreachable';

/**
 * Review cards carry submitters' names and e-mail addresses: REVIEW_CHANNEL_ID should be a
 * private channel of staff only. Checked at start-up with conversations.info; anything else is a
 * warning in the log (the app still starts, because comments must keep coming in).
 */
export async function checkReviewChannel(client: webApi.WebClient, channel: string | undefined, logger: Logger): Promise<ReviewChannelCheck> {
  if (!channel) {
    logger.warn('slack: REVIEW_CHANNEL_ID is not set, so new comments are not posted as review cards (they are still stored; see /comments and the App Home)');
    return 'unset';
  }
  let info: z.infer<typeof infoSchema>['channel'];
  try {
    info = infoSchema.parse(await client.conversations.info({ channel })).channel;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    logger.warn(
      { err, channel, code },
      `slack: could not look up REVIEW_CHANNEL_ID ${channel} (${code ?? 'error'}); invite the app to that private channel (/invite @Policy Desk) or fix the id`,
    );
    return 'unreachable';
  }
  if (info.is_private !== true) {
    logger.warn({ channel, name: info.name }, `slack: REVIEW_CHANNEL_ID ${channel} is not a private channel; review cards show submitters' details, so use a private channel of staff`);
    return 'public';
  }
  if (info.is_ext_shared === true) {
    logger.warn({ channel, name: info.name }, `slack: REVIEW_CHANNEL_ID ${channel} is shared with another organization; review cards show submitters' details, so use an internal channel`);
    return 'shared';
  }
  logger.info({ channel, name: info.name }, 'slack: review channel is private');
  return 'private';
}
