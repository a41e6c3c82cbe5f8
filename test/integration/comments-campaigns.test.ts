import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { assignCampaign, listCampaigns, regroupCampaigns, similarCount } from '../../src/comments/dedupe.ts';
import { exportComments } from '../../src/comments/export.ts';
import { getCommentDetails, submitComment } from '../../src/comments/queue.ts';
import type { Comment } from '../../src/comments/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { commentDeps, sampleInput, staff } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;

const CAMPAIGN =
  'I am writing to urge the Department to strengthen human rights safeguards in the conventional arms transfer policy. ' +
  'Arms sold to governments with records of abuse have been used against civilians. ' +
  'End-use monitoring must be funded and its results reported to Congress.';
const letter = (body: string, greeting: string, signer: string) => `${greeting}\n\n${body}\n\nSincerely,\n${signer}`;

const submitted: Record<string, Comment> = {};
async function add(name: string, text: string, extra: Parameters<typeof sampleInput>[0] = {}): Promise<Comment> {
  const { comment } = await submitComment(deps, sampleInput({ text, ...extra }));
  submitted[name] = comment;
  return comment;
}

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  await add('first', letter(CAMPAIGN, 'Dear Assistant Secretary,', 'Maria Garcia\nPortland, OR'));
  await add('exact', letter(CAMPAIGN, 'To whom it may concern:', 'John Smith'));
  // Reordered sentences, a changed word, a personal sentence added.
  const [s1, s2, s3] = CAMPAIGN.split('. ');
  await add('near', letter(`${s3!.replace('must', 'should')} ${s1}. I am a veteran and I have seen what these weapons do. ${s2}.`, 'Hello,', 'Aisha Okafor'));
  await add('distinct', 'Export license processing takes too long for small manufacturers; please publish timelines and a single point of contact for each case.');
  await add('short1', 'I support this.');
  await add('short2', 'I support this.');
  await add('seeAttachedA', 'See attached.', { attachments: [{ name: 'a.pdf', size: 10, text: 'Our letter about armed drones and the MTCR.' }] });
  await add('seeAttachedB', 'See attached.', { attachments: [{ name: 'b.pdf', size: 10, text: 'Our letter about ITAR licensing timelines for universities.' }] });
});
afterAll(async () => {
  await db?.close();
});

describe(`campaigns (${dbLabel})`, () => {
  it('groups exact and near duplicates into one campaign, the first comment representing it', async () => {
    const first = (await getCommentDetails(deps, staff, submitted.first!.id)).comment;
    expect(first.campaignId).toMatch(/^cmp-[0-9a-f]{10}$/);
    expect(submitted.exact).toMatchObject({ campaignId: first.campaignId, duplicateKind: 'exact', similarCount: 1 });
    expect(submitted.near).toMatchObject({ campaignId: first.campaignId, duplicateKind: 'near', similarCount: 2 });
    expect(first).toMatchObject({ duplicateKind: null, similarCount: 2 });
    expect(await similarCount(db, first.id)).toBe(2);
  });

  it('leaves distinct comments, very short ones and "see attached" with different files alone', async () => {
    for (const name of ['distinct', 'short1', 'short2', 'seeAttachedA', 'seeAttachedB']) {
      expect(submitted[name]).toMatchObject({ campaignId: null, similarCount: 0 });
    }
  });

  it('records how each comment joined, in the audit log', async () => {
    const audit = (await getCommentDetails(deps, staff, submitted.near!.id)).audit;
    expect(audit.at(-1)).toMatchObject({ actor: 'system', action: 'campaign', to: submitted.exact!.campaignId, note: expect.stringMatching(new RegExp(`^\\d+% similar to ${submitted.first!.trackingNumber}|${submitted.exact!.trackingNumber}$`)) });
    const exactAudit = (await getCommentDetails(deps, staff, submitted.exact!.id)).audit;
    expect(exactAudit.at(-1)!.note).toBe(`exact duplicate of ${submitted.first!.trackingNumber}`);
  });

  it('lists campaigns with counts like regulations.gov duplicateComments', async () => {
    expect(await listCampaigns(deps, staff)).toEqual([
      expect.objectContaining({ campaignId: submitted.exact!.campaignId, size: 3, duplicateComments: 2, exact: 1, near: 1, representativeTrackingNumber: submitted.first!.trackingNumber }),
    ]);
  });

  it('exports duplicateComments per comment', async () => {
    const { records } = await exportComments(deps, staff, { format: 'json' });
    const byTracking = new Map(records.map((r) => [r.trackingNbr, r]));
    expect(byTracking.get(submitted.first!.trackingNumber)!.duplicateComments).toBe(2);
    expect(byTracking.get(submitted.near!.trackingNumber)).toMatchObject({ duplicateComments: 2, duplicateKind: 'near', campaignId: submitted.exact!.campaignId });
    expect(byTracking.get(submitted.distinct!.trackingNumber)!.duplicateComments).toBe(0);
  });

  it('does nothing for a comment already in a campaign', async () => {
    expect(await assignCampaign(db, submitted.exact!.id, 0.6)).toBeNull();
  });

  it('rebuilds the same campaigns from scratch', async () => {
    expect(await regroupCampaigns(deps, CLI_ACTOR)).toBe(3);
    const [c] = await listCampaigns(deps, staff);
    expect(c).toMatchObject({ size: 3, exact: 1, near: 1, representativeTrackingNumber: submitted.first!.trackingNumber });
  });

  it('groups a copy whose twin committed first but has the higher id (the later grouping sees the earlier commit)', async () => {
    const text = 'Congressional notification thresholds for firearms should be restored, and every sale of rifles abroad should be reported to the public.';
    const a = (await submitComment(deps, sampleInput({ text: `${text}\n\nRegards,\nA` }))).comment;
    const b = (await submitComment(deps, sampleInput({ text: `${text}\n\nRegards,\nB` }))).comment;
    // As if b had been grouped before a was committed: neither is in a campaign, and a (lower id) is grouped now.
    await db.query('UPDATE comments SET campaign_id = NULL, duplicate_kind = NULL WHERE id IN ($1, $2)', [a.id, b.id]);
    const match = await assignCampaign(db, a.id, 0.6);
    expect(match).toMatchObject({ kind: 'exact', matchedId: b.id });
    const [da, db2] = await Promise.all([getCommentDetails(deps, staff, a.id), getCommentDetails(deps, staff, b.id)]);
    expect(da.comment).toMatchObject({ campaignId: match!.campaignId, duplicateKind: null });
    expect(db2.comment).toMatchObject({ campaignId: match!.campaignId, duplicateKind: 'exact' });
    expect(da.audit.at(-1)!.note).toBe(`started a campaign with ${b.trackingNumber}`);
    expect(db2.audit.at(-1)!.note).toBe(`exact duplicate of ${a.trackingNumber}`);
  });

  it('sweeps in a copy that was grouped before its twins were visible', async () => {
    const text = 'Small arms exports to police forces with records of abuse should be suspended until end-use checks are complete.';
    const made: Comment[] = [];
    for (const s of ['A', 'B', 'C']) made.push((await submitComment(deps, sampleInput({ text: `${text}\n\nBest regards,\n${s}` }))).comment);
    // As if b had been grouped first and found nothing, then c matched a: b must not stay alone.
    await db.query('UPDATE comments SET campaign_id = NULL, duplicate_kind = NULL WHERE id = ANY($1::int[])', [made.map((m) => m.id)]);
    const match = await assignCampaign(db, made[2]!.id, 0.6);
    expect(match).toMatchObject({ matchedId: made[0]!.id });
    const fresh = await Promise.all(made.map((m) => getCommentDetails(deps, staff, m.id)));
    expect(fresh.map((d) => d.comment.campaignId)).toEqual([match!.campaignId, match!.campaignId, match!.campaignId]);
    expect(fresh[1]!.audit.at(-1)!.note).toBe(`exact duplicate of ${made[2]!.trackingNumber}`);
    expect(fresh[0]!.comment.similarCount).toBe(2);
  });

  it('keeps copies arriving together in one campaign', async () => {
    const text = 'Please keep strong controls on the export of firearms and ammunition; guns sold abroad have been trafficked to criminal groups.';
    const results = await Promise.all(['A', 'B', 'C', 'D'].map((s) => submitComment(deps, sampleInput({ text: `${text}\n\nRegards,\n${s}` }))));
    const fresh = await Promise.all(results.map((r) => getCommentDetails(deps, staff, r.comment.id)));
    const ids = new Set(fresh.map((d) => d.comment.campaignId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).not.toBeNull();
    expect(fresh.map((d) => d.comment.similarCount)).toEqual([3, 3, 3, 3]);
  });
});
