import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { commentFieldErrors, submitComment } from '../../src/comments/queue.ts';
import { loadConfig } from '../../src/config.ts';
import { takeToken } from '../../src/db/rate-limits.ts';
import type { Db } from '../../src/db/types.ts';
import { findJobByKey } from '../../src/jobs/queue.ts';
import { commentBucket, questionBucket } from '../../src/app/rate-limits.ts';
import { createServices, ingest } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { commentDeps, sampleInput } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { commandForm, eventEnvelope, mentionEvent, signedPost, slackTestConfig } from '../helpers/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-stand-in.ts';

describe(`per-person rate limits (${dbLabel})`, () => {
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('a token bucket allows a burst of its capacity, then refills at capacity per window', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const spec = { key: 'question:T1:UBURST', capacity: 3, windowMs: 60_000 };
    for (let i = 0; i < 3; i++) expect((await takeToken(db, spec, at(i))).allowed).toBe(true);
    const refused = await takeToken(db, spec, at(3));
    expect(refused).toEqual({ allowed: false, retryAfterMs: expect.any(Number) });
    // One token comes back every 20 s (3 per minute).
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(19_000);
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(20_000);
    expect((await takeToken(db, spec, at(19_000))).allowed).toBe(false);
    expect((await takeToken(db, spec, at(20_100))).allowed).toBe(true);
    expect((await takeToken(db, spec, at(20_200))).allowed).toBe(false);
    // Never more than the capacity, however long the pause.
    for (let i = 0; i < 3; i++) expect((await takeToken(db, spec, at(3_600_000 + i))).allowed).toBe(true);
    expect((await takeToken(db, spec, at(3_600_010))).allowed).toBe(false);
    // Capacity 0 is "no limit".
    expect((await takeToken(db, { ...spec, key: 'x', capacity: 0 })).allowed).toBe(true);
  });

  it('holds under concurrent requests (several instances taking from one bucket)', async () => {
    const spec = { key: 'question:T1:URACE', capacity: 5, windowMs: 60_000 };
    const now = new Date('2030-01-02T00:00:00Z');
    const results = await Promise.all(Array.from({ length: 20 }, () => takeToken(db, spec, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it('refuses a comment over the limit with a clear message on the text field, stores nothing, and does not count a resubmission', async () => {
    const deps = commentDeps(db);
    const rateLimit = commentBucket({ questionsPerMinute: 0, commentsPerHour: 1 }, { teamId: 'T1', userId: 'ULIMITED' });
    const first = await submitComment(deps, sampleInput({ slackUserId: 'ULIMITED' }), { idempotencyKey: 'slack-view:VRL1', rateLimit });
    expect(first.created).toBe(true);
    // The same form submitted again: the stored comment, no token taken, no refusal.
    const again = await submitComment(deps, sampleInput({ slackUserId: 'ULIMITED' }), { idempotencyKey: 'slack-view:VRL1', rateLimit });
    expect(again).toMatchObject({ created: false, comment: { id: first.comment.id } });
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
    const err = await submitComment(deps, sampleInput({ slackUserId: 'ULIMITED' }), { idempotencyKey: 'slack-view:VRL2', rateLimit }).catch((e: unknown) => e);
    expect(commentFieldErrors(err)).toEqual({ text: expect.stringMatching(/^You've submitted 1 comment in the last hour; try again in \d+ minutes?\. Your text has not been saved\.$/) });
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  describe('in Slack', () => {
    let standIn: SlackStandIn;
    let app: RunningSlackApp;
    let url: string;

    beforeAll(async () => {
      standIn = await startSlackStandIn();
      const config = slackTestConfig(standIn, { RATE_LIMIT_QUESTIONS_PER_MINUTE: '2' });
      const services = await createServices(config, { db, logger: captureLogs().logger });
      await ingest(services, [BUNDLED_CORPUS_DIR]);
      // No worker: what matters here is what gets queued and what the person is told.
      app = await startSlackApp(services, { port: 0, host: '127.0.0.1', jobs: false, retryConfig: { retries: 0 } });
      url = `http://127.0.0.1:${app.port}/slack/events`;
      expect(questionBucket(config.rateLimits, { teamId: 'T', userId: 'U' }).capacity).toBe(2);
    });

    afterAll(async () => {
      await app?.stop();
      await standIn?.stop();
    });

    async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false): Promise<T> {
      for (let i = 0; i < 500; i++) {
        const v = await check();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`timed out waiting for ${what}`);
    }

    it('queues a person’s questions up to the limit and tells them, privately, when to try again', async () => {
      const ids: string[] = [];
      const ts: string[] = [];
      for (let i = 0; i < 3; i++) {
        ts.push(standIn.nextTs());
        const env = eventEnvelope(mentionEvent({ text: 'What are the three lines of effort?', ts: ts[i]!, channel: 'CRATE1', user: 'UBUSY' }));
        ids.push(env.eventId);
        expect((await signedPost(url, env.body)).status).toBe(200);
        // In order, so "the third" is well defined.
        if (i < 2) await waitFor('job', () => findJobByKey(db, `slack:${env.eventId}`));
      }
      const notice = await waitFor('the refusal', () => standIn.callsOf('chat.postEphemeral').find((c) => c.body.user === 'UBUSY'));
      expect(notice.body).toMatchObject({ channel: 'CRATE1', thread_ts: ts[2] });
      expect(String(notice.body.text)).toMatch(/^You've asked 2 questions in the last minute; try again in \d+ seconds\.$/);
      expect(await findJobByKey(db, `slack:${ids[2]}`)).toBeNull();
      expect(standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CRATE1')).toHaveLength(0);

      // Someone else is not affected.
      const other = eventEnvelope(mentionEvent({ text: 'What are the three lines of effort?', ts: standIn.nextTs(), channel: 'CRATE1', user: 'UCALM' }));
      await signedPost(url, other.body);
      await waitFor('the other person’s job', () => findJobByKey(db, `slack:${other.eventId}`));

      // /ask from the busy person: the refusal comes back through the response_url, ephemeral.
      const res = await signedPost(url, commandForm({ text: 'What is the CAT policy?', responseUrl: standIn.responseUrl('rl-ask'), user: 'UBUSY' }), {
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(res.status).toBe(200);
      const reply = await waitFor('the /ask refusal', () => standIn.calls.find((c) => c.responseId === 'rl-ask'));
      expect(reply.body.response_type).toBe('ephemeral');
      expect(String(reply.body.text)).toMatch(/^You've asked 2 questions in the last minute; try again in \d+ seconds\.$/);
    });
  });
});
