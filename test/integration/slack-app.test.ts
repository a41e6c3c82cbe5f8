import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import type { Config } from '../../src/config.ts';
import { listFeedback } from '../../src/db/feedback.ts';
import type { Db } from '../../src/db/types.ts';
import { createServices, ingest, type Services } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { messageViolations } from '../../src/slack/limits.ts';
import { PROBLEMS_ACTION, PROBLEMS_BLOCK, REASON_ACTION, REASON_BLOCK } from '../../src/slack/views/feedback.ts';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/views/ids.ts';
import type { SlackMessage } from '../../src/slack/views/message.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.ts';
import {
  buttonClick,
  commandForm,
  dmEvent,
  eventEnvelope,
  interactionForm,
  mentionEvent,
  signedPost,
  viewSubmission,
  slackTestConfig,
} from '../helpers/slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type RecordedCall, type SlackStandIn } from '../helpers/slack-stand-in.ts';

/** Quick retries so a scripted 429 costs about a second, not minutes. */
const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 100 };

function slackConfig(standIn: SlackStandIn, extra: Record<string, string> = {}): Config {
  return slackTestConfig(standIn, extra);
}

/** The blocks of a recorded chat.postMessage / response_url call, typed loosely for assertions. */
function blocksOf(call: RecordedCall): Array<Record<string, unknown>> {
  return (call.body.blocks ?? []) as Array<Record<string, unknown>>;
}

function asMessage(call: RecordedCall): SlackMessage {
  return { text: String(call.body.text ?? ''), blocks: blocksOf(call) as unknown as SlackMessage['blocks'] };
}

function buttonValue(call: RecordedCall, actionId: string): string | undefined {
  for (const b of blocksOf(call)) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements as Array<{ action_id: string; value: string }>) if (e.action_id === actionId) return e.value;
  }
  return undefined;
}

/** Polls an async check (e.g. a DB query) until it returns something truthy; bounded. */
async function pollUntil<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}


describe(`Slack app over HTTP (${dbLabel})`, () => {
  let standIn: SlackStandIn;
  let db: Db;
  let services: Services;
  let logs: CapturedLogs;
  let running: RunningSlackApp;
  let eventsUrl: string;

  /** User-message timestamps from the stand-in's clock, so they interleave with its posts as in Slack. */
  const userTs = () => standIn.nextTs();
  const postsInThread = (channel: string, threadTs: string) =>
    standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === channel && c.body.thread_ts === threadTs);

  async function startApp(s: Services): Promise<RunningSlackApp> {
    const app = await startSlackApp(s, { port: 0, host: '127.0.0.1', retryConfig: FAST_RETRY });
    return app;
  }

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    db = await openTestDb();
    logs = captureLogs();
    services = await createServices(slackConfig(standIn), { db, logger: logs.logger });
    await ingest(services, [BUNDLED_CORPUS_DIR]);
    running = await startApp(services);
    eventsUrl = `http://127.0.0.1:${running.port}/slack/events`;
  });

  afterAll(async () => {
    await running?.stop();
    await db?.close();
    await standIn?.stop();
  });

  it('checked the token with auth.test at the stand-in on start, and serves a health endpoint', async () => {
    expect(standIn.callsOf('auth.test').length).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${running.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mode: 'http' });
  });

  it('fails to start with a clear message when Slack rejects the token', async () => {
    standIn.failNext('auth.test', { error: 'invalid_auth' });
    await expect(startApp(services)).rejects.toThrow(/Slack did not accept SLACK_BOT_TOKEN \(auth.test at http:\/\/127.0.0.1:\d+\/api\/: invalid_auth\)/);
  });

  it('answers a mention in its thread, with citation blocks', async () => {
    const ts = userTs();
    const { body } = eventEnvelope(mentionEvent({ text: 'What are the three lines of effort in the implementation plan?', ts }));
    const res = await signedPost(eventsUrl, body);
    expect(res.status).toBe(200);
    const [post] = await standIn.waitFor('the answer in the thread', () => {
      const p = postsInThread('CPOLICY1', ts);
      return p.length > 0 && p;
    });
    const text = JSON.stringify(post!.body.blocks);
    expect(text).toContain('Prioritizing strategic competition');
    expect(text).toMatch(/\*\[1\] Implementation of the Conventional Arms Transfer \(CAT\) Policy/);
    expect(text).toContain('>The plan is based on three lines of effort:');
    expect(buttonValue(post!, ACTION_IDS.helpful)).toMatch(/^a_/);
    expect(buttonValue(post!, ACTION_IDS.share)).toBeUndefined();
    expect(post!.body.unfurl_links).toBe('false');
    expect(messageViolations(asMessage(post!))).toEqual([]);
  });

  it('never posts twice for a retried event (X-Slack-Retry-Num), also after a restart', async () => {
    const ts = userTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: 'What is the mission of the Office of Conventional Arms Threat Reduction?', ts }));
    expect((await signedPost(eventsUrl, body)).status).toBe(200);
    await standIn.waitFor('the first answer', () => postsInThread('CPOLICY1', ts).length > 0);

    const retry = await signedPost(eventsUrl, body, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    await logs.waitFor('the retry skipped as a duplicate', (l) => l.slackEventId === eventId && l.msg === 'slack: duplicate delivery skipped' && l.retryNum === 1);
    expect(postsInThread('CPOLICY1', ts)).toHaveLength(1);

    // A new process (same database) still knows the event.
    await running.stop();
    running = await startApp(services);
    eventsUrl = `http://127.0.0.1:${running.port}/slack/events`;
    expect((await signedPost(eventsUrl, body, { retryNum: 2 })).status).toBe(200);
    await logs.waitFor('the retry after restart skipped', (l) => l.slackEventId === eventId && l.retryNum === 2 && l.msg === 'slack: duplicate delivery skipped');
    expect(postsInThread('CPOLICY1', ts)).toHaveLength(1);
  });

  it('rejects a bad signature and a stale timestamp with 401 and does no work', async () => {
    const ts = userTs();
    const { body, eventId } = eventEnvelope(mentionEvent({ text: 'What are the three lines of effort?', ts }));
    const bad = await signedPost(eventsUrl, body, { secret: 'ffffffffffffffffffffffffffffffff' });
    expect(bad.status).toBe(401);
    const forged = await signedPost(eventsUrl, body, { signature: 'v0=deadbeef' });
    expect(forged.status).toBe(401);
    const stale = await signedPost(eventsUrl, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    // Control: the same event correctly signed is accepted, so the 401s come from the checks.
    const control = await signedPost(eventsUrl, body);
    expect(control.status).toBe(200);

    // Had a rejected copy been processed, it would have claimed the event first and the control
    // would have been skipped as a duplicate; instead the control was answered, once.
    await standIn.waitFor('the control answer', () => postsInThread('CPOLICY1', ts).length > 0);
    expect(postsInThread('CPOLICY1', ts)).toHaveLength(1);
    const claims = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM slack_events WHERE event_id = $1', [eventId]);
    expect(claims[0]!.n).toBe(1);
    expect(logs.lines.filter((l) => l.slackEventId === eventId && l.msg === 'slack: duplicate delivery skipped')).toHaveLength(0);
  });

  it('/ask acknowledges at once, then answers ephemerally with a share button', async () => {
    // The stand-in holds the reply: the ack must come back while the answer is still on its way.
    const release = standIn.hold('response_url');
    let res;
    try {
      res = await signedPost(eventsUrl, commandForm({ text: 'What are the three lines of effort in the implementation plan?', responseUrl: standIn.responseUrl('ask-1') }), {
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
      await standIn.waitFor('the held reply', () => standIn.calls.some((c) => c.responseId === 'ask-1'));
    } finally {
      release();
    }
    const reply = standIn.calls.find((c) => c.responseId === 'ask-1')!;
    expect(reply.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(reply.body.blocks)).toContain('Prioritizing strategic competition');
    expect(buttonValue(reply, ACTION_IDS.share)).toMatch(/^a_/);
    expect(messageViolations(asMessage(reply))).toEqual([]);

    // Sharing posts it for the channel and removes the private copy.
    const answerId = buttonValue(reply, ACTION_IDS.share)!;
    const click = await signedPost(
      eventsUrl,
      interactionForm(buttonClick({ actionId: ACTION_IDS.share, value: answerId, responseUrl: standIn.responseUrl('share-1'), ephemeral: true })),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(click.status).toBe(200);
    const shared = await standIn.waitFor('the shared answer and the deletion', () => {
      const calls = standIn.calls.filter((c) => c.responseId === 'share-1');
      return calls.length >= 2 && calls;
    });
    expect(shared[0]!.body.response_type).toBe('in_channel');
    expect(JSON.stringify(shared[0]!.body.blocks)).toContain('Shared by <@UASKER1>');
    expect(shared[1]!.body.delete_original).toBe(true);
  });

  it('/ask without a question answers with usage in the ack itself', async () => {
    const res = await signedPost(eventsUrl, commandForm({ text: '  ', responseUrl: standIn.responseUrl('ask-empty') }), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).text).toContain('/ask What are the three lines of effort');
  });

  it('stores a feedback click with the question, answer, mode and citations, and the optional reason', async () => {
    const ts = userTs();
    await signedPost(eventsUrl, eventEnvelope(mentionEvent({ text: 'What are the three lines of effort in the implementation plan?', ts, channel: 'CFEED' })).body);
    const [post] = await standIn.waitFor('an answer to vote on', () => {
      const p = postsInThread('CFEED', ts);
      return p.length > 0 && p;
    });
    const answerId = buttonValue(post!, ACTION_IDS.notHelpful)!;
    const messageTs = '1760000999.000001';

    const res = await signedPost(
      eventsUrl,
      interactionForm(
        buttonClick({ actionId: ACTION_IDS.notHelpful, value: answerId, responseUrl: standIn.responseUrl('vote-1'), channel: 'CFEED', messageTs, user: 'UVOTER' }),
      ),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(res.status).toBe(200);
    const open = await standIn.waitFor('the reason modal', () => standIn.callsOf('views.open').find((c) => JSON.stringify(c.body.view).includes(answerId)));
    const view = open.body.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(VIEW_IDS.feedbackReason);

    const [row] = await listFeedback(db);
    expect(row).toMatchObject({
      answerId,
      helpful: false,
      reason: null,
      question: 'What are the three lines of effort in the implementation plan?',
      mode: 'extractive',
      abstained: false,
      userId: 'UVOTER',
      channelId: 'CFEED',
      messageTs,
      surface: 'mention',
    });
    expect(row!.answer).toContain('three lines of effort');
    expect(row!.citations.length).toBeGreaterThan(0);
    expect(row!.citations[0]!.quote).toContain('The plan is based on three lines of effort');

    const submit = await signedPost(
      eventsUrl,
      interactionForm(
        viewSubmission({
          viewId: 'VREASON1',
          callbackId: VIEW_IDS.feedbackReason,
          privateMetadata: view.private_metadata,
          user: 'UVOTER',
          values: {
            [PROBLEMS_BLOCK]: { [PROBLEMS_ACTION]: { type: 'checkboxes', selected_options: [{ value: 'missing_source' }] } },
            [REASON_BLOCK]: { [REASON_ACTION]: { type: 'plain_text_input', value: 'It should cite the 2023 policy too.' } },
          },
        }),
      ),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(submit.status).toBe(200);
    const withReason = await pollUntil('the stored reason', async () => (await listFeedback(db)).find((r) => r.reason));
    expect(withReason.reason).toBe('A document I expected was not cited | It should cite the 2023 policy too.');

    // "Helpful" from someone else: stored, and thanked privately with a way to add a comment.
    await signedPost(
      eventsUrl,
      interactionForm(buttonClick({ actionId: ACTION_IDS.helpful, value: answerId, responseUrl: standIn.responseUrl('vote-2'), channel: 'CFEED', user: 'UFAN' })),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    const thanks = await standIn.waitFor('the thank-you note', () => standIn.calls.find((c) => c.responseId === 'vote-2'));
    expect(thanks.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(thanks.body.blocks)).toContain(`${answerId}:helpful`);
    const rows = await listFeedback(db);
    expect(rows.map((r) => [r.userId, r.helpful])).toEqual([
      ['UVOTER', false],
      ['UFAN', true],
    ]);
  });

  it('answers a DM in its thread and treats a thread reply as a follow-up with the thread as context', async () => {
    const ts = userTs();
    const first = dmEvent({ text: 'What are the three lines of effort in the implementation plan?', ts });
    standIn.addThreadMessages('DPOLICY1', ts, [{ ts, user: 'UASKER1', text: String(first.text) }]);
    await signedPost(eventsUrl, eventEnvelope(first).body);
    await standIn.waitFor('the DM answer', () => postsInThread('DPOLICY1', ts).length > 0);

    const followTs = userTs();
    const follow = dmEvent({ text: 'Which document says that?', ts: followTs, threadTs: ts });
    standIn.addThreadMessages('DPOLICY1', ts, [{ ts: followTs, user: 'UASKER1', text: 'Which document says that?', thread_ts: ts }]);
    await signedPost(eventsUrl, eventEnvelope(follow).body);
    await standIn.waitFor('the follow-up answer', () => postsInThread('DPOLICY1', ts).length > 1);

    const replies = standIn.callsOf('conversations.replies').filter((c) => c.body.ts === ts);
    expect(replies.length).toBeGreaterThan(0);
    const status = standIn.callsOf('assistant.threads.setStatus').find((c) => c.body.thread_ts === ts);
    expect(status?.body.status).toBe('is searching the policy documents…');
    const answered = logs.lines.find((l) => l.msg === 'slack: answered' && l.surface === 'assistant' && (l.historyTurns as number) >= 2);
    expect(answered, 'the follow-up was answered with the earlier question and answer as history').toBeDefined();
  });

  it('opens an assistant thread with suggested prompts', async () => {
    const threadTs = userTs();
    await signedPost(
      eventsUrl,
      eventEnvelope({
        type: 'assistant_thread_started',
        assistant_thread: { user_id: 'UASKER1', context: {}, channel_id: 'DPANE1', thread_ts: threadTs },
        event_ts: threadTs,
      }).body,
    );
    const call = await standIn.waitFor('suggested prompts', () => standIn.callsOf('assistant.threads.setSuggestedPrompts').find((c) => c.body.thread_ts === threadTs));
    expect((call.body.prompts as unknown[]).length).toBeGreaterThan(0);
  });

  it('ignores its own messages, other bots, edits, joins and other subtypes', async () => {
    const ignored = [
      dmEvent({ text: 'What is the CAT policy?', ts: userTs(), user: STAND_IN_BOT.userId, extra: { bot_id: STAND_IN_BOT.botId } }),
      dmEvent({ text: 'What is the CAT policy?', ts: userTs(), extra: { bot_id: 'BOTHER', subtype: 'bot_message' } }),
      dmEvent({ text: 'What is the CAT policy?', ts: userTs(), extra: { subtype: 'message_changed' } }),
      dmEvent({ text: 'joined', ts: userTs(), extra: { subtype: 'channel_join' } }),
      { ...mentionEvent({ text: 'What is the CAT policy?', ts: userTs() }), bot_id: 'BOTHER' },
    ];
    const ids: string[] = [];
    for (const e of ignored) {
      const env = eventEnvelope(e);
      ids.push(env.eventId);
      expect((await signedPost(eventsUrl, env.body)).status).toBe(200);
    }
    // A real question sent after them is answered; by then the ignored ones have been processed.
    const sentinelTs = userTs();
    await signedPost(eventsUrl, eventEnvelope(dmEvent({ text: 'What are the three lines of effort?', ts: sentinelTs })).body);
    await standIn.waitFor('the sentinel answer', () => postsInThread('DPOLICY1', sentinelTs).length > 0);
    for (const e of ignored) expect(postsInThread(String(e.channel), String(e.ts))).toHaveLength(0);
    const claimed = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM slack_events WHERE event_id = ANY($1)', [ids]);
    expect(claimed[0]!.n).toBe(0);
  });

  it('rides out a 429 from the Web API with the client retry (Retry-After) and posts once', async () => {
    standIn.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const ts = userTs();
    await signedPost(eventsUrl, eventEnvelope(mentionEvent({ text: 'What are the three lines of effort?', ts, channel: 'CRATE' })).body);
    await standIn.waitFor('the answer after the 429', () => postsInThread('CRATE', ts).length > 0, 15_000);
    const limited = standIn.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429);
    expect(limited).toHaveLength(1);
    expect(postsInThread('CRATE', ts)).toHaveLength(1);
  });

  it('keeps a very long answer within Slack limits (split and truncated with a note)', async () => {
    // A document of three very long sentences, chunked large, gives long quotes through the real pipeline.
    const dir = await mkdtemp(path.join(tmpdir(), 'pd-long-'));
    try {
      const clause = (i: number) =>
        Array.from({ length: 60 }, (_, j) => `the quokka lanyard directive requires clause ${i}-${j} on zircon ferry manifests for every consignment`).join(', ');
      const doc = `# Quokka Lanyard Directive\n\n${[1, 2, 3].map((i) => `${clause(i)}.`).join('\n\n')}\n`;
      await writeFile(path.join(dir, 'quokka-lanyard-directive.md'), doc);
      await ingest({ ...services, config: { ...services.config, chunking: { targetChars: 8000, overlapChars: 0 } } }, [dir]);
      const ts = userTs();
      await signedPost(eventsUrl, eventEnvelope(mentionEvent({ text: 'What does the quokka lanyard directive require on zircon ferry manifests?', ts, channel: 'CLONG' })).body);
      const posts = await standIn.waitFor('the long answer', () => {
        const p = postsInThread('CLONG', ts);
        return p.some((c) => buttonValue(c, ACTION_IDS.helpful)) && p;
      });
      const total = posts.reduce((n, p) => n + JSON.stringify(p.body.blocks).length, 0);
      expect(total).toBeGreaterThan(9000);
      for (const p of posts) expect(messageViolations(asMessage(p))).toEqual([]);
      expect(JSON.stringify(posts.map((p) => p.body.blocks))).toMatch(/quote shortened to fit Slack|too long for Slack/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('when the database fails', () => {
    let brokenDb: Db;
    let broken: RunningSlackApp;
    let brokenUrl: string;
    let brokenLogs: CapturedLogs;

    beforeAll(async () => {
      // A real store that has gone away: opened, migrated, then closed under the running app.
      brokenDb = await openTestDb();
      brokenLogs = captureLogs();
      const s = await createServices(slackConfig(standIn), { db: brokenDb, logger: brokenLogs.logger, skipEmbedderCheck: true });
      broken = await startApp(s);
      brokenUrl = `http://127.0.0.1:${broken.port}/slack/events`;
      await brokenDb.close();
    });

    afterAll(async () => {
      await broken?.stop();
    });

    it('tells the user in a short message with a reference id, and logs the details under it', async () => {
      const ts = userTs();
      expect((await signedPost(brokenUrl, eventEnvelope(mentionEvent({ text: 'What are the three lines of effort?', ts, channel: 'CBROKEN' })).body)).status).toBe(200);
      const [post] = await standIn.waitFor('the error message', () => {
        const p = postsInThread('CBROKEN', ts);
        return p.length > 0 && p;
      });
      const text = String(post!.body.text);
      const ref = text.match(/reference ([0-9a-f]{8})/)?.[1];
      expect(ref, text).toBeDefined();
      expect(text.length).toBeLessThan(300);
      expect(text).not.toMatch(/select|insert|stack|at .*\.ts/i);
      const logged = await brokenLogs.waitFor('the failure log line', (l) => l.ref === ref);
      expect(logged.msg).toBe('slack request failed');
      expect(logged.err).toBeDefined();

      const res = await fetch(`http://127.0.0.1:${broken.port}/healthz`);
      expect(res.status).toBe(503);
    });

    it('answers /ask with the same short message instead of silence', async () => {
      const res = await signedPost(brokenUrl, commandForm({ text: 'What are the three lines of effort?', responseUrl: standIn.responseUrl('ask-broken') }), {
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(res.status).toBe(200);
      const reply = await standIn.waitFor('the /ask error', () => standIn.calls.find((c) => c.responseId === 'ask-broken'));
      expect(String(reply.body.text)).toMatch(/reference [0-9a-f]{8}/);
      expect(reply.body.response_type).toBe('ephemeral');
    });
  });
});
