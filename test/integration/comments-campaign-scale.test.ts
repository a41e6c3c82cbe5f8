import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formLetterDocket, type GeneratedComment } from '../../bench/form-letters.ts';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { storeCommentBatch } from '../../src/comments/bulk-store.ts';
import { groupPending, listCampaigns, regroupCampaigns } from '../../src/comments/dedupe.ts';
import { importComments, parseCommentCsv } from '../../src/comments/mail-import.ts';
import type { Db } from '../../src/db/types.ts';
import { commentDeps, staff } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/**
 * Campaign grouping at scale, with small dockets: MinHash/LSH candidates checked exactly, the
 * batched import and its resumable grouping, regulations.gov's Duplicate Comments.
 * Each docket has its own Docket ID prefix, so the dockets share the store without meeting.
 */
let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;
let dir: string;

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  dir = await mkdtemp(path.join(os.tmpdir(), 'campaign-scale-'));
});
afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A regulations.gov bulk-download shaped CSV of a generated docket. */
async function csvOf(name: string, docket: readonly GeneratedComment[], extra: (c: GeneratedComment, i: number) => Record<string, string> = () => ({})): Promise<string> {
  const rows = docket.map((c, i) => ({ 'Document ID': `${name}-${String(i + 1).padStart(4, '0')}`, Comment: c.text, ...extra(c, i) }));
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, stringify(rows, { header: true }));
  return file;
}

/** Comment ids of one docket (by Document ID prefix), in file order, with their campaign. */
async function campaignsOf(name: string): Promise<Array<{ id: number; campaignId: string | null }>> {
  return db.query(`SELECT id, campaign_id AS "campaignId" FROM comments WHERE source_document_id LIKE $1 ORDER BY source_document_id`, [`${name}-%`]);
}

/** The grouping as a partition (sets of positions), independent of campaign ids. */
function partition(rows: ReadonlyArray<{ campaignId: string | null }>): string[] {
  const by = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.campaignId) by.set(r.campaignId, [...(by.get(r.campaignId) ?? []), i]);
  });
  return [...by.values()].map((m) => m.join(',')).sort();
}

function score(docket: readonly GeneratedComment[], rows: ReadonlyArray<{ campaignId: string | null }>): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const together = rows[i]!.campaignId !== null && rows[i]!.campaignId === rows[j]!.campaignId;
      const truth = docket[i]!.group === docket[j]!.group;
      if (together && truth) tp++;
      else if (together) fp++;
      else if (truth) fn++;
    }
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
}

describe(`campaign grouping at scale (${dbLabel})`, () => {
  it('has no all-pairs trigram query left: no % operator, no trigram index on dedupe_text; LSH bands are stored and indexed', async () => {
    const source = await readFile(new URL('../../src/comments/dedupe.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/dedupe_text\s*%|%\s*\$\d|similarity_threshold/);
    const indexes = await db.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`);
    expect(indexes.map((i) => i.name)).not.toContain('comments_dedupe_trgm_idx');
    expect(indexes.map((i) => i.name)).toContain('comment_lsh_bands_pkey');
  });

  it('imports a generated docket of form letters in batches and groups copies, not distinct comments', async () => {
    const docket = formLetterDocket(150, { seed: 3, campaigns: 4 });
    const file = await csvOf('GEN-A', docket);
    const summary = await importComments(deps, CLI_ACTOR, [file]);
    expect(summary).toMatchObject({ imported: 150, failed: 0 });
    const rows = await campaignsOf('GEN-A');
    expect(rows).toHaveLength(150);
    const { precision, recall } = score(docket, rows);
    expect(precision).toBeGreaterThanOrEqual(0.97);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    const [bands] = await db.query<{ n: number }>(
      `SELECT count(DISTINCT b.comment_id)::int AS n, (SELECT count(*)::int FROM comments WHERE source_document_id LIKE 'GEN-A-%' AND length(dedupe_text) >= 100) AS long
         FROM comment_lsh_bands b JOIN comments c ON c.id = b.comment_id WHERE c.source_document_id LIKE 'GEN-A-%'`,
    );
    // Every comment long enough to be compared as a near duplicate (MIN_NEAR_CHARS) has its bands.
    expect(bands!.n).toBeGreaterThan(100);
    expect(bands!.n).toBe((bands as unknown as { long: number }).long);
    const [pending] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE grouping_pending`);
    expect(pending!.n).toBe(0);

    // Re-importing skips every row and leaves the campaigns as they were.
    const before = partition(rows);
    const again = await importComments(deps, CLI_ACTOR, [file]);
    expect(again).toMatchObject({ imported: 0, duplicates: 150, failed: 0 });
    expect(partition(await campaignsOf('GEN-A'))).toEqual(before);
  });

  it('keeps unrelated long letters in one vocabulary apart (they share most trigrams and 3-word shingles, not 5-word runs)', async () => {
    // 15 distinct letters of 20,000-40,000 characters on the same subjects: pairs share 95% of
    // their trigrams and 30-45% of their 3-word shingles, which chained them into one campaign.
    const long = formLetterDocket(2000, { seed: 23 }).filter((c) => c.group < 0 && c.text.length > 20_000);
    expect(long.length).toBeGreaterThanOrEqual(10);
    const file = await csvOf('LONG', long);
    const summary = await importComments(deps, CLI_ACTOR, [file]);
    expect(summary.imported).toBe(long.length);
    const rows = await campaignsOf('LONG');
    expect(rows.filter((r) => r.campaignId)).toEqual([]);
    // A copy of one of them with a changed greeting and a sentence of its own still joins it.
    const [first] = long;
    const copy = first!.text.replace(/^[^\n]*\n/, 'Dear officials,\n').replace(/\n\n/, '\n\nI add this sentence of my own to the letter.\n\n');
    const copyFile = await csvOf('LONGCOPY', [{ text: copy, group: first!.group }]);
    await importComments(deps, CLI_ACTOR, [copyFile]);
    const [joined] = await campaignsOf('LONGCOPY');
    const [original] = await campaignsOf('LONG');
    expect(joined!.campaignId).not.toBeNull();
    expect(joined!.campaignId).toBe(original!.campaignId);
  });

  it('keeps a second campaign on the same subject apart when one hybrid letter joined the first', async () => {
    // Two form letters share their opening (S); a hybrid (S, half of A, all of B) rightly joins A.
    // Copies of B match the hybrid best (0.96 of its 5-word shingles) but hold only 0.40 of A's
    // representative: they used to follow the hybrid into A, and now make campaign B.
    const S = [
      'I am writing about the proposed changes to the conventional arms transfer policy and what they mean for human rights.',
      'Arms sold to governments with records of abuse have been used against civilians in several conflicts over the last decade.',
    ];
    const A = [
      'End-use monitoring must be funded properly and its results reported to Congress every year without exception.',
      'The Department should publish the criteria it uses to deny a license, with examples drawn from recent cases.',
      'Partners that divert weapons to third parties should lose their eligibility for future sales until they account for it.',
    ];
    const B = [
      'Small manufacturers wait months for an answer, and the delay costs them contracts that go to foreign competitors instead.',
      'A single point of contact for each case and published processing timelines would let companies plan their work.',
      'Please add a fast lane for sales to close allies whose controls already match ours, so that reviewers can focus on the hard cases.',
    ];
    const letter = (parts: string[], signer: string) => ({ text: `Dear Secretary,\n\n${parts.join(' ')}\n\nSincerely,\n${signer}`, group: 0 });
    const file = await csvOf('SUBJ', [
      letter([...S, ...A], 'Maria Garcia'),
      letter([...S, ...A.slice(0, 2), A[2]!.replace('future', 'later')], 'John Smith'),
      letter([...S, ...A.slice(0, 2), ...B], 'Aisha Khan'),
      letter([...S, ...B], 'Wei Chen'),
      letter([...S, ...B.slice(0, 2), B[2]!.replace('close allies', 'our closest allies')], 'Noah Brown'),
      letter([...S, B[0]!.replace('months', 'many months'), ...B.slice(1)], 'Priya Patel'),
    ]);
    await importComments(deps, CLI_ACTOR, [file]);
    const rows = await campaignsOf('SUBJ');
    expect(rows.every((r) => r.campaignId)).toBe(true);
    expect(new Set(rows.slice(0, 3).map((r) => r.campaignId)).size).toBe(1);
    expect(new Set(rows.slice(3).map((r) => r.campaignId)).size).toBe(1);
    expect(rows[3]!.campaignId).not.toBe(rows[0]!.campaignId);
  });

  it('groups exact duplicates (same letter, other greeting and signer) by hash, near ones by similarity', async () => {
    const letter =
      'I am writing to urge the Department to strengthen human rights safeguards in the conventional arms transfer policy. ' +
      'Arms sold to governments with records of abuse have been used against civilians. End-use monitoring must be funded and its results reported to Congress.';
    const file = await csvOf('GEN-X', [
      { text: `Dear Secretary,\n\n${letter}\n\nSincerely,\nMaria Garcia`, group: 0 },
      { text: `Hello,\n\n${letter}\n\nRegards,\nJohn Smith\nDayton, OH`, group: 0 },
      { text: `${letter.replace('urge', 'ask')} I am a nurse and I have treated people hurt by these weapons.\n\nThank you,\nAisha`, group: 0 },
      { text: 'Export license processing takes too long for small manufacturers; please publish timelines and a single point of contact for each case.', group: -1 },
    ]);
    await importComments(deps, CLI_ACTOR, [file]);
    const rows = await db.query<{ campaignId: string | null; kind: string | null }>(
      `SELECT campaign_id AS "campaignId", duplicate_kind AS kind FROM comments WHERE source_document_id LIKE 'GEN-X-%' ORDER BY source_document_id`,
    );
    expect(rows[0]!.campaignId).not.toBeNull();
    expect(rows.map((r) => r.kind)).toEqual([null, 'exact', 'near', null]);
    expect(rows.slice(0, 3).every((r) => r.campaignId === rows[0]!.campaignId)).toBe(true);
    expect(rows[3]!.campaignId).toBeNull();
  });

  it('finishes the grouping of a killed import on the rerun, with the same campaigns as an uninterrupted run', async () => {
    const docket = formLetterDocket(120, { seed: 9, campaigns: 3 });
    const file = await csvOf('GEN-K', docket);
    // The killed run: two batches committed (whole comments, pending grouping), grouping stopped
    // after its first transaction, as a kill there would leave it.
    const parsed = parseCommentCsv(await readFile(file), file, deps.config.comments.topics).items;
    const items = parsed.slice(0, 80).map((p) => {
      if (!p.ok) throw new Error(`${p.where}: ${p.reason}`);
      return { where: p.where, input: p.input, idempotencyKey: p.idempotencyKey };
    });
    await storeCommentBatch(deps, items.slice(0, 40), CLI_ACTOR);
    await storeCommentBatch(deps, items.slice(40), CLI_ACTOR);
    const killed = new Error('killed');
    await expect(
      groupPending(db, deps.config.comments.nearDuplicateThreshold, {
        batchSize: 25,
        onProgress: () => {
          throw killed;
        },
      }),
    ).rejects.toBe(killed);
    const [left] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE grouping_pending AND source_document_id LIKE 'GEN-K-%'`);
    expect(left!.n).toBe(55);

    // The rerun imports the rest and groups everything still pending.
    const rerun = await importComments(deps, CLI_ACTOR, [file]);
    expect(rerun).toMatchObject({ imported: 40, failed: 0 });
    const [pending] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE grouping_pending`);
    expect(pending!.n).toBe(0);
    const resumed = await campaignsOf('GEN-K');
    expect(resumed).toHaveLength(120);
    expect(score(docket, resumed).precision).toBeGreaterThanOrEqual(0.97);

    // An uninterrupted run over the same comments in the same order: the same campaigns.
    await regroupCampaigns(deps, CLI_ACTOR);
    expect(partition(await campaignsOf('GEN-K'))).toEqual(partition(resumed));
  });

  it("counts regulations.gov's Duplicate Comments into campaign copies, also for a letter posted once", async () => {
    const letter =
      'Please keep strong controls on the export of firearms and ammunition. Moving commercial firearms exports to a different licensing agency weakened oversight, ' +
      'and guns sold abroad have been trafficked to criminal groups. Congressional notification thresholds for firearms should be restored.';
    const file = await csvOf(
      'GEN-D',
      [
        { text: letter, group: 0 },
        { text: `${letter} I live near a gun shop that sells abroad.`, group: 0 },
        { text: 'The fundamental research exclusion needs plain guidance with examples, so that universities stop turning away foreign graduate students.', group: -1 },
      ],
      (_c, i) => ({ 'Duplicate Comments': ['49', '0', '7'][i]! }),
    );
    await importComments(deps, CLI_ACTOR, [file]);
    const rows = await db.query<{ campaignId: string | null }>(
      `SELECT campaign_id AS "campaignId" FROM comments WHERE source_document_id LIKE 'GEN-D-%' ORDER BY source_document_id`,
    );
    const campaigns = await listCampaigns(deps, staff, { minSize: 2, limit: 1000 });
    const letterCampaign = campaigns.find((c) => c.campaignId === rows[0]!.campaignId);
    expect(rows[1]!.campaignId).toBe(rows[0]!.campaignId);
    expect(letterCampaign).toMatchObject({ size: 2, copies: 51, duplicateComments: 50 });
    // Posted once, counted 8 times: a campaign by itself.
    expect(campaigns.find((c) => c.campaignId === rows[2]!.campaignId)).toMatchObject({ size: 1, copies: 8, duplicateComments: 7 });
  });
});
