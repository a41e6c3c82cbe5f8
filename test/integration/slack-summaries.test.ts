import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_DENIED_MESSAGE } from '../../src/comments/access.ts';
import { submitComment } from '../../src/comments/queue.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { createServices, type Services } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { messageViolations } from '../../src/slack/limits.ts';
import type { SlackMessage } from '../../src/slack/views/message.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.ts';
import { commandForm, dmEvent, eventEnvelope, interactionForm, mentionEvent, signedPost, slackTestConfig } from '../helpers/slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type RecordedCall, type SlackStandIn, type StoredMessage } from '../helpers/slack-stand-in.ts';
import { generateDocket } from '../helpers/docket-fixtures.ts';
import { generateThread, PEOPLE, SHORT_THREAD_TS, shortThread, TEAM_NAMES, THREAD_CHANNEL } from '../helpers/thread-fixtures.ts';

/*
 * Thread summaries through the real Bolt HTTP receiver with signed requests, against the Slack
 * Web API stand-in: paged conversations.replies with cursors, users.info/team.info lookups (and
 * their cache), the status line, delivery in the thread or privately, the membership check, and
 * Slack's failures. Extractive mode (no model); the LLM path has its own tests.
 */

const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 100 };
const ORIGIN = 'https://policy-desk-test.slack.com';
const form = { contentType: 'application/x-www-form-urlencoded' as const };

let standIn: SlackStandIn;
let db: Db;
let services: Services;
let logs: CapturedLogs;
let running: RunningSlackApp;
let eventsUrl: string;
let longThreadTs: string;
let longThreadReplyTs: string;

function blocksText(call: RecordedCall): string {
  return JSON.stringify(call.body.blocks ?? []);
}

function asMessage(call: RecordedCall): SlackMessage {
  return { text: String(call.body.text ?? ''), blocks: (call.body.blocks ?? []) as SlackMessage['blocks'] };
}

function messageShortcut(args: { user: string; channel: string; ts: string; threadTs?: string; responseUrl: string }): string {
  return interactionForm({
    type: 'message_action',
    callback_id: 'summarize_thread',
    trigger_id: `${Date.now()}.trigger`,
    token: 'legacy-verification-token',
    api_app_id: STAND_IN_BOT.appId,
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: args.user, name: 'someone', team_id: STAND_IN_BOT.teamId },
    channel: { id: args.channel, name: 'feedback' },
    message_ts: args.ts,
    message: { type: 'message', ts: args.ts, user: 'UDANA002', text: 'a message', ...(args.threadTs ? { thread_ts: args.threadTs } : {}) },
    response_url: args.responseUrl,
  });
}

const summaryPosts = (channel: string, threadTs: string) =>
  standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === channel && c.body.thread_ts === threadTs && blocksText(c).includes('"type":"header"'));
const responses = (id: string) => standIn.calls.filter((c) => c.responseId === id);

beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.repeatRootInPages = true;
  standIn.addUsers(PEOPLE.map((p) => ({ id: p.id, name: p.name, teamId: p.teamId, teamName: TEAM_NAMES[p.teamId] })));
  const long = generateThread(300, 5, { botUserId: STAND_IN_BOT.userId, botId: STAND_IN_BOT.botId });
  longThreadTs = long.threadTs;
  longThreadReplyTs = long.messages[120]!.ts;
  standIn.addThreadMessages(THREAD_CHANNEL, longThreadTs, long.messages as StoredMessage[]);
  standIn.addThreadMessages(THREAD_CHANNEL, SHORT_THREAD_TS, shortThread() as StoredMessage[]);
  standIn.setMembers(THREAD_CHANNEL, [...PEOPLE.map((p) => p.id), STAND_IN_BOT.userId]);
  db = await openTestDb();
  logs = captureLogs();
  const config = slackTestConfig(standIn, { STAFF_USER_IDS: 'UMAYA001' });
  services = await createServices(config, { db, logger: logs.logger });
  for (const g of generateDocket(40)) await submitComment(services, g.input);
  running = await startSlackApp(services, { port: 0, host: '127.0.0.1', retryConfig: FAST_RETRY });
  eventsUrl = `http://127.0.0.1:${running.port}/slack/events`;
});

afterAll(async () => {
  await running?.stop();
  await db?.close();
  await standIn?.stop();
});

describe(`thread summaries in Slack (${dbLabel})`, () => {
  it('message shortcut: reads every page, resolves names once, shows a status, posts the summary in the thread', async () => {
    const res = await signedPost(eventsUrl, messageShortcut({ user: 'UMAYA001', channel: THREAD_CHANNEL, ts: longThreadReplyTs, threadTs: longThreadTs, responseUrl: standIn.responseUrl('sc-1') }), form);
    expect(res.status).toBe(200);
    const [post] = await standIn.waitFor('the summary in the thread', () => summaryPosts(THREAD_CHANNEL, longThreadTs).length > 0 && summaryPosts(THREAD_CHANNEL, longThreadTs));

    // Paged with limit=200 and the cursor, from the thread's root.
    const pages = standIn.callsOf('conversations.replies').filter((c) => c.body.ts === longThreadTs);
    expect(pages.map((c) => [c.body.limit, c.body.cursor ?? null])).toEqual([
      ['200', null],
      ['200', 'c200'],
    ]);
    // One users.info per person, one team.info per workspace.
    expect(standIn.callsOf('users.info').map((c) => c.body.user).sort()).toEqual(PEOPLE.map((p) => p.id).sort());
    expect(standIn.callsOf('team.info').map((c) => c.body.team).sort()).toEqual(Object.keys(TEAM_NAMES).sort());

    const text = blocksText(post!);
    expect(text).toContain('Summary of the thread started by Maya Chen');
    expect(text).toMatch(new RegExp(`<${ORIGIN}/archives/${THREAD_CHANNEL}/p\\d{16}\\?thread_ts=${longThreadTs}&cid=${THREAD_CHANNEL}\\|(Dana Reyes|Omar Haddad|Lena Fischer|Tom Becker|Maya Chen|Priya Natarajan)>`));
    expect(text).toMatch(/\*(Dana Reyes|Omar Haddad)\* \((Acme Defense Systems|Arms Control Watch)\)/);
    expect(text).toContain('*Overview*');
    // Bot messages (a reminder bot and this app's own earlier summary) and deleted messages are not summarized.
    const all = summaryPosts(THREAD_CHANNEL, longThreadTs).map(blocksText).join('');
    expect(all).not.toContain('Reminder: the comment window');
    expect(all).not.toContain('Summary of this thread so far');
    expect(all).not.toContain('This message was deleted');
    for (const p of summaryPosts(THREAD_CHANNEL, longThreadTs)) expect(messageViolations(asMessage(p))).toEqual([]);

    // The requester's status line: replaced in place, then pointing at the summary.
    const status = await standIn.waitFor('the final status', () => {
      const r = responses('sc-1');
      return r.length >= 3 && r;
    });
    expect(status.map((c) => [c.body.text, c.body.replace_original, c.body.response_type])).toEqual([
      ['Reading the thread…', false, 'ephemeral'],
      [expect.stringMatching(/^Summarizing 2\d\d messages…$/), true, 'ephemeral'],
      ['Done: the summary is in the thread.', true, 'ephemeral'],
    ]);
    const logged = await logs.waitFor('the summary log', (l) => l.msg === 'slack: thread summarized' && l.surface === 'shortcut');
    expect(logged).toMatchObject({ messages: 300, mode: 'extractive' });

    // A second summary of the same thread asks Slack for nobody's name again.
    const before = standIn.callsOf('users.info').length + standIn.callsOf('team.info').length;
    await signedPost(eventsUrl, messageShortcut({ user: 'UPRIY006', channel: THREAD_CHANNEL, ts: longThreadTs, responseUrl: standIn.responseUrl('sc-2') }), form);
    await standIn.waitFor('the second summary', () => summaryPosts(THREAD_CHANNEL, longThreadTs).length >= 2);
    expect(standIn.callsOf('users.info').length + standIn.callsOf('team.info').length).toBe(before);
  });

  it('/summarize <link> private: checks the requester is in that conversation, replies only to them', async () => {
    const link = `${ORIGIN}/archives/${THREAD_CHANNEL}/p1760100060000101?thread_ts=${SHORT_THREAD_TS}&cid=${THREAD_CHANNEL}`;
    const postsBefore = summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length;
    const res = await signedPost(eventsUrl, commandForm({ command: '/summarize', text: `<${link}> private`, user: 'UDANA002', channel: 'COTHER01', responseUrl: standIn.responseUrl('cmd-1') }), form);
    expect(res.status).toBe(200);
    const delivered = await standIn.waitFor('the private summary', () => responses('cmd-1').find((c) => JSON.stringify(c.body.blocks ?? []).includes('"type":"header"')));
    expect(delivered.body.response_type).toBe('ephemeral');
    const text = blocksText(delivered);
    expect(text).toContain('*Open questions*');
    expect(text).toContain('How would the guidance measure whether end-use monitoring actually reduces diversion risk?');
    expect(text).toMatch(/owner: <@UMAYA001>/);
    const check = standIn.callsOf('chat.postEphemeral').find((c) => c.body.user === 'UDANA002' && c.body.channel === THREAD_CHANNEL);
    expect(check?.body.thread_ts).toBe(SHORT_THREAD_TS);
    expect(summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length).toBe(postsBefore);
    expect(messageViolations(asMessage(delivered))).toEqual([]);
  });

  it('/summarize refuses a thread the requester cannot see, before reading it', async () => {
    const readsBefore = standIn.callsOf('conversations.replies').length;
    const link = `${ORIGIN}/archives/${THREAD_CHANNEL}/p${SHORT_THREAD_TS.replace('.', '')}`;
    await signedPost(eventsUrl, commandForm({ command: '/summarize', text: link, user: 'USTRANGER', channel: 'COTHER01', responseUrl: standIn.responseUrl('cmd-2') }), form);
    const reply = await standIn.waitFor('the refusal', () => responses('cmd-2').find((c) => String(c.body.text).includes('I can only summarize')));
    expect(reply.body.text).toBe('I can only summarize threads in conversations that both you and Policy Desk are in.');
    expect(standIn.callsOf('conversations.replies').length).toBe(readsBefore);
  });

  it('/summarize without a link explains itself in the acknowledgement', async () => {
    const res = await signedPost(eventsUrl, commandForm({ command: '/summarize', text: 'this thread please', user: 'UDANA002', channel: THREAD_CHANNEL, responseUrl: standIn.responseUrl('cmd-3') }), form);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Give me a link to a message in the thread') });
  });

  it('"@Policy Desk summarize this thread" inside a thread: a status message in the thread, then the summary, once per event', async () => {
    const ts = standIn.nextTs();
    const { body } = eventEnvelope(mentionEvent({ text: 'summarize this thread', channel: THREAD_CHANNEL, ts, threadTs: SHORT_THREAD_TS, user: 'ULENA004' }));
    const before = summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length;
    expect((await signedPost(eventsUrl, body)).status).toBe(200);
    await standIn.waitFor('the summary', () => summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length > before);
    const statusPost = standIn.callsOf('chat.postMessage').find((c) => c.body.thread_ts === SHORT_THREAD_TS && c.body.text === 'Reading the thread…');
    expect(statusPost).toBeDefined();
    expect(standIn.callsOf('chat.update').some((c) => c.body.text === 'Summarizing 10 messages…')).toBe(true);
    await standIn.waitFor('the status removed', () => standIn.callsOf('chat.delete').length > 0);
    // Slack retries the event: no second summary.
    await signedPost(eventsUrl, body, { retryNum: 1, retryReason: 'http_timeout' });
    await logs.waitFor('the duplicate skipped', (l) => l.msg === 'slack: duplicate delivery skipped');
    expect(summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length).toBe(before + 1);
    // A question that merely mentions summaries is still a question.
    expect((await import('../../src/slack/summarizing.ts')).parseSummarizeText('How does the 2023 policy summarize human rights risks?')).toBeNull();
  });

  it('"summarize this thread" outside a thread gets a how-to instead', async () => {
    const ts = standIn.nextTs();
    await signedPost(eventsUrl, eventEnvelope(mentionEvent({ text: 'please summarize this thread', channel: 'CGENERAL1', ts, user: 'ULENA004' })).body);
    const reply = await standIn.waitFor('the how-to', () => standIn.callsOf('chat.postMessage').find((c) => c.body.channel === 'CGENERAL1' && c.body.thread_ts === ts));
    expect(String(reply.body.text)).toContain('Say that inside the thread you want summarized');
  });

  it('a DM with a link: the summary comes back in the DM thread, private by nature', async () => {
    const ts = standIn.nextTs();
    const link = `${ORIGIN}/archives/${THREAD_CHANNEL}/p${SHORT_THREAD_TS.replace('.', '')}`;
    await signedPost(eventsUrl, eventEnvelope(dmEvent({ text: `summarize <${link}>`, channel: 'DLENA01', ts, user: 'ULENA004' })).body);
    const [post] = await standIn.waitFor('the DM summary', () => summaryPosts('DLENA01', ts).length > 0 && summaryPosts('DLENA01', ts));
    expect(blocksText(post!)).toContain('Summary of the thread started by Maya Chen');
    expect(standIn.callsOf('chat.postEphemeral').some((c) => c.body.user === 'ULENA004' && c.body.channel === THREAD_CHANNEL)).toBe(true);
  });

  it('the assistant pane: "summarize <link>" in an assistant thread, with the pane status line', async () => {
    const root = standIn.nextTs();
    const ts = standIn.nextTs();
    standIn.addThreadMessages('DPANE9', root, [{ ts: root, user: 'UTOMB005', text: 'Hi' }]);
    const link = `${ORIGIN}/archives/${THREAD_CHANNEL}/p${SHORT_THREAD_TS.replace('.', '')}`;
    await signedPost(eventsUrl, eventEnvelope(dmEvent({ text: `Can you summarize <${link}> for me?`, channel: 'DPANE9', ts, threadTs: root, user: 'UTOMB005' })).body);
    await standIn.waitFor('the pane summary', () => summaryPosts('DPANE9', root).length > 0);
    const statuses = () => standIn.callsOf('assistant.threads.setStatus').filter((c) => c.body.thread_ts === root).map((c) => c.body.status);
    await standIn.waitFor('the status cleared', () => statuses().includes(''));
    expect(statuses()).toEqual(['is reading the thread…', 'is summarizing 10 messages…', '']);
  });

  it("tells the requester what to do when Slack won't hand over the thread", async () => {
    standIn.failNext('conversations.replies', { error: 'not_in_channel' });
    await signedPost(eventsUrl, messageShortcut({ user: 'UMAYA001', channel: THREAD_CHANNEL, ts: SHORT_THREAD_TS, responseUrl: standIn.responseUrl('sc-3') }), form);
    const reply = await standIn.waitFor('the explanation', () => responses('sc-3').find((c) => String(c.body.text).includes("can't read")));
    expect(reply.body.text).toMatch(/Add Policy Desk to the channel/);
  });

  it('waits out a rate limit (429 with Retry-After) and still delivers', async () => {
    standIn.failNext('conversations.replies', { status: 429, retryAfter: 1 });
    const before = summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length;
    await signedPost(eventsUrl, messageShortcut({ user: 'UMAYA001', channel: THREAD_CHANNEL, ts: SHORT_THREAD_TS, responseUrl: standIn.responseUrl('sc-4') }), form);
    await standIn.waitFor('the summary after the 429', () => summaryPosts(THREAD_CHANNEL, SHORT_THREAD_TS).length > before, 15_000);
    expect(standIn.calls.some((c) => c.method === 'conversations.replies' && c.status === 429)).toBe(true);
  });

  it('/comments summary shareable (staff): a status line, then the docket summary only for the requester, no comment without consent', async () => {
    const res = await signedPost(eventsUrl, commandForm({ command: '/comments', text: 'summary shareable', user: 'UMAYA001', channel: 'CSTAFF01', responseUrl: standIn.responseUrl('dk-1') }), form);
    expect(res.status).toBe(200);
    const delivered = await standIn.waitFor('the docket summary', () => responses('dk-1').find((c) => blocksText(c).includes('"type":"header"')));
    expect(delivered.body.response_type).toBe('ephemeral');
    expect(responses('dk-1')[0]!.body.text).toBe('Reading the comments…');
    const text = responses('dk-1').filter((c) => c.body.blocks).map(blocksText).join('');
    expect(text).toContain('Docket summary');
    expect(text).toMatch(/campaign of \d+ comments, counted once/);
    expect(text).toContain('without consent to publish (counted, never quoted or cited in this shareable summary)');
    const noConsent = await db.query<{ t: string }>('SELECT tracking_number AS t FROM comments WHERE NOT consent_to_publish');
    expect(noConsent.length).toBeGreaterThan(0);
    for (const { t } of noConsent) expect(text).not.toContain(t);
    for (const m of responses('dk-1').filter((c) => c.body.blocks)) expect(messageViolations(asMessage(m))).toEqual([]);
  });

  it('/comments summary is refused to a stakeholder from another organization', async () => {
    await signedPost(eventsUrl, commandForm({ command: '/comments', text: 'summary', user: 'UDANA002', channel: THREAD_CHANNEL, responseUrl: standIn.responseUrl('dk-2') }), form);
    const reply = await standIn.waitFor('the refusal', () => responses('dk-2').find((c) => String(c.body.text).includes('only Policy Desk staff')));
    expect(reply.body.text).toBe(ACCESS_DENIED_MESSAGE);
    expect(responses('dk-2').some((c) => blocksText(c).includes('"type":"header"'))).toBe(false);
  });
});
