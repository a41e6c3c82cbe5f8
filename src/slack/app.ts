import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { pruneRateLimits } from '../db/rate-limits.ts';
import { pruneSlackAnswers, pruneSlackEvents } from '../db/slack.ts';
import { AppError } from '../errors.ts';
import { pruneJobs } from '../jobs/queue.ts';
import type { JobHandler } from '../jobs/types.ts';
import { JobWorker, type WorkerOptions } from '../jobs/worker.ts';
import type { Services } from '../app/services.ts';
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

/**
 * The largest request body accepted on /slack/events. Bolt reads a whole body before checking
 * its signature, with no limit of its own, so anyone could make it buffer gigabytes; Slack's own
 * payloads (a modal's state included) stay far below this.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether a body has a shape Bolt can work with. Bolt reads `body.ssl_check`, `body.type` and
 * `body.event.*` without checking, so a (signed) `null`, `[]` or an event_callback without an
 * event object makes it throw: outside any handler (an unhandled rejection, the request left
 * hanging) or as a 500 that Slack would retry. Unparseable bodies are left to Bolt (400).
 */
export function malformedBody(raw: Buffer, contentType: string | undefined): boolean {
  let body: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      // Slack's forms are a slash command, an interaction (`payload`), or an SSL check.
      const form = new URLSearchParams(raw.toString('utf8'));
      const payload = form.get('payload');
      if (payload === null) return !form.has('command') && !form.has('ssl_check');
      body = JSON.parse(payload);
    } else {
      body = JSON.parse(raw.toString('utf8'));
    }
  } catch {
    return false;
  }
  // Every Slack payload names its type; without one Bolt cannot route it and would leave the
  // request unanswered for 3 s.
  if (!isPlainObject(body) || typeof body.type !== 'string') return true;
  return body.type === 'event_callback' && !isPlainObject(body.event);
}

/**
 * Events are acknowledged once their listeners have recorded them (the event id claimed and the
 * job committed, a few milliseconds), not before: Bolt acks an event before running its
 * listeners, and an instance killed in between would have acked an event it never recorded,
 * which Slack then never resends. Held at most this long, well inside Slack's 3 s.
 */
export const EVENT_ACK_HOLD_MS = 2000;

const RELEASE = Symbol('policy-desk.release-ack');
const RELEASE_KEY = 'policyDeskReleaseAck';
type HeldRequest = IncomingMessage & { rawBody?: Buffer; [RELEASE]?: () => void };

/**
 * Defers what Bolt writes to `res` (its ack) until release(); only the first complete response
 * is kept, so a late error handler cannot write a second one.
 */
function holdResponse(res: ServerResponse): () => void {
  const writeHead = res.writeHead.bind(res);
  const end = res.end.bind(res);
  const queued: Array<() => void> = [];
  let held = true;
  let ended = false;
  res.writeHead = ((...args: Parameters<typeof writeHead>) => {
    if (!held) return writeHead(...args);
    if (!ended) queued.push(() => writeHead(...args));
    return res;
  }) as typeof res.writeHead;
  res.end = ((...args: unknown[]) => {
    if (!held) return (end as (...a: unknown[]) => ServerResponse)(...args);
    if (!ended) {
      ended = true;
      queued.push(() => (end as (...a: unknown[]) => ServerResponse)(...args));
    }
    return res;
  }) as typeof res.end;
  return () => {
    if (!held) return;
    held = false;
    res.writeHead = writeHead;
    res.end = end;
    for (const f of queued) f();
  };
}

function isEventCallback(raw: Buffer, contentType: string | undefined): boolean {
  if (contentType === 'application/x-www-form-urlencoded') return false;
  try {
    return (JSON.parse(raw.toString('utf8')) as { type?: unknown }).type === 'event_callback';
  } catch {
    return false;
  }
}

/**
 * In front of Bolt's request listener: reads POST bodies up to `maxBytes` (413 past it, also for
 * chunked bodies, without buffering the rest), refuses bodies of a shape Bolt cannot handle
 * (400), holds event acks until the event is recorded (see EVENT_ACK_HOLD_MS), and hands Bolt the
 * buffered body (it uses `req.rawBody` when present).
 */
export function guardRequests(listener: (req: IncomingMessage, res: ServerResponse) => void, maxBytes = MAX_REQUEST_BYTES) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') return listener(req, res);
    let finished = false;
    const refuse = (status: number, error: string) => {
      if (finished) return;
      finished = true;
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ ok: false, error }));
      res.on('finish', () => req.socket.destroy());
    };
    const declared = req.headers['content-length'];
    if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) return refuse(413, 'request_too_large');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > maxBytes) return refuse(413, 'request_too_large');
      chunks.push(chunk);
    });
    req.on('error', () => refuse(400, 'request_aborted'));
    req.on('end', () => {
      if (finished) return;
      const raw = Buffer.concat(chunks);
      if (malformedBody(raw, req.headers['content-type'])) return refuse(400, 'malformed_request');
      finished = true;
      const held = req as HeldRequest;
      held.rawBody = raw;
      if (isEventCallback(raw, req.headers['content-type'])) {
        const release = holdResponse(res);
        const timer = setTimeout(release, EVENT_ACK_HOLD_MS);
        held[RELEASE] = () => {
          clearTimeout(timer);
          release();
        };
      }
      listener(req, res);
    });
  };
}

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
  /**
   * HTTP mode: how long a request no listener acknowledges (an unknown command, a junk payload)
   * is held before Bolt answers it 404. Bolt's default, 3,001 ms, is Slack's own ack window;
   * the hostile-input tests, which send hundreds of such requests, shorten it.
   */
  unhandledRequestTimeoutMs?: number;
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
          ...(options.unhandledRequestTimeoutMs !== undefined ? { unhandledRequestTimeoutMillis: options.unhandledRequestTimeoutMs } : {}),
          // Carries the held ack's release to processEvent (below); listeners never see it used.
          customPropertiesExtractor: (req) => {
            const release = (req as HeldRequest)[RELEASE];
            return release ? { [RELEASE_KEY]: release } : {};
          },
          // An error before the ack can only come from a payload Bolt could not route (our listeners
          // ack first and catch their own failures): a 400, not a 500 that Slack would retry.
          processEventErrorHandler: async ({ error, response }) => {
            if (response.headersSent) return false;
            logger.warn({ err: error }, 'slack: request could not be processed; answered 400');
            response.writeHead(400, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ ok: false, error: 'malformed_request' }));
            return false;
          },
        });
  if (receiver instanceof HTTPReceiver) receiver.requestListener = guardRequests(receiver.requestListener);
  const app = new App({
    token: slack.botToken,
    receiver,
    logger: boltLog,
    clientOptions,
    convoStore: false,
    // init() below runs auth.test, so a wrong token or API URL fails here with a clear message.
    deferInitialization: true,
  });
  // Events: send the held ack once every listener has run (the event is recorded by then).
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    try {
      await processEvent(event);
    } finally {
      const release = event.customProperties?.[RELEASE_KEY];
      if (typeof release === 'function') (release as () => void)();
    }
  };
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
    Promise.all([pruneSlackEvents(services.db), pruneSlackAnswers(services.db), pruneJobs(services.db), pruneRateLimits(services.db)]).catch((err: unknown) =>
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
