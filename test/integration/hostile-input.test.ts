import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { importComments, IMPORT_LIMITS, parseCommentCsv, parseEmailMessage, splitMbox } from '../../src/comments/mail-import.ts';
import { validateCommentInput } from '../../src/comments/schema.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { listJobs } from '../../src/jobs/queue.ts';
import { JobWorker } from '../../src/jobs/worker.ts';
import { createServices, ingest, type Services } from '../../src/app/services.ts';
import { MAX_REQUEST_BYTES, startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { answerJobPayload } from '../../src/slack/jobs/answer.ts';
import { summarizeJobPayload } from '../../src/slack/jobs/summarize.ts';
import { parseSummarizeText } from '../../src/slack/summarizing.ts';
import { plainSlackText } from '../../src/slack/thread-history.ts';
import { ACTION_IDS, COMMANDS, SHORTCUT_IDS, VIEW_IDS } from '../../src/slack/views/ids.ts';
import { parseMessageLink } from '../../src/summarize/replies.ts';
import { commentDeps } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.ts';
import { interactionForm, signedPost, slackTestConfig } from '../helpers/slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type SlackStandIn } from '../helpers/slack-stand-in.ts';

/*
 * Random and hostile input, property-based (fast-check, fixed seeds, bounded runs). Over HTTP the
 * payloads are correctly signed: the signature is Bolt's first line of defence and has its own
 * tests; these check what happens to whatever gets past it. The app must answer every request
 * without a 5xx, never crash, store nothing half-way, and leave only valid jobs behind.
 */

const SEED = 20261107;
const topics = loadConfig({}).comments.topics;

// ---------------------------------------------------------------------------------------------
// Generators

const nasty = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '<@U123>', '<!channel>', '<https://evil.example|click>', '```', '${jndi:ldap://x}', "'; DROP TABLE jobs; --", '%00', '\\', '"'),
  fc.string({ minLength: 2001, maxLength: 6000 }),
  fc.constant('x'.repeat(45_000)),
);
const slackId = (prefix: string) => fc.oneof(fc.stringMatching(new RegExp(`^${prefix}[A-Z0-9]{2,10}$`)), nasty);
const ts = fc.oneof(fc.stringMatching(/^1[0-9]{9}\.[0-9]{6}$/), nasty, fc.integer().map(String));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const junkValue: fc.Arbitrary<unknown> = fc.oneof(nasty, fc.integer(), fc.boolean(), fc.constant(null), fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown));

const event = fc.record(
  {
    type: fc.oneof(fc.constantFrom('app_mention', 'message', 'assistant_thread_started', 'assistant_thread_context_changed', 'app_home_opened', 'reaction_added'), nasty),
    text: maybe(fc.oneof(nasty, fc.constant('summarize this thread'), fc.constant('summarize https://x.slack.com/archives/C123ABC/p1760000000000100'))),
    user: maybe(slackId('U')),
    bot_id: maybe(slackId('B')),
    subtype: maybe(fc.oneof(fc.constantFrom('bot_message', 'message_changed', 'thread_broadcast'), nasty)),
    channel: maybe(slackId('[CDG]')),
    channel_type: maybe(fc.oneof(fc.constantFrom('im', 'channel', 'group'), nasty)),
    ts: maybe(ts),
    thread_ts: maybe(ts),
    tab: maybe(fc.oneof(fc.constant('home'), nasty)),
    assistant_thread: maybe(fc.oneof(fc.record({ channel_id: slackId('D'), thread_ts: ts, user_id: maybe(slackId('U')) }), junkValue)),
    files: maybe(fc.array(fc.oneof(fc.record({ id: slackId('F'), name: maybe(nasty), size: maybe(fc.integer()) }), junkValue), { maxLength: 3 })),
  },
  { requiredKeys: ['type'] },
);

const envelope = fc.record(
  {
    type: fc.oneof(fc.constant('event_callback'), nasty),
    event_id: fc.oneof(fc.stringMatching(/^Ev[A-Z0-9]{8,12}$/), nasty),
    event: fc.oneof(event, junkValue),
    team_id: maybe(fc.oneof(fc.constant(STAND_IN_BOT.teamId), nasty)),
    api_app_id: maybe(fc.constant(STAND_IN_BOT.appId)),
    authorizations: maybe(fc.constant([{ team_id: STAND_IN_BOT.teamId, user_id: STAND_IN_BOT.userId, is_bot: true }])),
  },
  { requiredKeys: ['type', 'event'] },
);

function commandArb(responseUrl: string) {
  return fc.record({
    // Mostly real commands: an unknown one is never acknowledged, and Bolt answers it 404 after 3 s.
    command: fc.oneof({ arbitrary: fc.constantFrom(...Object.values(COMMANDS)), weight: 9 }, { arbitrary: nasty, weight: 1 }),
    text: fc.oneof(nasty, fc.constant('summarize'), fc.constant('https://x.slack.com/archives/C1/p1760000000000100 private'), fc.constant('status:new tag:x')),
    user_id: slackId('U'),
    channel_id: slackId('[CDG]'),
    team_id: maybe(slackId('T')),
    response_url: fc.oneof(fc.constant(responseUrl), nasty),
    trigger_id: maybe(nasty),
  });
}

function interactionArb(responseUrl: string) {
  const action = fc.record({
    action_id: fc.oneof({ arbitrary: fc.constantFrom(...Object.values(ACTION_IDS)), weight: 9 }, { arbitrary: nasty, weight: 1 }),
    block_id: maybe(nasty),
    value: maybe(fc.oneof(nasty, fc.json({ maxDepth: 2 }), fc.stringMatching(/^a_[A-Za-z0-9_-]{12}(:helpful)?$/))),
    type: fc.constantFrom('button', 'static_select', 'overflow'),
    selected_option: maybe(fc.record({ value: nasty })),
  });
  const blockActions = fc.record({
    type: fc.constant('block_actions'),
    user: fc.record({ id: slackId('U'), team_id: maybe(slackId('T')) }),
    team: maybe(fc.record({ id: slackId('T') })),
    channel: maybe(fc.record({ id: slackId('[CDG]') })),
    container: maybe(fc.oneof(fc.record({ type: fc.constant('message'), message_ts: ts, channel_id: slackId('C') }), junkValue)),
    trigger_id: maybe(nasty),
    response_url: maybe(fc.oneof(fc.constant(responseUrl), nasty)),
    actions: fc.array(action, { minLength: 1, maxLength: 2 }),
    view: maybe(fc.record({ id: slackId('V'), private_metadata: maybe(nasty) })),
  });
  const viewSubmission = fc.record({
    type: fc.constant('view_submission'),
    user: fc.record({ id: slackId('U'), team_id: maybe(slackId('T')) }),
    team: maybe(fc.record({ id: slackId('T') })),
    view: fc.record({
      id: slackId('V'),
      callback_id: fc.oneof({ arbitrary: fc.constantFrom(...Object.values(VIEW_IDS)), weight: 9 }, { arbitrary: nasty, weight: 1 }),
      private_metadata: fc.oneof(nasty, fc.json({ maxDepth: 2 })),
      state: fc.record({ values: fc.dictionary(nasty, fc.dictionary(nasty, junkValue, { maxKeys: 3 }), { maxKeys: 5 }) }),
      team_id: maybe(slackId('T')),
    }),
  });
  const shortcut = fc.record({
    type: fc.constantFrom('message_action', 'shortcut'),
    callback_id: fc.oneof({ arbitrary: fc.constantFrom(...Object.values(SHORTCUT_IDS)), weight: 9 }, { arbitrary: nasty, weight: 1 }),
    user: fc.record({ id: slackId('U'), team_id: maybe(slackId('T')) }),
    team: maybe(fc.record({ id: slackId('T') })),
    channel: maybe(fc.record({ id: slackId('[CDG]') })),
    message: maybe(fc.record({ text: maybe(nasty), ts: ts, thread_ts: maybe(ts), user: maybe(slackId('U')), files: maybe(fc.array(junkValue, { maxLength: 2 })) })),
    response_url: fc.oneof(fc.constant(responseUrl), nasty),
    trigger_id: maybe(nasty),
  });
  return fc.oneof(blockActions, viewSubmission, shortcut);
}

// ---------------------------------------------------------------------------------------------

describe('parsers given random and hostile input never throw', () => {
  it('job payload schemas, Slack text helpers and links', () => {
    fc.assert(
      fc.property(fc.anything(), nasty, (value, text) => {
        expect(answerJobPayload.safeParse(value).success).toBe(false);
        expect(summarizeJobPayload.safeParse(value).success).toBe(false);
        expect(typeof plainSlackText(text)).toBe('string');
        parseSummarizeText(text);
        parseMessageLink(text);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('the comment schema: any input is either a valid comment or field errors with messages', () => {
    const input = fc.record({
      submitterName: junkValue,
      email: junkValue,
      organization: junkValue,
      organizationType: fc.oneof(fc.constantFrom('ngo', 'industry', 'individual'), junkValue),
      topic: junkValue,
      text: fc.oneof(nasty, junkValue),
      attachments: fc.oneof(fc.array(fc.record({ name: junkValue, size: junkValue, text: junkValue }), { maxLength: 25 }), junkValue),
      consentToPublish: junkValue,
      source: fc.oneof(fc.constantFrom('slack_modal', 'email', 'csv'), junkValue),
    });
    fc.assert(
      fc.property(fc.oneof(input, fc.anything()), (value) => {
        const r = validateCommentInput(value, topics);
        if (!r.ok) {
          expect(Object.keys(r.errors).length).toBeGreaterThan(0);
          for (const m of Object.values(r.errors)) expect(typeof m === 'string' && m.length > 0).toBe(true);
        } else {
          expect(r.value.text.length).toBeLessThanOrEqual(20_000);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('CSV files: rows become comments or failures with a line and a reason', () => {
    const cell = fc.oneof(nasty, fc.constantFrom('"', '""', '\n', '\r\n', ',', 'comment', 'Jane'));
    const csv = fc.oneof(
      fc.string({ maxLength: 3000 }),
      fc.array(fc.array(cell, { maxLength: 6 }), { maxLength: 20 }).map((rows) => ['comment,name,organization,email', ...rows.map((r) => r.join(','))].join('\n')),
    );
    fc.assert(
      fc.property(csv, (text) => {
        const { items } = parseCommentCsv(text, 'hostile.csv', topics);
        for (const item of items) if (!item.ok) expect(item.reason.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('e-mail messages and mbox files: parsed or refused with a reason', async () => {
    const header = fc.constantFrom('From: ', 'Subject: ', 'Content-Type: multipart/mixed; boundary=', 'Content-Transfer-Encoding: base64', 'To: ', '');
    const raw = fc.oneof(
      fc.uint8Array({ maxLength: 4000 }),
      fc.array(fc.tuple(header, nasty), { maxLength: 12 }).map((lines) => new TextEncoder().encode(`${lines.map(([h, v]) => `${h}${v}`).join('\r\n')}\r\n\r\nbody`)),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (bytes) => {
        const item = await parseEmailMessage(bytes, 'hostile.eml', topics);
        if (!item.ok) expect(item.reason.length).toBeGreaterThan(0);
        splitMbox(bytes);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe(`the Slack app given random and hostile payloads over HTTP (${dbLabel})`, () => {
  let standIn: SlackStandIn;
  let db: Db;
  let services: Services;
  let logs: CapturedLogs;
  let app: RunningSlackApp;
  let url: string;
  const statuses = new Map<number, number>();

  function config(): Config {
    return slackTestConfig(standIn, { STAFF_USER_IDS: 'USTAFF1', RATE_LIMIT_QUESTIONS_PER_MINUTE: '0' });
  }

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    db = await openTestDb();
    logs = captureLogs('warn');
    services = await createServices(config(), { db, logger: logs.logger });
    await ingest(services, [BUNDLED_CORPUS_DIR]);
    // No worker while the requests arrive (the jobs they leave are run and checked at the end);
    // Web API calls fail fast rather than retrying.
    // A request no listener acknowledges (a junk callback id, an unknown command) is answered 404
    // after 250 ms instead of Bolt's 3 s: the property is "never a 5xx", not the wait.
    app = await startSlackApp(services, { port: 0, host: '127.0.0.1', jobs: false, retryConfig: { retries: 0 }, unhandledRequestTimeoutMs: 250 });
    url = `http://127.0.0.1:${app.port}/slack/events`;
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    await standIn?.stop();
  });

  async function send(body: string, contentType: 'application/json' | 'application/x-www-form-urlencoded'): Promise<number> {
    const res = await signedPost(url, body, { contentType });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res.status;
  }

  it('event envelopes: every one acknowledged, none a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(envelope, async (env) => {
        expect(await send(JSON.stringify(env), 'application/json')).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: 60 },
    );
  }, 120_000);

  it('bodies that are not JSON, or not objects: 4xx, never 5xx', async () => {
    const body = fc.oneof(fc.string({ maxLength: 500 }), fc.json().map((j) => j.slice(0, Math.max(1, j.length - 3))), fc.constantFrom('null', '[]', '1', '"x"', '{"type":'));
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json' as const, 'application/x-www-form-urlencoded' as const), async (b, type) => {
        expect(await send(b, type)).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: 60 },
    );
  }, 120_000);

  it('slash commands: every one acknowledged within the request, none a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(commandArb(standIn.responseUrl('fc-cmd')), async (form) => {
        const fields = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>;
        expect(await send(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded')).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: 40 },
    );
  }, 180_000);

  it('button clicks, modal submissions and shortcuts: none a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(interactionArb(standIn.responseUrl('fc-int')), async (payload) => {
        expect(await send(interactionForm(payload as Record<string, unknown>), 'application/x-www-form-urlencoded')).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: 40 },
    );
  }, 300_000);

  it('an over-long body is refused before it is read (413), and the app still answers afterwards', async () => {
    const huge = JSON.stringify({ type: 'event_callback', event_id: 'EvHUGE', event: { type: 'app_mention', text: 'x'.repeat(MAX_REQUEST_BYTES) } });
    expect(await send(huge, 'application/json')).toBe(413);
    const health = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(health.status).toBe(200);
  });

  it('leaves no half-made records: every job valid and finished by a worker, every comment with its audit entry', async () => {
    const worker = new JobWorker({ db, handlers: app.jobHandlers, logger: logs.logger, concurrency: 8, backoff: { baseMs: 1, maxMs: 1 } });
    for (let round = 0; round < 20 && (await worker.runOnce()) > 0; round++) await new Promise((r) => setTimeout(r, 5));
    const jobs = await listJobs(db, { limit: 1000 });
    for (const j of jobs) {
      expect(['done', 'dead'], `job ${j.id} ${j.kind}: ${j.lastError}`).toContain(j.state);
      expect(j.lastError ?? '').not.toMatch(/invalid payload/);
    }
    const orphans = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM comments c WHERE NOT EXISTS (SELECT 1 FROM comment_audit a WHERE a.comment_id = c.id AND a.action = 'submitted')`,
    );
    expect(orphans[0]!.n).toBe(0);
    // Nothing a person could be shown leaked a stack trace or SQL.
    for (const c of standIn.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'response_url' || c.method === 'chat.postEphemeral')) {
      expect(String(c.body.text ?? '')).not.toMatch(/\n\s+at |SELECT |INSERT |node_modules/);
    }
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    if (process.env.PD_DEBUG_STATUSES) console.log(Object.fromEntries(statuses));
  }, 120_000);
});

describe('import file limits', () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pd-limits-'));
    db = await openTestDb();
  });

  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an over-size CSV or e-mail with the reason, without reading it, and imports the rest', async () => {
    // Sparse files: the size is real, the disk is not used.
    const bigCsv = path.join(dir, 'huge.csv');
    const bigEml = path.join(dir, 'huge.eml');
    await writeFile(bigCsv, '');
    await truncate(bigCsv, IMPORT_LIMITS.csvBytes + 1);
    await writeFile(bigEml, '');
    await truncate(bigEml, IMPORT_LIMITS.emlBytes + 1);
    const ok = path.join(dir, 'ok.csv');
    await writeFile(ok, 'comment,name,email\n"We support stronger end-use monitoring of transfers to partners.",Jane Roe,jane@example.org\n');
    const summary = await importComments(commentDeps(db), CLI_ACTOR, [dir]);
    expect(summary.imported).toBe(1);
    const reasons = summary.outcomes.filter((o) => o.status === 'failed').map((o) => (o as { reason: string }).reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        // The limits come from IMPORT_LIMITS (a real docket's CSV is allowed more than one e-mail).
        `${(IMPORT_LIMITS.csvBytes / 2 ** 20).toFixed(1)} MB is larger than the ${IMPORT_LIMITS.csvBytes / 2 ** 20} MB limit for .csv files; split it into smaller files`,
        `${(IMPORT_LIMITS.emlBytes / 2 ** 20).toFixed(1)} MB is larger than the ${IMPORT_LIMITS.emlBytes / 2 ** 20} MB limit for .eml files; split it into smaller files`,
      ]),
    );
  });
});
