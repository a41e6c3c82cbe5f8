import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrompts } from '../../src/answer/prompts.ts';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { assignPositions, listDockets, llmReader, setPosition } from '../../src/comments/docket-positions.ts';
import { exportComments } from '../../src/comments/export.ts';
import { importComments } from '../../src/comments/mail-import.ts';
import { getAuditLog, listComments } from '../../src/comments/queue.ts';
import type { Comment } from '../../src/comments/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { createLogger } from '../../src/log.ts';
import { summarizeDocket } from '../../src/summarize/docket.ts';
import { commentDeps, testConfig } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { reply, startOpenAIStandIn, type OpenAIStandIn } from '../helpers/openai-stand-in.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'regulations');
const PROPOSAL = 'Relax the school meal nutrition standards: allow flavored low-fat milk, fewer whole-grain foods, and delay the sodium target';
const FORM = 'Please do not weaken the school nutrition standards. Keep the sodium limits as they are. Children deserve healthy meals.';

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;
let dir: string;
let standIn: OpenAIStandIn;

const all = async (): Promise<Comment[]> => (await listComments(deps, CLI_ACTOR, { limit: 500, order: 'oldest' })).comments;
const byId = async (id: string) => (await all()).find((c) => c.sourceDocumentId === id)!;

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  dir = await mkdtemp(path.join(tmpdir(), 'pd-positions-'));
  await copyFile(path.join(FIXTURES, 'analysts.csv'), path.join(dir, 'analysts.csv'));
  // A form letter sent three times (one regulations.gov row counts 40 more copies).
  await writeFile(
    path.join(dir, 'campaign.csv'),
    ['Document ID,Docket ID,Comment,Duplicate Comments', ...[1, 2, 3].map((i) => `FNS-2017-0021-09${i}0,FNS-2017-0021,"${FORM}",${i === 1 ? 40 : 0}`)].join('\n'),
  );
  await importComments(deps, CLI_ACTOR, [dir], { proposal: PROPOSAL });
  standIn = await startOpenAIStandIn();
}, 120_000);
afterAll(async () => {
  await db?.close();
  await standIn?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`positions on the docket's proposal (${dbLabel})`, () => {
  it('records the proposal with the docket and the document it comments on', async () => {
    expect(await listDockets(deps)).toEqual([{ id: 'FNS-2017-0021', proposal: PROPOSAL, commentOnDocumentId: null }]);
  });

  it('gives each comment a position with a verbatim sentence, read against the proposal', async () => {
    const keep = await byId('FNS-2017-0021-0101');
    expect(keep).toMatchObject({ position: 'opposes', positionMethod: 'cues' });
    expect(keep.text).toContain(keep.positionQuote!);
    expect(await byId('FNS-2017-0021-0103')).toMatchObject({ position: 'supports' });
    expect(await byId('FNS-2017-0021-0107')).toMatchObject({ position: 'mixed' });
    expect(await byId('FNS-2017-0021-0108')).toMatchObject({ position: 'unclear', positionQuote: null });
  });

  it('reads a campaign once: every copy takes its form letter\'s position', async () => {
    const copies = (await all()).filter((c) => c.text === FORM);
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((c) => c.campaignId)).size).toBe(1);
    expect(copies.map((c) => [c.position, c.positionMethod])).toEqual([['opposes', 'cues'], ['opposes', 'campaign'], ['opposes', 'campaign']]);
  });

  it('keeps a reviewer\'s correction, audited, over every later reading', async () => {
    const c = await byId('FNS-2017-0021-0108');
    const changed = await setPosition(deps, CLI_ACTOR, c.id, 'supports', { note: 'the attached letter supports it' });
    expect(changed).toMatchObject({ position: 'supports', positionMethod: 'reviewer' });
    await expect(setPosition(deps, CLI_ACTOR, c.id, 'supports', { quote: 'a sentence that is not in the comment' })).rejects.toThrow(/not a sentence of the comment/);
    await expect(setPosition(deps, CLI_ACTOR, c.id, 'maybe')).rejects.toThrow(/Positions: supports, opposes, mixed, unclear/);
    const run = await assignPositions(deps, { all: true });
    expect(run.read).toBeGreaterThan(5);
    expect(await byId('FNS-2017-0021-0108')).toMatchObject({ position: 'supports', positionMethod: 'reviewer' });
    const audit = (await getAuditLog(deps, CLI_ACTOR, c.id)).filter((a) => a.action === 'position');
    expect(audit.at(-1)).toMatchObject({ actor: 'cli', from: 'unclear', to: 'supports', note: 'the attached letter supports it' });
  });

  it('the docket summary counts positions overall, per organization label and per theme, each with a quote; a campaign once with its copies', async () => {
    const s = await summarizeDocket({ ...deps, config: testConfig({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '' }), prompts: await loadPrompts() }, CLI_ACTOR, {});
    const d = s.stats.docket!;
    expect(d.byPosition!.opposes!.count).toBeGreaterThanOrEqual(3);
    expect((await all()).map((c) => c.text).some((t) => t.includes(d.byPosition!.opposes!.quote!.text))).toBe(true);
    expect(d.positionsByOrganizationLabel!.Constituent).toMatchObject({ opposes: 2 });
    expect(d.byOrganizationLabel).toMatchObject({ Constituent: 2, School: 1 });
    // The form letter: 3 stored copies, one of which regulations.gov says stands for 40 more.
    const campaign = s.campaigns.find((c) => c.stored === 3);
    expect(campaign).toMatchObject({ size: 43, stored: 3 });
    expect(s.themes.some((t) => t.byPosition && Object.keys(t.byPosition).length > 0)).toBe(true);
  });

  it('exports position and quote in JSON', async () => {
    const out = await exportComments(deps, CLI_ACTOR, { format: 'json' });
    const rec = (JSON.parse(out.content) as Array<Record<string, unknown>>).find((r) => r.documentId === 'FNS-2017-0021-0101')!;
    expect(rec).toMatchObject({ position: 'opposes', positionQuote: expect.any(String), docketId: 'FNS-2017-0021', organizationLabel: 'Constituent' });
  });

  it('LLM mode: the model\'s position with its quote verified; an invented quote leaves the offline reading', async () => {
    const config = testConfig({ OPENAI_BASE_URL: standIn.baseUrl, OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: '2000', OPENAI_MAX_RETRIES: '0' });
    const ctx = { config, logger: createLogger('silent'), prompts: await loadPrompts(), ref: 'test' };
    const reader = llmReader(ctx);
    standIn.enqueue(
      (req) => {
        expect(req.body.messages.at(-1)!.content).toContain('<proposal>');
        return reply.json({ position: 'opposes', quote: 'Kids deserve healthy school lunches.' });
      },
      reply.json({ position: 'supports', quote: 'We love this rule and everything in it.' }),
    );
    const first = await byId('FNS-2017-0021-0101');
    const second = await byId('FNS-2017-0021-0104');
    await db.query("UPDATE comments SET position = NULL, position_method = NULL WHERE source_document_id IN ('FNS-2017-0021-0101', 'FNS-2017-0021-0104')");
    await assignPositions(deps, { reader });
    expect(standIn.scriptErrors).toEqual([]);
    expect(standIn.unexpected).toBe(0);
    expect(await byId('FNS-2017-0021-0101')).toMatchObject({ position: 'opposes', positionQuote: 'Kids deserve healthy school lunches.', positionMethod: 'llm' });
    expect(await byId('FNS-2017-0021-0104')).toMatchObject({ position: second.position, positionMethod: 'cues' });
    expect(first.id).not.toBe(second.id);
  });
});
