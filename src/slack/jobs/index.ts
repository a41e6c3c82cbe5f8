import type { JobHandler } from '../../jobs/types.ts';
import { answerJob, type SlackJobEnv } from './answer.ts';
import { commentCardJob } from './comment-card.ts';
import { commentIntakeJob } from './comment-intake.ts';
import { docketSummaryJob } from './docket-summary.ts';
import { libraryAddJob, libraryDiffJob } from './library.ts';
import { summarizeJob } from './summarize.ts';

export type { SlackJobEnv } from './answer.ts';

/** Every job kind the Slack app's workers run, bound to this instance's services and Web API clients. */
export function slackJobHandlers(env: SlackJobEnv): JobHandler<unknown>[] {
  return [answerJob(env), summarizeJob(env), commentIntakeJob(env), commentCardJob(env), docketSummaryJob(env), libraryAddJob(env), libraryDiffJob(env)];
}
