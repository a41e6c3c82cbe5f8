import type { RateLimitsConfig } from '../config.ts';
import { commentLimitMessage } from '../comments/limits.ts';
import type { BucketSpec, TakeResult } from '../db/rate-limits.ts';
import { waitText } from '../text/duration.ts';

/**
 * The per-person limits (RATE_LIMIT_QUESTIONS_PER_MINUTE, RATE_LIMIT_COMMENTS_PER_HOUR) as token
 * buckets, and what the person is told when they hit one. A question is anything that makes the
 * app search or summarize (mentions, DMs, the assistant pane, /ask, /summarize, the shortcuts);
 * a comment is a submission through Slack (the form, the message shortcut). Staff imports of
 * mail and CSV are not limited.
 */

export function questionBucket(limits: RateLimitsConfig, who: { teamId: string | null; userId: string }): BucketSpec {
  return { key: `question:${who.teamId ?? '-'}:${who.userId}`, capacity: limits.questionsPerMinute, windowMs: 60_000 };
}

export function commentBucket(limits: RateLimitsConfig, who: { teamId: string | null; userId: string }): BucketSpec {
  return { key: `comment:${who.teamId ?? '-'}:${who.userId}`, capacity: limits.commentsPerHour, windowMs: 3_600_000 };
}

export function questionLimitMessage(spec: BucketSpec, refused: Extract<TakeResult, { allowed: false }>): string {
  return `You've asked ${spec.capacity} question${spec.capacity === 1 ? '' : 's'} in the last minute; try again in ${waitText(refused.retryAfterMs)}.`;
}

/** The comment refusal is told by the comments domain that refuses (src/comments/limits.ts). */
export { commentLimitMessage };
