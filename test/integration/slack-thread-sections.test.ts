import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { createServices, type Services } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { messageViolations } from '../../src/slack/limits.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { interactionForm, signedPost, slackTestConfig } from '../helpers/slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type RecordedCall, type SlackStandIn, type StoredMessage } from '../helpers/slack-stand-in.ts';

/*
 * The sections a reviewer acts on, through Bolt's receiver and the Slack stand-in, from the
 * hand-labelled threads in test/fixtures/threads: owners from mentions (shown as mentions),
 * agreement from 👍 reactions, decisions, open vs answered questions, a deleted message never
 * quoted and an edited one read as edited, and an attached PDF downloaded with the bot token,
 * read and cited by page. Extractive mode; the database is PGlite or Postgres (DATABASE_URL).
 */

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'threads');
const form = { contentType: 'application/x-www-form-urlencoded' as const };
const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 100 };

interface Fixture {
  channel: string;
  users: Record<string, { name: string; organization: string }>;
  messages: Array<StoredMessage & { files?: Array<{ name: string; local_path?: string }> }>;
}

let standIn: SlackStandIn;
let db: Db;
let services: Services;
let running: RunningSlackApp;
let eventsUrl: string;
const threads = new Map<string, Fixture>();

async function load(name: string): Promise<Fixture> {
  const f = JSON.parse(await readFile(path.join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;
  threads.set(name, f);
  return f;
}

function shortcut(channel: string, ts: string, id: string): string {
  return interactionForm({
    type: 'message_action',
    callback_id: 'summarize_thread',
    trigger_id: `${Date.now()}.trigger`,
    token: 'legacy-verification-token',
    api_app_id: STAND_IN_BOT.appId,
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: 'UMAYA', name: 'maya', team_id: STAND_IN_BOT.teamId },
    channel: { id: channel, name: 'review' },
    message_ts: ts,
    message: { type: 'message', ts, user: 'UMAYA', text: 'a message' },
    response_url: standIn.responseUrl(id),
  });
}

const blocksOf = (c: RecordedCall) => JSON.stringify(c.body.blocks ?? []);

async function summaryOf(name: string): Promise<string> {
  const f = threads.get(name)!;
  const root = f.messages[0]!.ts;
  await signedPost(eventsUrl, shortcut(f.channel, root, name), form);
  const posts = await standIn.waitFor(`the summary of ${name}`, () => {
    const p = standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === f.channel && c.body.thread_ts === root && blocksOf(c).includes('"type":"header"'));
    return p.length > 0 && p;
  });
  for (const p of posts) expect(messageViolations({ text: String(p.body.text ?? ''), blocks: p.body.blocks as never })).toEqual([]);
  return posts.map(blocksOf).join('');
}

beforeAll(async () => {
  standIn = await startSlackStandIn();
  const pdf = await readFile(path.join(FIXTURES, 'northstar-letter.pdf'));
  for (const name of ['01-cat-letters-review', '04-reactions-option-b', '07-deleted-edited-qa', '09-letter-attached']) {
    const f = await load(name);
    for (const m of f.messages) {
      if (!m.files) continue;
      // Files as Slack sends them: an id and a url_private_download that needs the bot token.
      m.files = m.files.map((x) => standIn.addFile({ id: `F${m.ts.replace('.', '')}`, name: x.name, mimetype: 'application/pdf', content: pdf })) as never;
    }
    standIn.addThreadMessages(f.channel, f.messages[0]!.ts, f.messages);
    standIn.addUsers(Object.entries(f.users).map(([id, u]) => ({ id, name: u.name, teamId: STAND_IN_BOT.teamId })));
    standIn.setMembers(f.channel, [...Object.keys(f.users), STAND_IN_BOT.userId]);
  }
  db = await openTestDb();
  const config = slackTestConfig(standIn);
  services = await createServices(config, { db, logger: captureLogs().logger });
  running = await startSlackApp(services, { port: 0, host: '127.0.0.1', retryConfig: FAST_RETRY });
  eventsUrl = `http://127.0.0.1:${running.port}/slack/events`;
});

afterAll(async () => {
  await running?.stop();
  await db?.close();
  await standIn?.stop();
});

describe(`thread summary sections in Slack (${dbLabel})`, () => {
  it('owners from mentions and from "I\'ll take ...", shown as mentions with the due date; the decision with its accepting messages', async () => {
    const text = await summaryOf('01-cat-letters-review');
    expect(text).toContain('*Action items*');
    // "<@UPRIYA> can you draft the response to Acme by Friday?" (Thursday 2025-10-09) and Keiko's own commitment.
    expect(text).toMatch(/can you draft the response to Acme by Friday\? — _owner: <@UPRIYA>; due by Friday \(2025-10-10\)_/);
    expect(text).toMatch(/I'll take the reply to Arms Control Watch and run it past DRL front office\. — _owner: <@UKEIKO>_/);
    expect(text).toContain('*Decisions*');
    expect(text).toMatch(/Decided: we'll go with the 30-day target for clean allied cases and screening before the clock starts\. — _held by Maya Chen; agreed: [^_]*Priya Natarajan/);
    // Jonas's question was answered by Priya: listed as answered, not open.
    expect(text).not.toContain('*Open questions*');
    expect(text).toMatch(/\*Answered questions\*\\n• How many of last year's allied cases had a credible report flagged\? — _answered by Priya Natarajan_/);
  });

  it('agreement from 👍 reactions, disagreement from a 👎', async () => {
    const text = await summaryOf('04-reactions-option-b');
    expect(text).toMatch(/\*Agreements\*\\n• B is the only option that addresses the diversion risk the letters document\. — _held by Iris Moreau; agreed: Hana Kim, Maya Chen; pushed back: Greg Tully_/);
    expect(text).toMatch(/\*Disagreements\*\\n• B is the only option[^_]*— _held by Iris Moreau; pushed back: Greg Tully_/);
  });

  it('a Q&A thread with a deleted and an edited message: nothing open, nothing invented, the deleted message never quoted', async () => {
    const text = await summaryOf('07-deleted-edited-qa');
    for (const section of ['Agreements', 'Disagreements', 'Decisions', 'Action items', 'Open questions']) expect(text).not.toContain(`*${section}*`);
    expect(text).toContain('*Answered questions*');
    expect(text).toContain('answered by Sam Okafor');
    expect(text).not.toContain('This message was deleted');
    expect(text).toContain('1 deleted message left out; 1 edited (read as edited)');
  });

  it('reads the attached PDF through the files API with the bot token and cites its points by page', async () => {
    const text = await summaryOf('09-letter-attached');
    const downloads = standIn.callsOf('file_download');
    expect(downloads.length).toBeGreaterThan(0);
    expect(downloads.every((d) => d.body.authorized === true)).toBe(true);
    expect(text).toContain('*Attached files*');
    expect(text).toMatch(/northstar-letter\.pdf\* \(3 pages\)/);
    expect(text).toMatch(/Co-production spreads sustainment work across allied industrial bases\.”_ \(northstar-letter\.pdf, p\. 2\)/);
    expect(text).toMatch(/\(northstar-letter\.pdf, p\. 3\)/);
    expect(text).toContain('1 file attached (1 read)');
    expect(text).toContain('*Decisions*');
  });
});
