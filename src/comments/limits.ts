import type { BucketSpec, TakeResult } from '../db/rate-limits.ts';
import { waitText } from '../text/duration.ts';

/**
 * What a submitter is told when their comment bucket (RATE_LIMIT_COMMENTS_PER_HOUR, see
 * src/app/rate-limits.ts for the buckets) is empty. It lives here, beside the submission that
 * refuses, so the comments domain needs nothing from the composition root above it.
 */
export function commentLimitMessage(spec: BucketSpec, refused: Extract<TakeResult, { allowed: false }>): string {
  return `You've submitted ${spec.capacity} comment${spec.capacity === 1 ? '' : 's'} in the last hour; try again in ${waitText(refused.retryAfterMs)}. Your text has not been saved.`;
}
