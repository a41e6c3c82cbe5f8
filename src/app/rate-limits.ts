import type { RateLimitsConfig } from '../config.ts';
import type { BucketSpec, TakeResult } from '../db/rate-limits.ts';

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

function wait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

export function questionLimitMessage(spec: BucketSpec, refused: Extract<TakeResult, { allowed: false }>): string {
  return `You've asked ${spec.capacity} question${spec.capacity === 1 ? '' : 's'} in the last minute; try again in ${wait(refused.retryAfterMs)}.`;
}

export function commentLimitMessage(spec: BucketSpec, refused: Extract<TakeResult, { allowed: false }>): string {
  return `You've submitted ${spec.capacity} comment${spec.capacity === 1 ? '' : 's'} in the last hour; try again in ${wait(refused.retryAfterMs)}. Your text has not been saved.`;
}
