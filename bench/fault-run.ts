/**
 * Two instances, one Postgres, faults on purpose: what each fault costs in latency, errors,
 * duplicated and lost answers.
 *
 *   npx tsx bench/fault-run.ts [--rate 5] [--seconds 30] [--lease 10] [--scenarios baseline,kill,pg-restart,slack-429,model-down]
 *
 * Each scenario starts two `policy-desk start` processes in HTTP mode (different ports) on one
 * Postgres database of its own (policy_desk_fault, created and dropped here; the corpus ingested
 * once), with the local Slack Web API stand-in (and, for model-down, the local OpenAI stand-in)
 * in this process. It sends signed app_mention events at a steady rate, round-robin to the two,
 * over loopback, for a bounded time, and behaves like Slack when a delivery fails: no response
 * within 3 s, a connection error or a 5xx is retried with the same event id (X-Slack-Retry-Num),
 * to the other instance, after a second, up to 3 times.
 *
 * Faults, 40% into the sending:
 *   kill        SIGKILL one instance while its workers run jobs of a burst it acknowledged (the other must
 *               finish them after the lease)
 *   pg-restart  `pg_ctlcluster --skip-systemctl-redirect 15 main restart` (this machine's server)
 *   slack-429   the Slack stand-in answers chat.postMessage with 429, Retry-After: 2, for 10 s
 *   model-down  LLM mode; the model endpoint answers 503 for 10 s (answers fall back to extractive, with a note)
 *
 * A quarter of the requests are comment form submissions (view_submission): a person told their
 * comment is saved (the form turned into the receipt) must find it stored, with one DM receipt and
 * one review card; a form that showed an error or timed out is submitted again (same view id).
 *
 * Reported per scenario: ack p50/p99 (first delivery: request -> HTTP response), answer p50/p99
 * (first delivery -> the answer's chat.postMessage at the stand-in), failed deliveries (Slack would
 * retry them), duplicates (an event answered more than once), lost (an event acknowledged but never
 * answered), fallback answers and jobs that ran more than once. Prints figures; asserts nothing.
 * Only 127.0.0.1 is contacted.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { BUNDLED_CORPUS_DIR, PROJECT_ROOT } from '../ingest/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { readEvalSet } from '../src/app/evaluate.ts';
import { createServices, ingest } from '../src/app/services.ts';
import { startOpenAIStandIn, naiveModel, type OpenAIStandIn } from '../test/helpers/openai-stand-in.ts';
import { commentFormSubmission, formValues } from '../test/helpers/slack-comments.ts';
import { eventEnvelope, interactionForm, mentionEvent, slackSignature, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../test/helpers/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../test/helpers/slack-stand-in.ts';
import { machine, summarize } from './lib.ts';

const run = promisify(execFile);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const RATE = Math.min(50, Math.max(0.5, Number(arg('rate', '5'))));
const SECONDS = Math.min(120, Math.max(5, Number(arg('seconds', '30'))));
const LEASE_SECONDS = Math.min(60, Math.max(5, Number(arg('lease', '10'))));
const SCENARIOS = arg('scenarios', 'baseline,kill,pg-restart,slack-429,model-down').split(',') as Scenario[];
const ADMIN_URL = process.env.PD_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'policy_desk_fault';
const DB_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);
const FAULT_AT = 0.4;
/** Every COMMENT_EVERY-th request is a comment form submission instead of a question. */
const COMMENT_EVERY = 4;
const REVIEW_CHANNEL = 'GFAULTREVIEW';
const SLACK_TIMEOUT_MS = 3000;

type Scenario = 'baseline' | 'kill' | 'pg-restart' | 'slack-429' | 'model-down';

interface Instance {
  name: string;
  child: ChildProcess;
  port: number;
  alive: boolean;
  /** performance.now() when it died: a load balancer stops sending to it a few seconds later. */
  diedAt?: number;
  logs: Array<Record<string, unknown>>;
}

interface Delivery {
  at: number;
  instance: string;
  retryNum: number;
  status: number | 'timeout' | 'error';
  ms: number;
  /** Form submissions: the answer was the receipt (not an error shown on the form). */
  receipt?: boolean;
}

interface Sample {
  kind: 'question' | 'comment';
  /** Questions: the event id; comments: the form's view id. */
  eventId: string;
  /** Questions: the mention's ts (the answer's thread); comments: unused. */
  ts: string;
  body: string;
  /** Comments: the submitter (the DM receipt goes to D<user>). */
  user?: string;
  firstSentAt: number;
  deliveries: Delivery[];
  /** Questions: Slack got a 2xx; comments: the form turned into the receipt (the person was told it is saved). */
  acked: boolean;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function startInstance(name: string, slack: SlackStandIn, extraEnv: Record<string, string>): Promise<Instance> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SLACK_') || k.startsWith('OPENAI_') || k.startsWith('RATE_LIMIT_') || k === 'DATABASE_URL' || k === 'PORT') delete env[k];
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'policy-desk.js'), 'start'], {
    cwd: PROJECT_ROOT,
    env: {
      ...env,
      DATABASE_URL: DB_URL,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'info',
      JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      // The load comes from a handful of simulated people asking far more than anyone would.
      RATE_LIMIT_QUESTIONS_PER_MINUTE: '0',
      RATE_LIMIT_COMMENTS_PER_HOUR: '0',
      REVIEW_CHANNEL_ID: REVIEW_CHANNEL,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance: Instance = { name, child, port: 0, alive: true, logs: [] };
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    const lines = err.split('\n');
    err = lines.pop() ?? '';
    for (const l of lines) {
      try {
        instance.logs.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.on('exit', () => (instance.alive = false));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 120 s:\n${out}`)), 120_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = out.match(/Ready on port (\d+)/);
      if (m && instance.port === 0) {
        clearTimeout(timer);
        instance.port = Number(m[1]);
        resolve(instance);
      }
    });
    child.on('exit', (code) => {
      if (instance.port === 0) reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
}

async function stopInstance(i: Instance): Promise<void> {
  if (!i.alive) return;
  const exited = new Promise((r) => i.child.once('exit', r));
  i.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (i.alive) i.child.kill('SIGKILL');
}

/** One delivery, as Slack makes it: signed, with retry headers on retries, 3 s to answer. */
async function deliver(i: Instance, body: string, retryNum: number, form = false): Promise<Delivery> {
  const ts = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(TEST_SIGNING_SECRET, ts, body),
  };
  if (retryNum > 0) {
    headers['x-slack-retry-num'] = String(retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const at = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${i.port}/slack/events`, { method: 'POST', headers, body, signal: AbortSignal.timeout(SLACK_TIMEOUT_MS) });
    const text = await res.text();
    // A form submission is only "saved" for the person when the form turned into the receipt.
    const receipt = form ? /"response_action":"update"/.test(text) : undefined;
    return { at, instance: i.name, retryNum, status: res.status, ms: performance.now() - at, ...(receipt === undefined ? {} : { receipt }) };
  } catch (err) {
    const timeout = (err as Error).name === 'TimeoutError';
    return { at, instance: i.name, retryNum, status: timeout ? 'timeout' : 'error', ms: performance.now() - at };
  }
}

const ok = (d: Delivery) => typeof d.status === 'number' && d.status >= 200 && d.status < 300 && d.receipt !== false;

/** A load balancer notices a dead instance by its health check: 2 failed checks 2 s apart. */
const LB_DETECTION_MS = 4000;

/**
 * Slack retries an event it got no 2xx for; a person whose form showed an error (or timed out)
 * presses Submit again, which sends the same view id. Both modelled the same way: after a second,
 * up to 3 times, to whichever instance the load balancer picks.
 */
async function sendWithRetries(sample: Sample, instances: Instance[], first: number): Promise<void> {
  for (let retry = 0; retry <= 3; retry++) {
    const inRotation = instances.filter((i) => i.alive || performance.now() - (i.diedAt ?? 0) < LB_DETECTION_MS);
    const target = inRotation[(first + retry) % inRotation.length] ?? instances[0]!;
    const d = await deliver(target, sample.body, sample.kind === 'comment' ? 0 : retry, sample.kind === 'comment');
    sample.deliveries.push(d);
    if (ok(d)) {
      sample.acked = true;
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Jobs a worker on this instance holds right now (its worker ids start with the host name and pid). */
let instancePids = new Map<string, number>();
async function inflightOn(name: string): Promise<number> {
  const pid = instancePids.get(name);
  const c = new pg.Client({ connectionString: DB_URL });
  await c.connect();
  try {
    const r = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE state = 'running' AND locked_by LIKE $1`, [`%:${pid}:%`]);
    return r.rows[0]?.n ?? 0;
  } finally {
    await c.end();
  }
}

async function restartPostgres(): Promise<number> {
  const started = performance.now();
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart']);
  return performance.now() - started;
}

interface Result {
  scenario: Scenario;
  events: number;
  comments: { submitted: number; resubmitted: number; confirmed: number; stored: number; lost: number; receiptsMissing: number; receiptsDoubled: number; cardsMissing: number; cardsDoubled: number };
  formAck: ReturnType<typeof summarize>;
  ack: ReturnType<typeof summarize>;
  answer: ReturnType<typeof summarize>;
  failedDeliveries: number;
  retriedEvents: number;
  duplicates: number;
  lost: number;
  errorReplies: number;
  fallback: number;
  rerunJobs: number;
  reconciled: number;
  deadJobs: number;
  faultNote: string;
}

async function runScenario(scenario: Scenario, slack: SlackStandIn, openai: OpenAIStandIn, questions: string[]): Promise<Result> {
  await admin(async (c) => {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [DB_NAME]);
  });
  const db = new pg.Client({ connectionString: DB_URL });
  await db.connect();
  await db.query('TRUNCATE jobs, slack_events, slack_answers, comments, campaigns, slack_comment_cards CASCADE');
  await db.end();
  slack.clear();
  const channel = `CF${scenario.replace(/[^a-z0-9]/gi, '').toUpperCase().slice(0, 8)}`;
  const llm: Record<string, string> = scenario === 'model-down' ? { OPENAI_BASE_URL: openai.baseUrl, OPENAI_API_KEY: 'bench', OPENAI_MAX_RETRIES: '2', OPENAI_TIMEOUT_MS: '5000' } : {};
  openai.defaultChat = naiveModel;
  const instances = await Promise.all([startInstance('A', slack, llm), startInstance('B', slack, llm)]);
  instancePids = new Map(instances.map((i) => [i.name, i.child.pid ?? 0]));

  // Warm-up (not counted): first-query planning and connections on both instances.
  for (const [n, i] of instances.entries()) {
    const ts = slack.nextTs();
    await deliver(i, eventEnvelope(mentionEvent({ text: questions[n]!, ts, channel: 'CWARM' })).body, 0);
    await slack.waitFor('warm-up answer', () => slack.callsOf('chat.postMessage').some((c) => c.body.thread_ts === ts), 60_000);
  }
  slack.clear();

  const samples: Sample[] = [];
  const pending: Array<Promise<void>> = [];
  const newSample = (kind: Sample['kind'], n: number): Sample => {
    if (kind === 'question') {
      const ts = slack.nextTs();
      const env = eventEnvelope(mentionEvent({ text: questions[n % questions.length]!, ts, channel, user: `UBENCH${n % 7}` }));
      return { kind, eventId: env.eventId, ts, body: env.body, firstSentAt: performance.now(), deliveries: [], acked: false };
    }
    const viewId = `V${channel}${String(n).padStart(6, '0')}`;
    const user = `UCMT${n % 5}`;
    const values = formValues({
      name: `Commenter ${n % 5}`,
      email: `commenter${n % 5}@ngo.example.org`,
      organizationType: 'ngo',
      topic: 'mtcr-and-uas',
      text: `Fault-run comment ${n} (${scenario}): the Department should publish ${n % 9} more categories of data on approved transfers, reviewed by ${['Congress', 'the public', 'an inspector general'][n % 3]}.`,
      consent: 'yes',
    });
    const body = interactionForm(commentFormSubmission({ viewId, user, values, metadata: { origin: 'shortcut' } }));
    return { kind, eventId: viewId, ts: '', body, user, firstSentAt: performance.now(), deliveries: [], acked: false };
  };
  const count = Math.round(RATE * SECONDS);
  const interval = 1000 / RATE;
  const started = performance.now();
  let faultNote = '';
  let fault: Promise<void> | null = null;
  for (let n = 0; n < count; n++) {
    const due = started + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (!fault && n >= count * FAULT_AT) {
      const at = ((performance.now() - started) / 1000).toFixed(1);
      if (scenario === 'kill') {
        // Mid-answer: a burst of questions to B, acknowledged (so recorded) and being answered
        // by B's workers, then B is killed 5 ms after the last ack.
        const victim = instances[1]!;
        // Eight questions and four comment forms: saved (the receipt shown), their jobs committed;
        // B is killed the moment one of its workers is running one of them (mid-answer).
        const burst: Sample[] = Array.from({ length: 12 }, (_, k) => newSample(k % 3 === 2 ? 'comment' : 'question', n * 100 + k));
        samples.push(...burst);
        const watcher = new pg.Client({ connectionString: DB_URL });
        await watcher.connect();
        const pid = instancePids.get(victim.name);
        let caught = false;
        const watch = (async () => {
          for (const stop = performance.now() + 3000; performance.now() < stop && !caught; ) {
            const r = await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE state = 'running' AND locked_by LIKE $1`, [`%:${pid}:%`]);
            // Two of its worker slots busy: the kill lands in the middle of jobs.
            if ((r.rows[0]?.n ?? 0) >= 2) caught = true;
          }
        })();
        // Sent to B first; a delivery the kill cuts off is retried like any other (at A).
        pending.push(...burst.map((b) => sendWithRetries(b, instances, 1)));
        await watch;
        await watcher.end();
        victim.child.kill('SIGKILL');
        victim.alive = false;
        victim.diedAt = performance.now();
        const running = await inflightOn(victim.name);
        faultNote = `instance B SIGKILLed at ${at} s while answering a burst of 8 questions and 4 comment forms sent to it; ${running} of its jobs were running (${caught ? 'caught mid-job' : 'no job caught running'})`;
        fault = Promise.resolve();
      } else if (scenario === 'pg-restart') {
        fault = restartPostgres().then((ms) => void (faultNote = `Postgres restarted at ${at} s (pg_ctlcluster took ${(ms / 1000).toFixed(1)} s)`));
      } else if (scenario === 'slack-429') {
        slack.rateLimit('chat.postMessage', 10_000, 2);
        faultNote = `chat.postMessage answered 429 (Retry-After: 2) from ${at} s for 10 s`;
        fault = Promise.resolve();
      } else if (scenario === 'model-down') {
        openai.defaultChat = { status: 503, rawBody: JSON.stringify({ error: { message: 'model endpoint down', type: 'server_error' } }) };
        setTimeout(() => (openai.defaultChat = naiveModel), 10_000).unref();
        faultNote = `model endpoint answered 503 from ${at} s for 10 s`;
        fault = Promise.resolve();
      } else {
        fault = Promise.resolve();
      }
    }
    const sample = newSample(n % COMMENT_EVERY === COMMENT_EVERY - 1 ? 'comment' : 'question', n);
    samples.push(sample);
    pending.push(sendWithRetries(sample, instances, n % instances.length));
  }
  await Promise.all(pending);
  await fault;

  // Wait for every acknowledged event's answer: a killed instance's jobs come back after the lease.
  const answerPosts = () => slack.callsOf('chat.postMessage').filter((c) => c.body.channel === channel);
  const deadline = performance.now() + (LEASE_SECONDS + 90) * 1000;
  const answered = () => new Set(answerPosts().map((c) => String(c.body.thread_ts)));
  const questionSamples = samples.filter((s) => s.kind === 'question');
  const commentSamples = samples.filter((s) => s.kind === 'comment');
  while (performance.now() < deadline && questionSamples.some((s) => s.acked && !answered().has(s.ts))) await new Promise((r) => setTimeout(r, 100));
  // Comments: every one saved gets its DM receipt and its review card.
  const stored = async () => {
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    try {
      return (await c.query<{ key: string; tracking: string }>(`SELECT idempotency_key AS key, tracking_number AS tracking FROM comments WHERE idempotency_key LIKE $1`, [`slack-view:V${channel}%`])).rows;
    } finally {
      await c.end();
    }
  };
  const postsMentioning = (where: (ch: string) => boolean, tracking: string) =>
    slack.callsOf('chat.postMessage').filter((c) => where(String(c.body.channel)) && JSON.stringify(c.body).includes(tracking));
  const isDm = (ch: string) => ch.startsWith('DUCMT');
  const isCard = (ch: string) => ch === REVIEW_CHANNEL;
  for (;;) {
    const rows = await stored();
    const waiting = rows.some((r) => postsMentioning(isDm, r.tracking).length === 0 || postsMentioning(isCard, r.tracking).length === 0);
    if (!waiting || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // A little longer, so a late duplicate would be seen too.
  await new Promise((r) => setTimeout(r, 2000));

  const byThread = new Map<string, typeof slack.calls>();
  for (const c of answerPosts()) {
    const k = String(c.body.thread_ts);
    byThread.set(k, [...(byThread.get(k) ?? []), c]);
  }
  const firstPart = (c: (typeof slack.calls)[number]) => {
    const meta = c.body.metadata as { event_payload?: { part?: string } } | undefined;
    return meta?.event_payload?.part === undefined || meta.event_payload.part.endsWith('.0');
  };
  let duplicates = 0;
  let lost = 0;
  let errorReplies = 0;
  let fallback = 0;
  const answerMs: number[] = [];
  for (const s of questionSamples) {
    const posts = byThread.get(s.ts) ?? [];
    const replies = posts.filter(firstPart);
    if (replies.length > 1) duplicates += replies.length - 1;
    if (s.acked && posts.length === 0) lost++;
    if (posts.some((p) => /reference [0-9a-f]{8}/.test(String(p.body.text)) && !JSON.stringify(p.body.blocks).includes('information_source'))) errorReplies++;
    if (posts.some((p) => JSON.stringify(p.body.blocks).includes('language model was unavailable'))) fallback++;
    if (posts[0]) answerMs.push(posts[0].at - s.firstSentAt);
  }
  const db2 = new pg.Client({ connectionString: DB_URL });
  await db2.connect();
  const [jobs] = (await db2.query<{ rerun: number; dead: number }>(`SELECT count(*) FILTER (WHERE attempts > 1)::int AS rerun, count(*) FILTER (WHERE state = 'dead')::int AS dead FROM jobs`)).rows;
  await db2.end();
  const reconciled = instances.flatMap((i) => i.logs).filter((l) => l.msg === 'slack: reply was already posted by an earlier attempt; not posting it again').length;
  const rows = await stored();
  const byKey = new Map(rows.map((r) => [r.key, r.tracking]));
  const comments = {
    submitted: commentSamples.length,
    resubmitted: commentSamples.filter((s) => s.deliveries.length > 1).length,
    confirmed: commentSamples.filter((s) => s.acked).length,
    stored: rows.length,
    // Told "saved" (the receipt in the form), yet not in the database.
    lost: commentSamples.filter((s) => s.acked && !byKey.has(`slack-view:${s.eventId}`)).length,
    receiptsMissing: rows.filter((r) => postsMentioning(isDm, r.tracking).length === 0).length,
    receiptsDoubled: rows.reduce((n, r) => n + Math.max(0, postsMentioning(isDm, r.tracking).length - 1), 0),
    cardsMissing: rows.filter((r) => postsMentioning(isCard, r.tracking).length === 0).length,
    cardsDoubled: rows.reduce((n, r) => n + Math.max(0, postsMentioning(isCard, r.tracking).length - 1), 0),
  };
  await Promise.all(instances.map(stopInstance));

  const firstAcks = questionSamples.map((s) => s.deliveries[0]!).filter((d) => typeof d.status === 'number');
  const formAcks = commentSamples.map((s) => s.deliveries[0]!).filter((d) => typeof d.status === 'number');
  return {
    scenario,
    events: questionSamples.length,
    comments,
    formAck: summarize(formAcks.map((d) => d.ms)),
    ack: summarize(firstAcks.map((d) => d.ms)),
    answer: summarize(answerMs),
    failedDeliveries: samples.flatMap((s) => s.deliveries).filter((d) => !ok(d)).length,
    retriedEvents: samples.filter((s) => s.deliveries.length > 1).length,
    duplicates,
    lost,
    errorReplies,
    fallback,
    rerunJobs: jobs?.rerun ?? 0,
    reconciled,
    deadJobs: jobs?.dead ?? 0,
    faultNote: faultNote || 'none',
  };
}

// ---------------------------------------------------------------------------------------------

await admin(async (c) => {
  await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${DB_NAME}`);
});
{
  const services = await createServices(loadConfig({ DATABASE_URL: DB_URL }), {});
  await ingest(services, [BUNDLED_CORPUS_DIR]);
  await services.close();
}
const slack = await startSlackStandIn();
slack.setChannel(REVIEW_CHANNEL, { name: 'comment-review', isPrivate: true });
const openai = await startOpenAIStandIn({ defaultChat: naiveModel });
const questions = (await readEvalSet(path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'questions.jsonl'))).map((q) => q.question);

console.log(`machine: ${machine()}`);
console.log(`two \`policy-desk start\` instances (HTTP mode) on one Postgres 15 + pgvector database, bundled corpus, extractive answers (LLM via the local stand-in for model-down)`);
console.log(`load: ${RATE} signed app_mention events/s for ${SECONDS} s, round-robin; JOB_LEASE_SECONDS=${LEASE_SECONDS}, JOB_CONCURRENCY=4; fault at ${FAULT_AT * 100}% of the run`);

const results: Result[] = [];
try {
  for (const s of SCENARIOS) {
    process.stderr.write(`running ${s}…\n`);
    results.push(await runScenario(s, slack, openai, questions));
  }
} finally {
  await slack.stop();
  await openai.close();
  await admin(async (c) => c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)).catch(() => undefined);
}

const ms = (x: number) => (Number.isNaN(x) ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
console.log('');
console.log('| scenario | events | ack p50 | ack p99 | answer p50 | answer p99 | answer max | failed deliveries (retried by "Slack") | duplicates | lost | error replies | fallback answers | jobs run again (of which found already posted) | dead jobs |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.events} | ${ms(r.ack.p50)} | ${ms(r.ack.p99)} | ${ms(r.answer.p50)} | ${ms(r.answer.p99)} | ${ms(r.answer.max)} | ${r.failedDeliveries} (${r.retriedEvents} events) | ${r.duplicates} | ${r.lost} | ${r.errorReplies} | ${r.fallback} | ${r.rerunJobs} (${r.reconciled}) | ${r.deadJobs} |`,
  );
}
console.log('');
console.log('| scenario | comment forms (resubmitted) | form answer p50 | p99 | saved and told so | stored | lost | receipts missing / doubled | cards missing / doubled |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const c = r.comments;
  console.log(`| ${r.scenario} | ${c.submitted} (${c.resubmitted}) | ${ms(r.formAck.p50)} | ${ms(r.formAck.p99)} | ${c.confirmed} | ${c.stored} | ${c.lost} | ${c.receiptsMissing} / ${c.receiptsDoubled} | ${c.cardsMissing} / ${c.cardsDoubled} |`);
}
console.log('');
for (const r of results) console.log(`${r.scenario}: ${r.faultNote}`);
