import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportComments, parseExportCsv, RESTRICT_REASON_NO_CONSENT } from '../../src/comments/export.ts';
import { addTags, assignComment, setStatus, submitComment } from '../../src/comments/queue.ts';
import type { Db } from '../../src/db/types.ts';
import { commentDeps, sampleInput, staff } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;
const t: Record<string, string> = {};

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  const add = async (name: string, input: Parameters<typeof sampleInput>[0]) => {
    t[name] = (await submitComment(deps, sampleInput(input))).comment.trackingNumber;
  };
  await add('published', {
    submitterName: 'Maria de la Cruz',
    organization: 'Peace, Watch & "Friends"',
    receivedAt: '2024-01-10T12:00:00Z',
    text: '=1+1 is not a formula here.\nSecond line, with "quotes", commas; and émojis 🙂.',
    title: '+ plus title',
    attachments: [{ name: 'annex; final.pdf', mime: 'application/pdf', size: 10, text: 'Annex text.' }],
  });
  await add('restricted', { consentToPublish: false, receivedAt: '2024-02-10', organizationType: 'individual', organization: null, submitterName: 'Cher', text: 'Call me on 202-555-0147 about licensing.' });
  await add('email', { source: 'email', topic: null, consentToPublish: false, receivedAt: '2024-03-10', slackUserId: null });
  await setStatus(deps, staff, t.published!, 'triaged');
  await assignComment(deps, staff, t.published!, 'UREV');
  await addTags(deps, staff, t.published!, ['itar', 'needs reply']);
});
afterAll(async () => {
  await db?.close();
});

describe(`export (${dbLabel})`, () => {
  it('CSV parses back to the same records as the JSON export', async () => {
    const csv = await exportComments(deps, staff, { format: 'csv' });
    const json = await exportComments(deps, staff, { format: 'json' });
    expect(csv.count).toBe(3);
    expect(parseExportCsv(csv.content)).toEqual(csv.records);
    expect(JSON.parse(json.content)).toEqual(json.records);
    expect(json.records).toEqual(csv.records);
    expect(csv.filename).toMatch(/^policy-desk-comments-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('uses regulations.gov field names and values where they overlap', async () => {
    const { records } = await exportComments(deps, staff, { format: 'json' });
    const r = records.find((x) => x.trackingNbr === t.published)!;
    expect(r).toMatchObject({
      receiveDate: '2024-01-10T12:00:00.000Z',
      postedDate: null,
      firstName: 'Maria de la',
      lastName: 'Cruz',
      organization: 'Peace, Watch & "Friends"',
      submitterType: 'ORGANIZATION',
      category: 'Human rights and IHL',
      topic: 'human-rights-and-ihl',
      title: '+ plus title',
      comment: '=1+1 is not a formula here.\nSecond line, with "quotes", commas; and émojis 🙂.',
      duplicateComments: 0,
      status: 'triaged',
      assignee: 'UREV',
      tags: ['itar', 'needs reply'],
      attachments: ['annex; final.pdf'],
      source: 'slack_modal',
      consentToPublish: true,
      restrictReason: null,
    });
    expect(records.find((x) => x.trackingNbr === t.restricted)).toMatchObject({ firstName: null, lastName: 'Cher', submitterType: 'INDIVIDUAL', personalDataFlag: true, personalDataKinds: ['phone'] });
  });

  it('marks every comment without consent to publish, in both formats', async () => {
    for (const format of ['csv', 'json'] as const) {
      const out = await exportComments(deps, staff, { format });
      expect(out.restricted).toBe(2);
      const records = format === 'csv' ? parseExportCsv(out.content) : (JSON.parse(out.content) as typeof out.records);
      for (const r of records) {
        if (r.trackingNbr === t.published) expect(r).toMatchObject({ consentToPublish: true, restrictReason: null });
        else expect(r).toMatchObject({ consentToPublish: false, restrictReason: RESTRICT_REASON_NO_CONSENT });
      }
    }
  });

  it('keeps spreadsheet formulas inert in the CSV', async () => {
    const { content } = await exportComments(deps, staff, { format: 'csv' });
    expect(content.startsWith('\uFEFFtrackingNbr,')).toBe(true);
    expect(content).toContain(`"'=1+1 is not a formula here.`);
    expect(content).toContain(`'+ plus title`);
  });

  it('filters by status and date', async () => {
    expect((await exportComments(deps, staff, { format: 'json', status: 'triaged' })).records.map((r) => r.trackingNbr)).toEqual([t.published]);
    expect((await exportComments(deps, staff, { format: 'json', since: '2024-02-01' })).records.map((r) => r.trackingNbr)).toEqual([t.restricted, t.email]);
    await expect(exportComments(deps, staff, { format: 'xml' as 'csv' })).rejects.toThrow(/expected format csv or json/);
    await expect(exportComments(deps, staff, { format: 'csv', since: '01/02/2024' })).rejects.toThrow(/YYYY-MM-DD/);
  });
});
