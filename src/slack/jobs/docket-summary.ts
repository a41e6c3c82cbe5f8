import type { RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { newReferenceId } from '../../errors.ts';
import { defineJob } from '../../jobs/types.ts';
import { commentSlack } from '../comments/context.ts';
import { isUserFacing, reportCommentFailure } from '../comments/reply.ts';
import { summarizeDocketInSlack } from '../docket-summarizing.ts';
import { failureSummary } from '../failures.ts';
import { responsePoster } from '../post.ts';
import { MAX_FILTER_CHARS } from '../views/comment-list.ts';
import { errorMessage } from '../views/message.ts';
import type { SlackJobEnv } from './answer.ts';
import { postToResponseUrl } from './post.ts';

const id = z.string().min(1).max(64);

/**
 * The summarize.docket job: `/comments summary [topic] [since] [shareable]`, summarized after the
 * ack by any instance and shown only to the person who asked (response_url). Who they are is
 * looked up again in the job (staff only: the comment store checks it when reading), so a
 * payload cannot carry a permission.
 */
export const docketSummaryPayload = z.object({
  requester: id,
  teamId: id.nullable(),
  /** The /comments text, e.g. "summary MTCR and UAS 2026-09-01 shareable". */
  text: z.string().max(MAX_FILTER_CHARS),
  responseUrl: z.string().url().max(2000),
});
export type DocketSummaryPayload = z.infer<typeof docketSummaryPayload>;

/** A docket summary may call the model hundreds of times: few, late retries. */
export const DOCKET_SUMMARY_JOB = { kind: 'summarize.docket' as const, payload: docketSummaryPayload, maxAttempts: 3 };

export function docketSummaryJob(env: SlackJobEnv) {
  const { deps } = env;
  return defineJob<DocketSummaryPayload>({
    ...DOCKET_SUMMARY_JOB,
    async run(p, ctx) {
      // A response_url reply cannot be read back: once it went out, a retry sends nothing.
      if (ctx.progress.posted) return;
      const respond: RespondFn = async (message) =>
        postToResponseUrl(p.responseUrl, typeof message === 'string' ? { text: message } : (message as Record<string, unknown>), ctx.signal);
      const slack = commentSlack(deps).use(env.client);
      try {
        const actor = await slack.actor(env.client, { userId: p.requester, teamId: p.teamId });
        await summarizeDocketInSlack(deps, { actor, text: p.text, respond, requester: p.requester });
      } catch (err) {
        // A refusal or a bad topic: told once, not retried.
        if (!isUserFacing(err)) throw err;
        await reportCommentFailure(deps, err, { jobId: ctx.id, kind: ctx.kind, userId: p.requester }, responsePoster(respond));
      }
      await ctx.checkpoint({ posted: true });
    },
    async onDead(p, ctx, error) {
      const ref = newReferenceId();
      deps.logger.error({ ref, jobId: ctx.id, kind: ctx.kind, error }, 'slack request failed');
      const message = errorMessage(failureSummary(undefined).replace('while answering', 'while summarizing the comments'), ref);
      await postToResponseUrl(p.responseUrl, { response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
    },
  });
}
