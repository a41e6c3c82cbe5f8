import type { z } from 'zod';
import { claimSlackEvent } from '../db/slack.ts';
import { isTransientDbError } from '../db/transient.ts';
import type { Queryable } from '../db/types.ts';
import { insertJob, wakeLocalWorkers } from '../jobs/queue.ts';
import type { JobKind } from '../jobs/types.ts';
import type { DeliveryInfo } from './dedupe.ts';
import type { SlackDeps } from './deps.ts';
import { reportFailure } from './failures.ts';
import { noticeMessage, type SlackMessage } from './views/message.ts';
import { takeToken } from '../db/rate-limits.ts';
import { questionBucket, questionLimitMessage } from '../app/rate-limits.ts';

export interface JobSpec<P = unknown> {
  def: { kind: JobKind; payload: z.ZodType<P>; maxAttempts?: number };
  payload: P;
}

export function jobSpec<P>(def: { kind: JobKind; payload: z.ZodType<P>; maxAttempts?: number }, payload: P): JobSpec<unknown> {
  return { def, payload } as JobSpec<unknown>;
}

/**
 * RATE_LIMIT_QUESTIONS_PER_MINUTE for one person, as a gate for enqueueDelivery/enqueueRequest:
 * the token is taken in the transaction that records the request, so a Slack retry (already
 * claimed) costs nothing and a refused request leaves no job.
 */
export function questionGate(deps: SlackDeps, who: { teamId: string | null; userId: string }): (tx: Queryable) => Promise<SlackMessage | null> {
  const spec = questionBucket(deps.services.config.rateLimits, who);
  return async (tx) => {
    const taken = await takeToken(tx, spec);
    return taken.allowed ? null : noticeMessage(questionLimitMessage(spec, taken));
  };
}

/** The app's own user and bot ids from Bolt's context, for payloads (absent ones left out). */
export function botIds(context: { botUserId?: string; botId?: string }): { botUserId?: string; botId?: string } {
  return { ...(context.botUserId ? { botUserId: context.botUserId } : {}), ...(context.botId ? { botId: context.botId } : {}) };
}

/**
 * How long a listener keeps trying to record a delivery while the database is briefly away (a
 * Postgres restart takes a second or two). The event is already acknowledged, so this is the
 * only copy of it; after this the person is told to try again.
 */
export const ENQUEUE_RETRY_MS = 20_000;

export interface EnqueueOutcome {
  outcome: 'queued' | 'duplicate' | 'done' | 'failed' | 'refused';
  jobId?: number | null;
}

/**
 * Records a Slack delivery and the work it asks for in one transaction: the event id is claimed
 * (slack_events) and the job inserted (dedupe key `slack:<id>`), so a Slack retry, a second
 * instance or a restarted process finds the claim and adds nothing, and the job exists exactly
 * when the claim does. Workers on any instance then run it.
 *
 * `job` null means there is nothing slow to do; `inline` (cheap: a usage hint) runs after the
 * claim instead. `gate` runs inside the transaction before anything is inserted (rate limits): a
 * message returned by it is sent to the person and nothing is queued.
 */
export async function enqueueDelivery(
  deps: SlackDeps,
  delivery: DeliveryInfo,
  reply: (message: SlackMessage) => Promise<unknown>,
  job: JobSpec | null,
  options: {
    inline?: () => Promise<void>;
    gate?: (tx: Queryable) => Promise<SlackMessage | null>;
    /** Where a refusal by `gate` goes (e.g. ephemeral to the asker); default `reply`. */
    refuse?: (message: SlackMessage) => Promise<unknown>;
    retryMs?: number;
  } = {},
): Promise<EnqueueOutcome> {
  const { id, kind, ...fields } = delivery;
  const log = { slackEventId: id, kind, ...fields };
  const deadline = performance.now() + (options.retryMs ?? ENQUEUE_RETRY_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await deps.services.db.transaction(async (tx) => {
        if (!(await claimSlackEvent(tx, id, kind))) return { outcome: 'duplicate' as const };
        if (!job) return { outcome: 'done' as const };
        const refused = options.gate ? await options.gate(tx) : null;
        if (refused) return { outcome: 'refused' as const, message: refused };
        const { id: jobId } = await insertJob(tx, job.def, job.payload, { dedupeKey: `slack:${id}` });
        return { outcome: 'queued' as const, jobId };
      });
      if (result.outcome === 'duplicate') {
        deps.logger.info(log, 'slack: duplicate delivery skipped');
        return { outcome: 'duplicate' };
      }
      if (result.outcome === 'refused') {
        deps.logger.info(log, 'slack: request refused (rate limit)');
        await (options.refuse ?? reply)(result.message).catch((err: unknown) => deps.logger.warn({ err, ...log }, 'slack: could not send the rate-limit notice'));
        return { outcome: 'refused' };
      }
      if (result.outcome === 'queued') {
        wakeLocalWorkers();
        deps.logger.debug({ ...log, jobId: result.jobId }, 'slack: delivery queued');
        return { outcome: 'queued', jobId: result.jobId };
      }
      if (options.inline) {
        try {
          await options.inline();
        } catch (err) {
          await reportFailure(deps, err, log, reply);
          return { outcome: 'failed' };
        }
      }
      return { outcome: 'done' };
    } catch (err) {
      if (isTransientDbError(err) && performance.now() < deadline) {
        if (attempt === 1) deps.logger.warn({ err, ...log }, 'slack: database unavailable while recording a delivery; retrying');
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
        continue;
      }
      await reportFailure(deps, err, log, reply);
      return { outcome: 'failed' };
    }
  }
}

/**
 * The same for work that arrives without an event id (slash commands, shortcuts: Slack does not
 * retry those). `dedupeKey` (the trigger_id) still keeps a double delivery from running twice.
 */
export async function enqueueRequest(
  deps: SlackDeps,
  log: Record<string, unknown>,
  reply: (message: SlackMessage) => Promise<unknown>,
  job: JobSpec,
  options: { dedupeKey?: string | null; gate?: (tx: Queryable) => Promise<SlackMessage | null>; retryMs?: number } = {},
): Promise<EnqueueOutcome> {
  const deadline = performance.now() + (options.retryMs ?? ENQUEUE_RETRY_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await deps.services.db.transaction(async (tx) => {
        const refused = options.gate ? await options.gate(tx) : null;
        if (refused) return { refused };
        return { refused: null, ...(await insertJob(tx, job.def, job.payload, { dedupeKey: options.dedupeKey ?? null })) };
      });
      if (result.refused) {
        deps.logger.info(log, 'slack: request refused (rate limit)');
        await reply(result.refused).catch((err: unknown) => deps.logger.warn({ err, ...log }, 'slack: could not send the rate-limit notice'));
        return { outcome: 'refused' };
      }
      if (!result.created) {
        deps.logger.info(log, 'slack: duplicate request skipped');
        return { outcome: 'duplicate' };
      }
      wakeLocalWorkers();
      return { outcome: 'queued', jobId: result.id };
    } catch (err) {
      if (isTransientDbError(err) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
        continue;
      }
      await reportFailure(deps, err, log, reply);
      return { outcome: 'failed' };
    }
  }
}
