import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import type { CommentDeps } from '../../src/comments/deps.ts';
import { getCommentDetails, setStatus, submitComment } from '../../src/comments/queue.ts';
import { claimJobs, findJobByKey, getJob } from '../../src/jobs/queue.ts';
import type { JobHandler, JobRow } from '../../src/jobs/types.ts';
import { createJobContext, JobWorker } from '../../src/jobs/worker.ts';
import { enqueueCardRefresh } from '../../src/slack/jobs/comment-card.ts';
import { REPLY_EVENT_TYPE } from '../../src/slack/jobs/post.ts';
import { makeDocx } from '../helpers/comments.ts';
import { dbLabel } from '../helpers/db.ts';
import {
  cardsPosted,
  commentFormSubmission,
  dmsTo,
  formValues,
  interact,
  messageShortcut,
  PEOPLE,
  pollUntil,
  responsesTo,
  REVIEW_CHANNEL,
  slashCommand,
  startCommentApp,
  textOf,
  type CommentApp,
} from '../helpers/slack-comments.ts';

/*
 * What follows a saved comment, as durable jobs, with the app's own workers off: the test plays
 * the instances (runOnce, a clock it moves by hand, workers that "die" at the worst moment), so
 * every step is deterministic. The receipt, the review card, the files and card redraws happen
 * once, whichever instance runs them and however often.
 */

const LEASE = 30_000;
let app: CommentApp;
let handlers: JobHandler<unknown>[];
let clockMs = 0;
let seq = 0;
const now = () => new Date(clockMs);
const viewId = () => `VJOBS${String(++seq).padStart(5, '0')}`;
const worker = (id: string) => new JobWorker({ db: app.db, handlers, logger: app.logs.logger, id, leaseMs: LEASE, now, random: () => 0.5 });
const deps = (): CommentDeps => ({ db: app.db, config: app.services.config, logger: app.logs.logger });

async function syncClock(): Promise<void> {
  const [row] = await app.db.query<{ now: Date | string }>('SELECT now() AS now');
  clockMs = new Date(row!.now).getTime() + 1000;
}

const form = (text: string, files: Array<Record<string, unknown>> = []) =>
  formValues({ name: 'Jane Doe', email: PEOPLE.colleague.email, organizationType: 'ngo', topic: 'mtcr-and-uas', text, consent: 'yes', files });

/** Submits the form; returns the comment's id and tracking number and its intake job. */
async function submitForm(text: string, options: { responseUrl?: string; files?: Array<Record<string, unknown>> } = {}): Promise<{ id: number; tracking: string; job: JobRow }> {
  const id = viewId();
  const res = await interact(
    app.url,
    commentFormSubmission({ viewId: id, user: PEOPLE.colleague.id, values: form(text, options.files), metadata: { origin: 'command', ...(options.responseUrl ? { responseUrl: options.responseUrl } : {}) } }),
  );
  expect(res.json?.response_action).toBe('update');
  const [row] = await app.db.query<{ id: number; tracking_number: string }>('SELECT id, tracking_number FROM comments WHERE idempotency_key = $1', [`slack-view:${id}`]);
  // The job was committed with the comment, before Slack got its answer.
  const job = await findJobByKey(app.db, `comment:${row!.id}:intake`);
  expect(job).toMatchObject({ kind: 'comment.intake', state: 'queued' });
  await syncClock();
  return { id: row!.id, tracking: row!.tracking_number, job: job! };
}

/** Runs a claimed job as an instance that dies when it is about to record `part` as posted. */
async function dieAfterPosting(job: JobRow, part: string): Promise<void> {
  const [claimed] = await claimJobs(app.db, { workerId: 'A', kinds: [job.kind], limit: 10, leaseMs: LEASE, now: now() }).then((js) => js.filter((j) => j.id === job.id));
  expect(claimed).toBeDefined();
  const ctx = createJobContext(app.db, claimed!, { logger: app.logs.logger, now });
  const crashing = {
    ...ctx,
    checkpoint: async (patch: Record<string, unknown>) => {
      if (part in ((patch.posted as Record<string, unknown> | undefined) ?? {})) throw new Error('SIGKILL');
      await ctx.checkpoint(patch);
    },
  };
  const handler = handlers.find((h) => h.kind === job.kind)!;
  await expect(handler.run(handler.payload.parse(claimed!.payload), crashing)).rejects.toThrow('SIGKILL');
}

beforeAll(async () => {
  app = await startCommentApp({ jobs: false, ingestDocs: false });
  handlers = app.running.jobHandlers;
});

afterAll(async () => {
  await app?.close();
});

describe(`comment follow-up as jobs (${dbLabel})`, () => {
  it('an instance killed right after Slack took the DM receipt: another sends no second receipt, and posts the card once', async () => {
    await syncClock();
    const rid = 'jobs-form-1';
    const c = await submitForm('Job test one: publish the end-use monitoring statistics every quarter.', { responseUrl: app.standIn.responseUrl(rid) });
    // Nothing is sent before a worker runs: the ack only said "saved".
    expect(dmsTo(app.standIn, PEOPLE.colleague.id).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(0);

    await dieAfterPosting(c.job, 'dm.0');
    expect(responsesTo(app.standIn, rid)).toHaveLength(1);
    expect(dmsTo(app.standIn, PEOPLE.colleague.id).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
    expect(cardsPosted(app.standIn).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(0);

    const b = worker('B');
    clockMs += LEASE - 10;
    expect(await b.runOnce()).toBe(0);
    clockMs += 20;
    expect(await b.runOnce()).toBe(1);
    // B read the DM back (its metadata names the job and part) and posted nothing there.
    const history = app.standIn.callsOf('conversations.history').filter((h) => h.body.channel === `D${PEOPLE.colleague.id}`);
    expect(history.length).toBeGreaterThan(0);
    expect(String(history[0]!.body.include_all_metadata)).toBe('true');
    expect(dmsTo(app.standIn, PEOPLE.colleague.id).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
    expect(responsesTo(app.standIn, rid)).toHaveLength(1);
    const cards = cardsPosted(app.standIn).filter((m) => textOf(m).includes(c.tracking));
    expect(cards).toHaveLength(1);
    expect(cards[0]!.body.metadata).toEqual({ event_type: REPLY_EVENT_TYPE, event_payload: { job: c.job.id, part: 'card.0' } });
    expect(await getJob(app.db, c.job.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('an instance killed right after posting the card: the next finds it in the channel, records where it is, posts no second card', async () => {
    await syncClock();
    const c = await submitForm('Job test two: the congressional notification thresholds should be indexed to inflation.');
    await dieAfterPosting(c.job, 'card.0');
    expect(cardsPosted(app.standIn).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
    clockMs += LEASE + 1;
    expect(await worker('B').runOnce()).toBe(1);
    expect(cardsPosted(app.standIn).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
    expect(dmsTo(app.standIn, PEOPLE.colleague.id).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
    const [card] = await app.db.query<{ channel_id: string; message_ts: string | null }>('SELECT channel_id, message_ts FROM slack_comment_cards WHERE comment_id = $1', [c.id]);
    expect(card).toEqual({ channel_id: REVIEW_CHANNEL, message_ts: expect.stringMatching(/^\d+\.\d+$/) });
  });

  it('a change enqueues the card redraw in its own transaction; a refused change enqueues nothing', async () => {
    await syncClock();
    const c = await submitForm('Job test three: retransfer requests need a published decision deadline.');
    expect(await worker('W').runOnce()).toBe(1);
    const withHook: CommentDeps = { ...deps(), onChange: enqueueCardRefresh };
    const cardJobs = async () => (await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'comment.card' AND (payload->>'commentId')::int = $1`, [c.id]))[0]!.n;
    await setStatus(withHook, CLI_ACTOR, c.id, 'triaged');
    expect(await cardJobs()).toBe(1);
    await expect(setStatus(withHook, CLI_ACTOR, c.id, 'responded')).rejects.toMatchObject({ code: 'comment.transition' });
    expect(await cardJobs()).toBe(1);
    const [loc] = await app.db.query<{ ts: string }>('SELECT message_ts AS ts FROM slack_comment_cards WHERE comment_id = $1', [c.id]);
    const before = app.standIn.callsOf('chat.update').length;
    await syncClock();
    expect(await worker('W').runOnce()).toBe(1);
    const [update] = app.standIn.callsOf('chat.update').slice(before);
    expect(update!.body).toMatchObject({ channel: REVIEW_CHANNEL, ts: loc!.ts });
    expect(textOf(update!)).toContain('Triaged');
  });

  it('files are read by the job: "See attached" letters are not grouped until their text is known, then by what the files say', async () => {
    await syncClock();
    const letter = async (id: string, body: string) =>
      app.standIn.addFile({ id, name: `${id.toLowerCase()}.docx`, mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: await makeDocx([body]) });
    const campaignText = 'We urge the Department to require public reporting of every approved transfer of armed unmanned aircraft, with end users named, within thirty days of approval, and to publish the human rights assessment behind each decision.';
    const files = [
      await letter('FLETTER1', campaignText),
      await letter('FLETTER2', 'An unrelated position paper on sustainment packages, offsets, interoperability and the timelines for technical assistance agreements with allies.'),
      await letter('FLETTER3', campaignText),
    ];
    const ids: number[] = [];
    for (const [i, f] of files.entries()) {
      const ts = app.standIn.nextTs();
      await interact(app.url, messageShortcut({ invoker: PEOPLE.staff.id, channel: 'CSHARED9', message: { ts, text: 'Please find our comments on the policy in the attached letter.', user: PEOPLE.external.id, userTeam: 'TPARTNER', files: [f] }, responseUrl: app.standIn.responseUrl(`letters-${i}`) }));
      // The shortcut is acknowledged first and the comment stored right after.
      const row = await pollUntil('the comment', async () => (await app.db.query<{ id: number }>('SELECT id FROM comments WHERE idempotency_key = $1', [`slack-message:CSHARED9:${ts}`]))[0]);
      ids.push(row.id);
    }
    // Saved, with the same message text and the files pending: no campaign yet (the text alone would be an exact duplicate).
    const state = async () =>
      app.db.query<{ id: number; campaign: string | null; pending: boolean; chars: number }>(
        `SELECT c.id, c.campaign_id AS campaign, a.pending, coalesce(length(a.extracted_text), 0)::int AS chars
           FROM comments c JOIN comment_attachments a ON a.comment_id = c.id WHERE c.id = ANY($1::int[]) ORDER BY c.id`,
        [ids],
      );
    expect((await state()).map((r) => [r.campaign, r.pending, r.chars])).toEqual([
      [null, true, 0],
      [null, true, 0],
      [null, true, 0],
    ]);
    // The same words without a file, meanwhile: grouped at once, yet not with letters still being read.
    const plain = await submitComment(deps(), {
      submitterName: 'Pat Plain', organizationType: 'individual', topic: 'mtcr-and-uas', consentToPublish: true, source: 'slack_modal',
      text: 'Please find our comments on the policy in the attached letter.',
    });
    expect(plain.comment.campaignId).toBeNull();
    const w = worker('W');
    await syncClock();
    while ((await w.runOnce()) > 0);
    expect((await getCommentDetails(deps(), CLI_ACTOR, plain.comment.id)).comment.campaignId).toBeNull();
    const after = await state();
    expect(after.every((r) => !r.pending && r.chars > 100)).toBe(true);
    // The two copies of the campaign letter are one campaign; the position paper stands alone.
    expect(after[0]!.campaign).not.toBeNull();
    expect(after[2]!.campaign).toBe(after[0]!.campaign);
    expect(after[1]!.campaign).toBeNull();
    const d = await getCommentDetails(deps(), CLI_ACTOR, ids[1]!);
    expect(d.attachmentTexts[0]!.text).toContain('sustainment packages');
    // The person who ran the shortcut was told, once per message, after the files were read.
    for (let i = 0; i < 3; i++) expect(responsesTo(app.standIn, `letters-${i}`).filter((r) => textOf(r).includes('Added to the comment queue'))).toHaveLength(1);
  });

  it('a file Slack will not serve is retried, and on the last attempt recorded without text; the receipt and card still go', async () => {
    await syncClock();
    const f = app.standIn.addFile({ id: 'FFLAKY01', name: 'flaky.txt', mimetype: 'text/plain', content: Buffer.from('Never read: the host is down.') });
    for (let i = 0; i < 5; i++) app.standIn.failNext('file_download', { status: 503 });
    const c = await submitForm('Job test five: see the attached note on brokering registration.', { files: [f] });
    const w = worker('W');
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await w.runOnce()).toBe(1);
      clockMs += 10 * 60_000;
    }
    const job = (await getJob(app.db, c.job.id))!;
    expect(job).toMatchObject({ state: 'done', attempts: 5 });
    expect(job.lastError).toContain('HTTP 503');
    const d = await getCommentDetails(deps(), CLI_ACTOR, c.id);
    expect(d.comment.attachments).toEqual([expect.objectContaining({ name: 'flaky.txt', textChars: 0, note: expect.stringContaining('could not be downloaded') })]);
    expect(dmsTo(app.standIn, PEOPLE.colleague.id).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
    expect(cardsPosted(app.standIn).filter((m) => textOf(m).includes(c.tracking))).toHaveLength(1);
  });

  it('/comments summary is a job for staff, queued once per request; anyone else is refused and nothing is queued', async () => {
    await syncClock();
    const docketJobs = async () => (await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'summarize.docket'`))[0]!.n;
    const before = await docketJobs();
    await slashCommand(app.url, { command: '/comments', text: 'summary', user: PEOPLE.colleague.id, responseUrl: app.standIn.responseUrl('docket-no') });
    const refusal = await app.standIn.waitFor('the refusal', () => responsesTo(app.standIn, 'docket-no')[0]);
    expect(textOf(refusal)).toMatch(/only|staff/i);
    expect(await docketJobs()).toBe(before);

    await slashCommand(app.url, { command: '/comments', text: 'summary', user: PEOPLE.staff.id, responseUrl: app.standIn.responseUrl('docket-yes') });
    const job = await (async () => {
      for (let i = 0; i < 300; i++) {
        const [row] = await app.db.query<{ id: string }>(`SELECT id::text FROM jobs WHERE kind = 'summarize.docket' ORDER BY id DESC LIMIT 1`);
        if (row && (await docketJobs()) > before) return Number(row.id);
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no summarize.docket job');
    })();
    expect(responsesTo(app.standIn, 'docket-yes')).toHaveLength(0);
    await syncClock();
    expect(await worker('W').runOnce()).toBeGreaterThanOrEqual(1);
    expect(await getJob(app.db, job)).toMatchObject({ state: 'done', progress: { posted: true } });
    const replies = responsesTo(app.standIn, 'docket-yes');
    expect(replies.some((r) => /comment|submission/i.test(textOf(r)))).toBe(true);
    expect(replies.every((r) => r.body.response_type === 'ephemeral')).toBe(true);
  });
});
