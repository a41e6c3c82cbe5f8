import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { formatImportReport, importComments } from '../../src/comments/mail-import.ts';
import { listComments } from '../../src/comments/queue.ts';
import type { Comment } from '../../src/comments/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { commentDeps } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'regulations');

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;
let dir: string;
let first: Awaited<ReturnType<typeof importComments>>;

const byDocumentId = async (id: string): Promise<Comment> => {
  const { comments } = await listComments(deps, CLI_ACTOR, { limit: 500 });
  const c = comments.find((x) => x.sourceDocumentId === id);
  if (!c) throw new Error(`no comment ${id}`);
  return c;
};

// A long letter: 50,000 characters, with a word only its end contains.
const LONG = `${'We write about the monitoring of exports and its costs for small firms. '.repeat(700)}Finally: zanzibarite.`.slice(-50_000);

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db, { COMMENT_ORGANIZATION_LABELS: 'Other government agency - (non school)=government' });
  dir = await mkdtemp(path.join(tmpdir(), 'pd-dockets-'));
  for (const f of ['bulk-download.csv', 'analysts.csv', 'v4-page.json', 'v4-comment.json']) await copyFile(path.join(FIXTURES, f), path.join(dir, f));
  await writeFile(path.join(dir, 'long.csv'), `Document ID,Comment,Organization Name,Category\nDOS-2018-0012-0099,"${LONG}",Small Optics LLC,Small business\n`);
  first = await importComments(deps, CLI_ACTOR, [dir]);
}, 120_000);
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`real docket exports (${dbLabel})`, () => {
  it('imports every row with comment text: no name, unknown labels and length refuse nothing', () => {
    const refused = first.outcomes.flatMap((o) => (o.status === 'failed' ? [[path.basename(o.where.split(' ')[0]!), o.reason]] : []));
    expect(refused).toEqual([
      ['analysts.csv', 'no comment text'],
      ['bulk-download.csv', 'no comment text'],
      ['v4-page.json', 'no comment text (list pages carry none: save GET /v4/comments/{id} for each comment)'],
    ]);
    // bulk 4 + analysts 8 + v4 page 1 + v4 document 1 + long 1
    expect(first).toMatchObject({ imported: 15, duplicates: 0, failed: 3 });
  });

  it('reads the bulk-download columns: Document ID as the own id and key, markup cleaned, raw kept, fields kept', async () => {
    const jane = await byDocumentId('DOS-2018-0012-0005');
    expect(jane).toMatchObject({
      submitterName: 'Jane Roe',
      source: 'csv',
      docketId: 'DOS-2018-0012',
      commentOnRef: 'DOS-2018-0012-0001',
      organizationLabel: 'Individual',
      organizationType: 'individual',
      consentToPublish: true,
      text: 'I oppose the proposed rule.\nKeep end-use monitoring as it is & publish the results.',
      rawText: 'I oppose the proposed rule.<br/>Keep end-use monitoring as it is &amp; publish the results.',
      sourceFields: { trackingNumber: '1k2-9xyz-abcd', city: 'Portland', stateProvince: 'OR', country: 'United States', category: 'Individual' },
    });
    expect(jane.receivedAt.toISOString()).toBe('2018-06-01T04:00:00.000Z');
    expect(jane.postedAt?.toISOString()).toBe('2018-06-11T04:00:00.000Z');
    const optics = await byDocumentId('DOS-2018-0012-0006');
    expect(optics).toMatchObject({ organization: 'Optics Makers Association', organizationLabel: 'Trade Association', organizationType: 'industry', submitterName: 'Anonymous' });
    expect(optics.attachments.map((a) => [a.name, a.url, a.textChars])).toEqual([
      ['attachment_1.pdf', 'https://downloads.regulations.gov/DOS-2018-0012-0006/attachment_1.pdf', 0],
      ['attachment_2.docx', 'https://downloads.regulations.gov/DOS-2018-0012-0006/attachment_2.docx', 0],
    ]);
    expect(await byDocumentId('DOS-2018-0012-0007')).toMatchObject({ duplicateComments: 1450, submitterName: 'Anonymous' });
    const county = await byDocumentId('DOS-2018-0012-0008');
    expect(county).toMatchObject({ organization: 'County of Essex', organizationType: 'government', text: "We support the revision: it cuts paperwork for our sheriff's office." });
  });

  it("reads the analysts' shape: labels kept and mapped (defaults and the configured table), stance kept", async () => {
    const all = (await listComments(deps, CLI_ACTOR, { limit: 500 })).comments.filter((c) => c.docketId === 'FNS-2017-0021');
    const labels = Object.fromEntries(all.map((c) => [c.organizationLabel, c.organizationType]));
    expect(labels).toEqual({
      Constituent: 'individual',
      School: 'government',
      Advocacy: 'ngo',
      'Manufacturer/food industry': 'industry',
      'Academic researchers': 'academia',
      'Other government agency - (non school)': 'government',
      'Martian embassy': 'other',
    });
    expect(all.every((c) => c.submitterName === 'Anonymous')).toBe(true);
    const milk = await byDocumentId('FNS-2017-0021-0103');
    expect(milk).toMatchObject({ sourceStance: 'support', sourceFields: { year: '2017', formLetter: '0' } });
  });

  it('reads v4 JSON: a page item with its attributes and a single document with its included attachments', async () => {
    expect(await byDocumentId('DOS-2018-0012-0010')).toMatchObject({ source: 'regulations_gov', submitterName: 'Sam Lee', organizationType: 'individual', sourceFields: { city: 'Austin', stateProvince: 'TX' } });
    const coalition = await byDocumentId('DOS-2018-0012-0012');
    expect(coalition).toMatchObject({
      organization: 'Arms Transparency Coalition',
      organizationLabel: 'Non-Governmental Organization',
      organizationType: 'ngo',
      duplicateComments: 12,
      text: 'The Coalition opposes the proposal.\n\nMonitoring & reporting must stay.',
    });
    expect(coalition.attachments.map((a) => a.url)).toEqual(['https://downloads.regulations.gov/DOS-2018-0012-0012/attachment_1.pdf']);
  });

  it('stores a 50,000-character comment whole and finds it by a word at its end', async () => {
    const long = await byDocumentId('DOS-2018-0012-0099');
    expect(long.text).toBe(LONG);
    expect(long.text).toHaveLength(50_000);
    expect((await listComments(deps, CLI_ACTOR, { text: 'zanzibarite' })).comments.map((c) => c.id)).toEqual([long.id]);
  });

  it('reports remarks grouped by kind, each unknown label once', () => {
    const report = formatImportReport(first);
    expect(report).toContainEqual(expect.stringMatching(/^2 rows: organization label 'Constituent' mapped to individual \(.*analysts\.csv line 2, line 3\)$/));
    expect(report.filter((l) => l.includes("'Martian embassy'"))).toEqual([expect.stringMatching(/^1 row: organization label 'Martian embassy' is not in the table: mapped to other/)]);
    expect(report).toContainEqual(expect.stringMatching(/^refused: 3 rows: no comment text|^refused: 2 rows: no comment text/));
    expect(report.find((l) => l.includes('no name'))).toMatch(/^1[0-9] rows: no name: recorded as Anonymous/);
    expect(report.find((l) => l.includes('markup'))).toMatch(/^4 rows: markup cleaned/);
  });

  it('skips every row on re-import', async () => {
    const again = await importComments(deps, CLI_ACTOR, [dir]);
    expect(again).toMatchObject({ imported: 0, duplicates: 15, failed: 3 });
    expect(again.remarks).toEqual([]);
  });
});
