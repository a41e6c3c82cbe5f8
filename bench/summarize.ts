/**
 * Summary time in extractive mode (no model):
 *   npx tsx bench/summarize.ts [thread messages=1000] [docket comments=10000] [runs=5]
 *
 * 1. A generated thread (test/helpers/thread-fixtures.ts) of N messages: the summarizer alone
 *    (conversations.replies JSON → Summary), and end to end through the Slack app: a signed
 *    "Summarize this thread" shortcut to Bolt's HTTP receiver → paged conversations.replies,
 *    users.info and team.info at the local Web API stand-in → the summary posted in the thread.
 * 2. A generated docket (test/helpers/docket-fixtures.ts) of N comments inserted into the comment
 *    store in batches of 500 rows (PGlite in memory, or a private schema on DATABASE_URL), one
 *    form-letter campaign grouped as the store groups exact duplicates; then summarizeDocket()
 *    as `policy-desk comments summary` runs it: read (keyset pages) + group + quote.
 *
 * Prints figures (median and max of the runs), asserts nothing.
 */
import { loadPrompts } from '../src/answer/prompts.ts';
import { CLI_ACTOR } from '../src/comments/access.ts';
import { dedupeTextOf, textHash } from '../src/comments/dedupe.ts';
import { newTrackingNumber } from '../src/comments/queue.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createServices } from '../src/app/services.ts';
import { startSlackApp } from '../src/slack/app.ts';
import { summarizeDocket } from '../src/summarize/docket.ts';
import { messagePermalink, toThreadMessages } from '../src/summarize/replies.ts';
import { summarizeThread } from '../src/summarize/thread.ts';
import type { SummaryProgress } from '../src/summarize/types.ts';
import { openTestDb } from '../test/helpers/db.ts';
import { CAMPAIGN_LETTER, generateDocket } from '../test/helpers/docket-fixtures.ts';
import { interactionForm, signedPost, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../test/helpers/slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type StoredMessage } from '../test/helpers/slack-stand-in.ts';
import { generateThread, PEOPLE, TEAM_NAMES, THREAD_CHANNEL } from '../test/helpers/thread-fixtures.ts';
import { machine } from './lib.ts';

const threadSize = Math.min(20_000, Math.max(10, Number(process.argv[2] ?? 1000)));
const docketSize = Math.min(100_000, Math.max(10, Number(process.argv[3] ?? 10_000)));
const runs = Math.min(20, Math.max(1, Number(process.argv[4] ?? 5)));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const line = (label: string, xs: number[]) => console.log(`  ${label.padEnd(44)} median ${fmt(median(xs)).padStart(8)}   max ${fmt(Math.max(...xs)).padStart(8)}   (${xs.length} runs)`);

const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', LOG_LEVEL: 'error' };
const config = loadConfig(env);
const prompts = await loadPrompts();
const logger = createLogger('error');
console.log(`machine: ${machine()}`);
console.log(`store: ${config.databaseUrl ? 'Postgres (private schema)' : 'PGlite in memory'}; extractive mode`);

// ---------------------------------------------------------------------------------------
// Thread

{
  const { messages: raw, threadTs } = generateThread(threadSize, 42, { botUserId: STAND_IN_BOT.userId, botId: STAND_IN_BOT.botId });
  const people = new Map(PEOPLE.map((p) => [p.id, { name: p.name, organization: p.organization }]));
  const times: number[] = [];
  let summarized = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const messages = toThreadMessages(raw, { people, botUserId: STAND_IN_BOT.userId, permalink: (ts) => messagePermalink('https://x.slack.com', THREAD_CHANNEL, ts, threadTs) });
    const s = await summarizeThread({ config, logger, prompts }, { messages });
    times.push(performance.now() - t0);
    summarized = s.stats.thread!.summarized;
  }
  console.log(`\nthread of ${threadSize.toLocaleString('en-US')} messages (${summarized.toLocaleString('en-US')} from people):`);
  line('summarizer (messages -> Summary)', times);

  // End to end through Bolt and the Web API stand-in.
  const standIn = await startSlackStandIn();
  standIn.addUsers(PEOPLE.map((p) => ({ id: p.id, name: p.name, teamId: p.teamId, teamName: TEAM_NAMES[p.teamId] })));
  standIn.addThreadMessages(THREAD_CHANNEL, threadTs, raw as StoredMessage[]);
  const db = await openTestDb();
  const services = await createServices(
    loadConfig({ ...env, SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_APP_TOKEN: '', SLACK_API_URL: standIn.apiUrl, PORT: '0' }),
    { db, logger },
  );
  const app = await startSlackApp(services, { port: 0, host: '127.0.0.1' });
  const e2e: number[] = [];
  let pages = 0;
  for (let i = 0; i < runs; i++) {
    const before = standIn.callsOf('chat.postMessage').length;
    const readsBefore = standIn.callsOf('conversations.replies').length;
    const t0 = performance.now();
    await signedPost(
      `http://127.0.0.1:${app.port}/slack/events`,
      interactionForm({
        type: 'message_action',
        callback_id: 'summarize_thread',
        trigger_id: `${Date.now()}.trigger`,
        team: { id: STAND_IN_BOT.teamId },
        user: { id: PEOPLE[0]!.id },
        channel: { id: THREAD_CHANNEL },
        message_ts: threadTs,
        message: { type: 'message', ts: threadTs, text: 'x' },
        response_url: standIn.responseUrl(`bench-${i}`),
      }),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    await standIn.waitFor('the summary', () => standIn.callsOf('chat.postMessage').slice(before).some((c) => JSON.stringify(c.body.blocks ?? []).includes('"type":"header"')), 120_000);
    e2e.push(performance.now() - t0);
    pages = standIn.callsOf('conversations.replies').length - readsBefore;
  }
  line(`Slack shortcut -> summary posted (${pages} pages)`, e2e);
  await app.stop();
  await db.close();
  await standIn.stop();
}

// ---------------------------------------------------------------------------------------
// Docket

{
  const db = await openTestDb();
  const generated = generateDocket(docketSize, 11, { campaignShare: 0.15 });
  const t0 = performance.now();
  const BATCH = 500;
  const COLUMNS = 14;
  for (let i = 0; i < generated.length; i += BATCH) {
    const batch = generated.slice(i, i + BATCH);
    const params: unknown[] = [];
    const values = batch.map((g, j) => {
      const c = g.input;
      const dedupe = dedupeTextOf({ text: c.text });
      params.push(
        newTrackingNumber(),
        c.submitterName,
        c.email ?? null,
        c.organization ?? null,
        c.organizationType,
        c.topic ?? null,
        c.text,
        c.consentToPublish,
        c.source,
        new Date(c.receivedAt as Date),
        dedupe,
        textHash(dedupe),
        'new',
        `bench-${i + j}`,
      );
      const base = j * COLUMNS;
      return `(${Array.from({ length: COLUMNS }, (_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    await db.query(
      `INSERT INTO comments (tracking_number, submitter_name, email, organization, organization_type, topic, body, consent_to_publish,
                             source, received_at, dedupe_text, text_hash, status, idempotency_key)
       VALUES ${values.join(', ')}`,
      params,
    );
  }
  // The form letters are one campaign, as the store's exact-duplicate check makes them.
  const hash = textHash(dedupeTextOf({ text: CAMPAIGN_LETTER }));
  await db.transaction(async (tx) => {
    const [first] = await tx.query<{ id: number; n: number }>('SELECT min(id)::int AS id, count(*)::int AS n FROM comments WHERE text_hash = $1', [hash]);
    await tx.query('INSERT INTO campaigns (id, size, representative_id) VALUES ($1, $2, $3)', ['cmp-benchletter', first!.n, first!.id]);
    await tx.query("UPDATE comments SET campaign_id = 'cmp-benchletter', duplicate_kind = 'exact' WHERE text_hash = $1", [hash]);
  });
  const insertMs = performance.now() - t0;
  const [count] = await db.query<{ n: number; letters: number }>("SELECT count(*)::int AS n, count(*) FILTER (WHERE campaign_id IS NOT NULL)::int AS letters FROM comments");
  console.log(`\ndocket of ${count!.n.toLocaleString('en-US')} comments (${count!.letters.toLocaleString('en-US')} form letters in one campaign), inserted in ${fmt(insertMs)}:`);

  const services = { db, config: loadConfig(env), logger, prompts };
  const total: number[] = [];
  const reading: number[] = [];
  const grouping: number[] = [];
  for (const shareable of [false, true]) {
    total.length = 0;
    reading.length = 0;
    grouping.length = 0;
    let themes = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      let readDone = 0;
      const s = await summarizeDocket(services, CLI_ACTOR, {
        shareable,
        onProgress: (p: SummaryProgress) => {
          if (p.phase === 'select' && p.done === 0) readDone = performance.now();
        },
      });
      const end = performance.now();
      total.push(end - t);
      reading.push(readDone - t);
      grouping.push(end - readDone);
      themes = s.themes.length;
    }
    console.log(`  ${shareable ? 'shareable' : 'staff'} summary (${themes} themes):`);
    line('  read from the store (keyset pages of 1,000)', reading);
    line('  group, count and quote', grouping);
    line('  total', total);
  }
  await db.close();
}
