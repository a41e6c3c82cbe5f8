import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { pruneSlackAnswers, pruneSlackEvents } from '../db/slack.ts';
import { AppError } from '../errors.ts';
import { pruneJobs } from '../jobs/queue.ts';
import type { JobHandler } from '../jobs/types.ts';
import { JobWorker, type WorkerOptions } from '../jobs/worker.ts';
import type { Services } from '../services.ts';
import { checkReviewChannel } from './comments/review-channel.ts';
import type { SlackDeps } from './deps.ts';
import { slackJobHandlers } from './jobs/index.ts';
import { registerListeners } from './listeners/index.ts';
import { boltLogger } from './logger.ts';

export const EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

/**
 * Web API retries: a 429 waits for its Retry-After and tries again (the client does this itself);
 * network errors and 5xx back off briefly. Bounded, so a reply is never hours late.
 */
export const SLACK_RETRY: webApi.RetryOptions = { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 8000, randomize: true };

export interface SlackAppOptions {
  /** Defaults to PORT; 0 picks a free port (tests, the benchmark). */
  port?: number;
  /** Defaults to all interfaces; tests and the benchmark bind 127.0.0.1. */
  host?: string;
  retryConfig?: webApi.RetryOptions;
  /**
   * The job workers this instance runs (answers and other slow work after the ack). `false` runs
   * none: the tests drive a JobWorker over `jobHandlers` themselves.
   */
  jobs?: false | Partial<Omit<WorkerOptions, 'db' | 'handlers' | 'logger'>>;
}

export interface RunningSlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** The port /slack/events (HTTP mode) and /healthz listen on. */
  port: number;
  /** The job kinds this app runs, bound to its services and Web API clients. */
  jobHandlers: JobHandler<unknown>[];
  /** This instance's worker; null with `jobs: false`. */
  worker: JobWorker | null;
  stop(): Promise<void>;
}

function healthRoute(services: Services, mode: 'http' | 'socket') {
  return {
    path: HEALTH_PATH,
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      services.db
        .query('SELECT 1')
        .then(() => ({ status: 200, body: { ok: true, mode } }))
        .catch(() => ({ status: 503, body: { ok: false, mode, error: 'database unavailable' } }))
        .then(({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify(body));
        });
    },
  };
}

/**
 * Builds the Bolt app from the configuration and starts it: Socket Mode with SLACK_APP_TOKEN,
 * otherwise the HTTP receiver with signature verification on /slack/events. Events are
 * acknowledged before any listener runs (processBeforeResponse: false); listeners ack commands
 * and actions first thing, then work.
 */
export async function startSlackApp(services: Services, options: SlackAppOptions = {}): Promise<RunningSlackApp> {
  const slack = services.config.slack;
  if (slack.mode === 'off' || !slack.botToken) {
    throw new AppError('config.invalid', 'Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN (see docs/slack.md).');
  }
  const mode = slack.mode;
  const logger = services.logger.child({ component: 'slack' });
  const deps: SlackDeps = { services, logger };
  const boltLog = boltLogger(services.logger);
  const port = options.port ?? slack.port;
  const clientOptions: webApi.WebClientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: options.retryConfig ?? SLACK_RETRY,
    timeout: 15_000,
  };
  const health = healthRoute(services, mode);
  const receiver =
    mode === 'socket'
      ? new SocketModeReceiver({
          appToken: slack.appToken!,
          logger: boltLog,
          customRoutes: [health],
          // The Socket Mode client opens its connection through the same (GovSlack) API host.
          installerOptions: { port, clientOptions },
        })
      : new HTTPReceiver({
          signingSecret: slack.signingSecret!,
          endpoints: EVENTS_PATH,
          customRoutes: [health],
          logger: boltLog,
          processBeforeResponse: false,
        });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger: boltLog,
    clientOptions,
    convoStore: false,
    // init() below runs auth.test, so a wrong token or API URL fails here with a clear message.
    deferInitialization: true,
  });
  app.error(async (err) => {
    logger.error({ err, code: (err as { code?: string }).code }, 'slack: unhandled error in a listener');
  });
  registerListeners(app, deps);
  try {
    await app.init();
  } catch (err) {
    const where = slack.apiUrl ?? 'https://slack.com/api/';
    const platformError = (err as { data?: { error?: string } }).data?.error;
    throw platformError
      ? new AppError('config.invalid', `Slack did not accept SLACK_BOT_TOKEN (auth.test at ${where}: ${platformError}).`, { cause: err })
      : new AppError('config.invalid', `Could not reach the Slack Web API at ${where} (check SLACK_API_URL and the network): ${(err as Error).message}`, {
          cause: err,
        });
  }

  // Review cards show submitters' details: warn when REVIEW_CHANNEL_ID is not a private channel.
  // Not awaited: a slow conversations.info must not hold up start-up.
  void checkReviewChannel(app.client, slack.reviewChannelId, logger).catch((err: unknown) => logger.warn({ err }, 'slack: review channel check failed'));

  // Posts from jobs go through a client that never retries on its own and rejects rate-limited
  // calls, so the job decides (src/slack/jobs/post.ts): a timed-out post that Slack did take must
  // not be sent a second time by the client.
  const postClient = new webApi.WebClient(slack.botToken, {
    ...clientOptions,
    logger: boltLog,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const jobHandlers = slackJobHandlers({ deps, client: app.client, postClient });
  const worker =
    options.jobs === false
      ? null
      : new JobWorker({
          db: services.db,
          handlers: jobHandlers,
          logger: services.logger,
          concurrency: services.config.jobs.concurrency,
          leaseMs: services.config.jobs.leaseMs,
          ...options.jobs,
        });

  const prune = () =>
    Promise.all([pruneSlackEvents(services.db), pruneSlackAnswers(services.db), pruneJobs(services.db)]).catch((err: unknown) =>
      logger.warn({ err }, 'slack: could not prune old event ids and answers'),
    );
  await prune();
  const pruneTimer = setInterval(prune, 60 * 60 * 1000);
  pruneTimer.unref();

  let boundPort = port;
  if (mode === 'http') {
    const server = await app.start(options.host ? { port, host: options.host } : port);
    boundPort = (server.address() as AddressInfo).port;
  } else {
    await app.start();
  }
  await worker?.start();
  logger.info({ mode, port: boundPort, worker: worker?.id ?? null }, 'slack: app started');
  return {
    app,
    mode,
    port: boundPort,
    jobHandlers,
    worker,
    stop: async () => {
      clearInterval(pruneTimer);
      // Stop taking requests first, then let running jobs finish (the rest are left to their lease).
      await app.stop();
      await worker?.stop();
    },
  };
}
