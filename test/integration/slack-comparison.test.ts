import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR, ingestPaths, sourceFor } from '../../ingest/pipeline.ts';
import { applyFolderCatalogs, ask, createServices, ingest, type Services } from '../../src/app/services.ts';
import { applyCatalogs } from '../../src/catalog/catalog-file.ts';
import type { Config } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { messageViolations, SLACK_LIMITS } from '../../src/slack/limits.ts';
import { SHORTENED_NOTE, SILENT_SIDE } from '../../src/slack/views/comparison.ts';
import type { SlackMessage } from '../../src/slack/views/message.ts';
import { CORPUS_IDS } from '../helpers/corpus.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { eventEnvelope, mentionEvent, signedPost, slackTestConfig } from '../helpers/slack-requests.ts';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../helpers/slack-stand-in.ts';

/**
 * Comparison questions through the Slack app, end to end (signed event in, Web API stand-in out):
 * the documents side by side, one column (a section field) per document, or one section per
 * document when a side is too long for a field, always within Block Kit's limits.
 */

type Block = Record<string, any>;

function slackConfig(standIn: SlackStandIn): Config {
  return slackTestConfig(standIn);
}

// Two versions of a made-up policy whose sentences on end-use checks are far longer than a field.
const LONG_CLAUSE = (year: number, i: number) =>
  `under the ${year} rules the exporter of record shall arrange an end-use check of widget consignment number ${i} with the receiving ministry, keep the signed delivery verification certificate, the shipping manifest, the bill of lading and the serial numbers of every widget in the consignment, and report any discrepancy between the manifest and the goods found on inspection to the licensing office`;
function longSentence(year: number, word: string): string {
  return `Widget end-use checks ${word}: ${Array.from({ length: 9 }, (_, i) => LONG_CLAUSE(year, i + 1)).join('; ')}.`;
}
const WIDGET_2019 = `Widget Export Policy 2019\n\nThis widget export policy was issued in 2019 by the Widget Licensing Office.\n\n${longSentence(2019, 'are required')}\n\n${longSentence(2019, 'remain required')}\n`;
const WIDGET_2024 = `Widget Export Policy 2024\n\nThis revised widget export policy replaces the 2019 widget export policy.\n\n${longSentence(2024, 'are mandatory')}\n\n${longSentence(2024, 'stay mandatory')}\n\nDrone registration with the national registry is required for every widget drone before shipment.\n`;
const WIDGET_CATALOG = `documents:
  - file: widget-export-policy-2019.txt
    issued: 2019-05
  - file: widget-export-policy-2024.txt
    issued: 2024-03
    status: current
    supersedes: [widget-export-policy-2019.txt]
`;

function blocksOf(call: RecordedCall): Block[] {
  return (call.body.blocks ?? []) as Block[];
}

function asMessage(call: RecordedCall): SlackMessage {
  return { text: String(call.body.text ?? ''), blocks: blocksOf(call) as unknown as SlackMessage['blocks'] };
}

/** The side-by-side blocks of an answer: a section with fields, or the comparison_side_N sections. */
function sideBlocks(posts: RecordedCall[]): Block[] {
  return posts.flatMap(blocksOf).filter((b) => b.type === 'section' && String(b.block_id ?? '').startsWith('comparison_side'));
}

describe(`Slack comparison answers, side by side (${dbLabel})`, () => {
  let standIn: SlackStandIn;
  let db: Db;
  let services: Services;
  let running: RunningSlackApp;
  let eventsUrl: string;
  let dir: string;

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    db = await openTestDb();
    services = await createServices(slackConfig(standIn), { db, logger: captureLogs().logger });
    await ingest(services, [BUNDLED_CORPUS_DIR]);
    await applyFolderCatalogs(services, [BUNDLED_CORPUS_DIR]);
    // The widget policies in chunks large enough to keep each long sentence whole.
    dir = await mkdtemp(path.join(tmpdir(), 'pd-widgets-'));
    await writeFile(path.join(dir, 'widget-export-policy-2019.txt'), WIDGET_2019);
    await writeFile(path.join(dir, 'widget-export-policy-2024.txt'), WIDGET_2024);
    await writeFile(path.join(dir, 'catalog.yml'), WIDGET_CATALOG);
    await ingestPaths({ db, embedder: services.embedder, chunking: { targetChars: 8000, overlapChars: 0 } }, [dir]);
    await applyCatalogs(db, [dir], { sourceFor });
    running = await startSlackApp(services, { port: 0, host: '127.0.0.1' });
    eventsUrl = `http://127.0.0.1:${running.port}/slack/events`;
  });

  afterAll(async () => {
    await running?.stop();
    await db?.close();
    await standIn?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function askInSlack(question: string): Promise<RecordedCall[]> {
    const ts = standIn.nextTs();
    const res = await signedPost(eventsUrl, eventEnvelope(mentionEvent({ text: question, ts })).body);
    expect(res.status).toBe(200);
    const posts = await standIn.waitFor('the answer in the thread', () => {
      const p = standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CPOLICY1' && c.body.thread_ts === ts);
      // The feedback buttons close the last message of an answer.
      return p.some((c) => blocksOf(c).some((b) => b.type === 'actions')) && p;
    });
    for (const post of posts) expect(messageViolations(asMessage(post))).toEqual([]);
    return posts;
  }

  it('"what changed between 2018 and 2023 on human rights": one column per document, each with its title, date, status and quotes', async () => {
    const question = 'What changed between the 2018 and 2023 policies on human rights?';
    const answer = await ask(services, question);
    expect(answer.comparison?.map((s) => s.document.id)).toEqual([CORPUS_IDS.policy2018, CORPUS_IDS.policy2023]);

    const posts = await askInSlack(question);
    const sides = sideBlocks(posts);
    expect(sides).toHaveLength(1);
    const fields = sides[0]!.fields as Array<{ type: string; text: string }>;
    expect(fields).toHaveLength(2);
    expect(fields.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
    for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFieldText);
    const [old, current] = fields.map((f) => f.text);
    expect(old).toMatch(/^\*U\.S\. Conventional Arms Transfer Policy\*\nApr 19, 2018 · superseded\n/);
    expect(current).toMatch(/^\*The U\.S\. Conventional Arms Transfer Policy\*\nFeb 2023 \(catalog\) · current\n/);
    // Each column quotes its own document verbatim (as a block quote), with the citation number.
    answer.comparison!.forEach((side, i) => {
      const text = fields[i]!.text;
      if (side.silent) expect(text).toContain(SILENT_SIDE);
      for (const c of side.citations) {
        expect(text).toContain(`*[${c.n}]*`);
        expect(text).toContain(`>${c.quote.split('\n')[0]!.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`);
      }
    });
    expect(answer.comparison!.some((s) => s.citations.length > 0)).toBe(true);
    expect(JSON.stringify(blocksOf(posts[0]!))).toContain('Side by side on human rights');
  });

  it('a side with nothing on the topic says so in its column', async () => {
    const question = 'Compare how the 2019 and 2024 widget export policies treat drone registration';
    const answer = await ask(services, question);
    expect(answer.comparison?.map((s) => [s.document.title, s.silent])).toEqual([
      ['Widget Export Policy 2019', true],
      ['Widget Export Policy 2024', false],
    ]);
    const posts = await askInSlack(question);
    const [sides, ...more] = sideBlocks(posts);
    expect(more).toHaveLength(0);
    const [old, current] = (sides!.fields as Array<{ text: string }>).map((f) => f.text);
    expect(old).toBe(`*Widget Export Policy 2019*\nMay 2019 (catalog) · superseded\n${SILENT_SIDE}`);
    expect(current).toMatch(/^\*Widget Export Policy 2024\*\nMar 2024 \(catalog\) · current\n\*\[1\]\*\n>Drone registration with the national registry is required for every widget drone before shipment\.$/);
    expect(current).not.toContain(SILENT_SIDE);
  });

  it('quotes too long for a field: one section per document, shortened with a note, still within the limits', async () => {
    const question = 'What changed between the 2019 and 2024 widget export policies on widget end-use checks?';
    const answer = await ask(services, question);
    const sidesOf = answer.comparison ?? [];
    expect(sidesOf.map((s) => s.document.title)).toEqual(['Widget Export Policy 2019', 'Widget Export Policy 2024']);
    // Without shortening, each side's quotes alone would overflow a field and a section.
    for (const s of sidesOf) expect(s.citations.reduce((n, c) => n + c.quote.length, 0)).toBeGreaterThan(SLACK_LIMITS.sectionText);

    const posts = await askInSlack(question);
    const sides = sideBlocks(posts);
    expect(sides.map((b) => b.block_id)).toEqual(['comparison_side_1', 'comparison_side_2']);
    for (const [i, b] of sides.entries()) {
      expect(b.fields).toBeUndefined();
      const text = b.text.text as string;
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(text).toContain(SHORTENED_NOTE);
      expect(text).toMatch(new RegExp(`^\\*${sidesOf[i]!.document.title}\\*\\n${i === 0 ? 'May 2019 \\(catalog\\) · superseded' : 'Mar 2024 \\(catalog\\) · current'}\\n`));
      // The shortened quote is the start of the real one.
      const first = sidesOf[i]!.citations[0]!;
      expect(text).toContain(`>${first.quote.slice(0, 200)}`);
    }
    expect(posts.flatMap(blocksOf).length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks * posts.length);
  });
});
