import type { Queryable } from './types.ts';

/**
 * Token buckets in the database, so a limit holds across instances (an HTTP load balancer
 * spreads one person's requests over all of them). A bucket holds up to `capacity` tokens and
 * refills at capacity / window; each request takes one. One statement takes the token or
 * leaves the row alone: ON CONFLICT … DO UPDATE … WHERE locks the row, so two instances taking
 * the last token at once cannot both get it.
 */

export interface BucketSpec {
  /** e.g. "question:T123:U456" */
  key: string;
  /** Requests allowed in a burst, and per window on average. 0 turns the limit off. */
  capacity: number;
  windowMs: number;
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

const T = (n: number) => `coalesce($${n}::timestamptz, now())`;

export async function takeToken(q: Queryable, spec: BucketSpec, now?: Date | null): Promise<TakeResult> {
  if (spec.capacity <= 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY };
  const perSecond = spec.capacity / (spec.windowMs / 1000);
  const refilled = `least($2::float8, r.tokens + greatest(0, extract(epoch FROM (${T(4)} - r.updated_at))) * $3::float8)`;
  const taken = await q.query<{ tokens: number }>(
    `INSERT INTO rate_limits AS r (key, tokens, updated_at) VALUES ($1, $2::float8 - 1, ${T(4)})
     ON CONFLICT (key) DO UPDATE SET tokens = ${refilled} - 1, updated_at = ${T(4)}
       WHERE ${refilled} >= 1
     RETURNING tokens`,
    [spec.key, spec.capacity, perSecond, now ?? null],
  );
  if (taken[0]) return { allowed: true, remaining: Math.floor(Number(taken[0].tokens)) };
  const [row] = await q.query<{ current: number }>(
    `SELECT ${refilled} AS current FROM rate_limits r WHERE key = $1`,
    [spec.key, spec.capacity, perSecond, now ?? null],
  );
  const current = Number(row?.current ?? 0);
  return { allowed: false, retryAfterMs: Math.max(1000, Math.ceil(((1 - current) / perSecond) * 1000)) };
}

/** Buckets untouched for a day are full again anyway: dropping them changes nothing. */
export async function pruneRateLimits(q: Queryable): Promise<number> {
  const rows = await q.query<{ key: string }>(`DELETE FROM rate_limits WHERE updated_at < now() - interval '1 day' RETURNING key`);
  return rows.length;
}
