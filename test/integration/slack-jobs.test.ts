import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import type { Config } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { claimJobs, findJobByKey, getJob } from '../../src/jobs/queue.ts';
import type { JobHandler } from '../../src/jobs/types.ts';
import { createJobContext, JobWorker } from '../../src/jobs/worker.ts';
import { createServices, ingest, type Services } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { REPLY_EVENT_TYPE } from '../../src/slack/jobs/post.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.ts';
import { commandForm, eventEnvelope, mentionEvent, signedPost, slackTestConfig } from '../helpers/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-stand-in.ts';

const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 100 };
const LEASE = 30_000;
const QUESTION = 'What are the three lines of effort in the implementation plan?';

function slackConfig(standIn: SlackStandIn): Config {
  return slackTestConfig(standIn);
}

/**
 * The Slack side of durable jobs, with the app's own worker switched off: the test plays the
 * workers (runOnce, a clock it moves by hand), so every step is deterministic.
 */
describe(`Slack answers as jobs (${dbLabel})`, () => {
  let standIn: SlackStandIn;
  let db: Db;
  let services: Services;
  let logs: CapturedLogs;
  let app: RunningSlackApp;
  let eventsUrl: string;
  let handlers: JobHandler<unknown>[];
  let clockMs: number;
  const now = () => new Date(clockMs);

  const posts = (channel: string, threadTs: string) =>
    standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === channel && c.body.thread_ts === threadTs);
  const worker = (id: string) => new JobWorker({ db, handlers, logger: logs.logger, id, leaseMs: LEASE, now, random: () => 0.5 });

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    db = await openTestDb();
    logs = captureLogs();
    services = await createServices(slackConfig(standIn), { db, logger: logs.logger });
    await ingest(services, [BUNDLED_CORPUS_DIR]);
    app = await startSlackApp(services, { port: 0, host: '127.0.0.1', retryConfig: FAST_RETRY, jobs: false });
    eventsUrl = `http://127.0.0.1:${app.port}/slack/events`;
    handlers = app.jobHandlers;
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    await standIn?.stop();
  });

  /** Listeners run after the ack: wait (bounded) for the job row they write. */
  async function waitForJob(dedupeKey: string) {
    for (let i = 0; i < 500; i++) {
      const job = await findJobByKey(db, dedupeKey);
      if (job) return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no job with dedupe key ${dedupeKey}`);
  }

  async function syncClock(): Promise<void> {
    const [row] = await db.query<{ now: Date | string }>('SELECT now() AS now');
    clockMs = new Date(row!.now).getTime() + 1000;
  }

  it('acks a mention before any work, records it as one job, and a worker answers it', async () => {
    await syncClock();
    const ts = standIn.nextTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: QUESTION, ts, channel: 'CJOBS1' }));
    const res = await signedPost(eventsUrl, body);
    expect(res.status).toBe(200);
    // The ack was held until the job was committed: an instance killed right after acking cannot
    // have lost the event.
    const job = await findJobByKey(db, `slack:${eventId}`);
    expect(job).not.toBeNull();
    expect(job).toMatchObject({ kind: 'answer.slack', state: 'queued', attempts: 0 });
    expect(job!.payload).toMatchObject({ question: QUESTION, surface: 'mention', reply: { via: 'thread', channel: 'CJOBS1', threadTs: ts } });
    expect(posts('CJOBS1', ts)).toHaveLength(0);

    // Slack retries the event (and a second instance would get the same): no second job.
    expect((await signedPost(eventsUrl, body, { retryNum: 1 })).status).toBe(200);
    await logs.waitFor('the retry skipped', (l) => l.slackEventId === eventId && l.msg === 'slack: duplicate delivery skipped');
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE payload->'reply'->>'threadTs' = $1`, [ts]))[0]!.n).toBe(1);

    expect(await worker('W1').runOnce()).toBe(1);
    const [post] = posts('CJOBS1', ts);
    expect(post).toBeDefined();
    expect(JSON.stringify(post!.body.blocks)).toContain('Prioritizing strategic competition');
    // Each post carries the job and part in its metadata, which is what a retry looks for.
    expect(post!.body.metadata).toEqual({ event_type: REPLY_EVENT_TYPE, event_payload: { job: job!.id, part: 'reply.0' } });
    const done = (await getJob(db, job!.id))!;
    expect(done.state).toBe('done');
    expect(done.progress).toMatchObject({ answerId: expect.stringMatching(/^a_/), posted: { 'reply.0': expect.any(String) } });
  });

  it('an answer job whose worker died right after Slack took the post is finished by another worker without posting twice', async () => {
    await syncClock();
    const ts = standIn.nextTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: QUESTION, ts, channel: 'CJOBS2' }));
    await signedPost(eventsUrl, body);
    const queued = await waitForJob(`slack:${eventId}`);
    // Instance A claims the job and runs it, but "dies" at the worst moment: Slack has the
    // message, and the record of it never reaches the job row.
    const [claimed] = await claimJobs(db, { workerId: 'A', kinds: ['answer.slack'], limit: 1, leaseMs: LEASE, now: now() });
    expect(claimed!.id).toBe(queued.id);
    const ctx = createJobContext(db, claimed!, { logger: logs.logger, now });
    const crashing = {
      ...ctx,
      checkpoint: async (patch: Record<string, unknown>) => {
        if ('posted' in patch) throw new Error('SIGKILL');
        await ctx.checkpoint(patch);
      },
    };
    const answer = handlers.find((h) => h.kind === 'answer.slack')!;
    await expect(answer.run(answer.payload.parse(claimed!.payload), crashing)).rejects.toThrow('SIGKILL');
    expect(posts('CJOBS2', ts)).toHaveLength(1);
    expect((await getJob(db, claimed!.id))!.progress).toEqual({ answerId: expect.any(String) });

    // Instance B: nothing to do while A's lease holds; after it runs out, B takes the job over,
    // finds A's message in the thread by its metadata, records it, and posts nothing.
    const b = worker('B');
    clockMs += LEASE - 10;
    expect(await b.runOnce()).toBe(0);
    clockMs += 20;
    expect(await b.runOnce()).toBe(1);
    expect(posts('CJOBS2', ts)).toHaveLength(1);
    const finished = (await getJob(db, claimed!.id))!;
    expect(finished).toMatchObject({ state: 'done', attempts: 2, lockedBy: null });
    expect((finished.progress.posted as Record<string, string>)['reply.0']).toMatch(/^\d+\.\d+$/);
    await logs.waitFor('the skip logged', (l) => l.jobId === claimed!.id && l.msg === 'slack: reply was already posted by an earlier attempt; not posting it again');
    const replies = standIn.callsOf('conversations.replies').filter((c) => c.body.ts === ts);
    expect(replies.length).toBeGreaterThan(0);
    expect(String(replies[0]!.body.include_all_metadata)).toBe('true');
  });

  it('a job that died before its post is posted once by the worker that takes it over', async () => {
    await syncClock();
    const ts = standIn.nextTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: QUESTION, ts, channel: 'CJOBS3' }));
    await signedPost(eventsUrl, body);
    await waitForJob(`slack:${eventId}`);
    await claimJobs(db, { workerId: 'A', kinds: ['answer.slack'], limit: 1, leaseMs: LEASE, now: now() });
    clockMs += LEASE + 1;
    expect(await worker('B').runOnce()).toBe(1);
    expect(posts('CJOBS3', ts)).toHaveLength(1);
  });

  it('a rate-limited post (429 with Retry-After) is waited out by the job and posted once', async () => {
    await syncClock();
    standIn.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const ts = standIn.nextTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: QUESTION, ts, channel: 'CJOBS4' }));
    await signedPost(eventsUrl, body);
    await waitForJob(`slack:${eventId}`);
    expect(await worker('W').runOnce()).toBe(1);
    expect(posts('CJOBS4', ts)).toHaveLength(1);
    expect(standIn.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429 && c.body.channel === 'CJOBS4')).toHaveLength(1);
  });

  it('/ask is queued with its trigger id as the dedupe key and answered through the response_url', async () => {
    await syncClock();
    const form = commandForm({ text: QUESTION, responseUrl: standIn.responseUrl('jobs-ask') });
    const res = await signedPost(eventsUrl, form, { contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    const trigger = new URLSearchParams(form).get('trigger_id')!;
    const job = await waitForJob(`slack:trigger:${trigger}`);
    expect(job).toMatchObject({ kind: 'answer.slack', state: 'queued' });
    expect(standIn.calls.filter((c) => c.responseId === 'jobs-ask')).toHaveLength(0);
    expect(await worker('W').runOnce()).toBe(1);
    const replies = standIn.calls.filter((c) => c.responseId === 'jobs-ask');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body.response_type).toBe('ephemeral');
  });

  it('tells the person once, with a reference id, when an answer job is given up', async () => {
    await syncClock();
    const ts = standIn.nextTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: QUESTION, ts, channel: 'CJOBS5' }));
    await signedPost(eventsUrl, body);
    const job = await waitForJob(`slack:${eventId}`);
    // Every attempt's post is refused by Slack (a platform error, not a rate limit).
    for (let i = 0; i < 5; i++) standIn.failNext('chat.postMessage', { error: 'internal_error' });
    const w = worker('W');
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await w.runOnce()).toBe(1);
      clockMs += 10 * 60_000;
    }
    const dead = (await getJob(db, job.id))!;
    expect(dead.state).toBe('dead');
    expect(dead.lastError).toContain('internal_error');
    const [note] = posts('CJOBS5', ts);
    expect(String(note!.body.text)).toMatch(/reference [0-9a-f]{8}/);
    expect(posts('CJOBS5', ts)).toHaveLength(1);
  });
});
