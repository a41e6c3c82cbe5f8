import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR, ingestPaths, sourceFor } from '../../ingest/pipeline.ts';
import { applyCatalogs, parseCatalog } from '../../src/catalog/catalog-file.ts';
import { setDocumentFacts, unsetDocumentFact } from '../../src/catalog/facts.ts';
import { dateConflicts, documentFacts, factHistory, storedFacts } from '../../src/db/catalog.ts';
import { listDocuments } from '../../src/db/documents.ts';
import type { Db } from '../../src/db/types.ts';
import { loadConfig } from '../../src/config.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { CORPUS_FILES, CORPUS_IDS } from '../helpers/corpus.ts';
import { openTestDb } from '../helpers/db.ts';

let db: Db;
let dir: string;
const config = loadConfig({});
const ingest = (paths: string[]) => ingestPaths({ db, embedder: new HashingEmbedder(), chunking: config.chunking }, paths);
const catalogs = (paths: string[]) => applyCatalogs(db, paths, { sourceFor });

beforeAll(async () => {
  db = await openTestDb();
  dir = await mkdtemp(path.join(tmpdir(), 'catalog-'));
  // A folder of three documents: two of the bundled ones and a small memo of our own.
  for (const key of ['policy2018', 'factSheet'] as const) {
    await writeFile(path.join(dir, CORPUS_FILES[key].replace('.txt', '-copy.txt')), await readFile(path.join(BUNDLED_CORPUS_DIR, CORPUS_FILES[key])));
  }
  await writeFile(path.join(dir, 'memo.txt'), 'Internal memo\n\nThe review board meets on Tuesdays to consider pending arms transfer cases.\n');
});

afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the bundled corpus catalog', () => {
  it('gives the 2023 revision its supplied date, status and supersession; the 2018 statement reads superseded, dated by its text', async () => {
    await ingest([BUNDLED_CORPUS_DIR]);
    const outcomes = await catalogs([BUNDLED_CORPUS_DIR]);
    expect(outcomes).toEqual([expect.objectContaining({ status: 'applied', documents: 2 })]);
    const docs = new Map((await listDocuments(db)).map((d) => [d.id, d]));
    expect(docs.get(CORPUS_IDS.policy2023)).toMatchObject({
      publishedOn: '2023-02',
      dateSource: 'catalog',
      status: 'current',
      supersedes: [CORPUS_IDS.policy2018],
      supersededBy: [],
      implements: [],
    });
    expect(docs.get(CORPUS_IDS.policy2018)).toMatchObject({
      publishedOn: '2018-04-19',
      dateSource: 'text',
      status: 'superseded',
      supersedes: [],
      supersededBy: [CORPUS_IDS.policy2023],
    });
    expect(docs.get(CORPUS_IDS.factSheet)).toMatchObject({ implements: [CORPUS_IDS.policy2018], status: null, dateSource: 'text' });
    // Nothing is made up for documents the catalog does not cover.
    expect(docs.get(CORPUS_IDS.csis)).toMatchObject({ publishedOn: null, dateSource: null, status: null, supersedes: [], supersededBy: [] });
    const facts = await storedFacts(db, CORPUS_IDS.policy2023);
    expect(facts.map((f) => f.setBy)).toEqual(facts.map(() => 'catalog:ingest/corpus/catalog.yml'));
  });

  it('re-applying an unchanged catalog changes nothing', async () => {
    expect(await catalogs([BUNDLED_CORPUS_DIR])).toEqual([expect.objectContaining({ status: 'unchanged' })]);
    expect((await factHistory(db, CORPUS_IDS.policy2023)).length).toBe(4);
  });
});

describe('catalog errors', () => {
  const write = (text: string) => writeFile(path.join(dir, 'catalog.yml'), text);

  it('a bad entry is reported with the file, the entry and the field, and nothing of that catalog is stored', async () => {
    await ingest([dir]);
    await write(
      [
        'documents:',
        '  - file: memo.txt',
        '    issued: 2021-03',
        '    status: current',
        '  - file: 2018-04-19-us-conventional-arms-transfer-policy-copy.txt',
        '    issued: 2018-13',
        '  - file: memo.txt',
        '    stauts: draft',
      ].join('\n'),
    );
    const [outcome] = await catalogs([dir]);
    expect(outcome!.status).toBe('failed');
    const errors = outcome!.status === 'failed' ? outcome!.errors : [];
    const shown = sourceFor(path.join(dir, 'catalog.yml'));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: entry 2 \\(file "2018-04-19-us-conventional-arms-transfer-policy-copy.txt"\\): issued: expected a date`)));
    expect(errors).toContainEqual(expect.stringMatching(/entry 3 \(file "memo\.txt"\): unknown field\(s\) "stauts"/));
    // Entry 1 was fine, but the catalog is applied whole or not at all.
    expect(await storedFacts(db, 'memo')).toEqual([]);
  });

  it('an entry naming a file that is not there, or a relation to an unknown document, fails the whole catalog', async () => {
    await write(['documents:', '  - file: memo.txt', '    status: draft', '  - file: missing.txt', '    status: current', '  - id: 2018-07-16-cat-policy-implementation-fact-sheet-copy', '    supersedes: [no-such-doc]'].join('\n'));
    const [outcome] = await catalogs([dir]);
    expect(outcome!.status).toBe('failed');
    const errors = outcome!.status === 'failed' ? outcome!.errors : [];
    expect(errors).toContainEqual(expect.stringMatching(/entry 2 \(file "missing\.txt"\): file: no ingested document/));
    expect(errors).toContainEqual(expect.stringMatching(/entry 3 \(id "2018-07-16-cat-policy-implementation-fact-sheet-copy"\): supersedes: no ingested document "no-such-doc"/));
    expect(await storedFacts(db, 'memo')).toEqual([]);
  });

  it('broken YAML and a wrong top level name the file', () => {
    expect(parseCatalog('/x/catalog.yml', 'documents: [', 'x/catalog.yml').errors[0]).toMatch(/^x\/catalog\.yml: not valid YAML/);
    expect(parseCatalog('/x/catalog.yml', '- file: a.txt', 'x/catalog.yml').errors[0]).toMatch(/^x\/catalog\.yml: .*expected "documents:"/);
  });

  it('a valid catalog applies; its file names resolve to document ids; a year alone is a date', async () => {
    await write(
      [
        'documents:',
        '  - file: memo.txt',
        '    issued: 2021',
        '    status: draft',
        '    implements: [2018-07-16-cat-policy-implementation-fact-sheet-copy.txt]',
      ].join('\n'),
    );
    const [outcome] = await catalogs([dir]);
    expect(outcome).toMatchObject({ status: 'applied', documents: 1, changes: 3 });
    const memo = (await documentFacts(db, ['memo'])).get('memo')!;
    expect(memo).toMatchObject({ publishedOn: '2021', dateSource: 'catalog', status: 'draft', implements: ['2018-07-16-cat-policy-implementation-fact-sheet-copy'] });
  });
});

describe('docs set / unset', () => {
  it('sets facts with who set them, validates them, and refuses unknown documents and fields', async () => {
    const after = await setDocumentFacts(db, 'memo', { status: 'withdrawn', note: 'Replaced by the board charter.' }, 'cli:tester');
    expect(after).toMatchObject({ status: 'withdrawn', note: 'Replaced by the board charter.' });
    const status = (await storedFacts(db, 'memo')).find((f) => f.field === 'status')!;
    expect(status).toMatchObject({ value: 'withdrawn', setBy: 'cli:tester' });
    expect(status.setAt).toBeInstanceOf(Date);
    await expect(setDocumentFacts(db, 'memo', { issued: '2023-02-30' }, 'cli:tester')).rejects.toThrow(/issued: expected a date/);
    await expect(setDocumentFacts(db, 'memo', { status: 'old' }, 'cli:tester')).rejects.toThrow(/status: expected one of current, superseded, draft, withdrawn/);
    await expect(setDocumentFacts(db, 'nope', { status: 'current' }, 'cli:tester')).rejects.toThrow(/No document "nope"/);
    await expect(setDocumentFacts(db, 'memo', { supersedes: ['memo'] }, 'cli:tester')).rejects.toThrow(/cannot supersede itself/);
    await expect(unsetDocumentFact(db, 'memo', 'colour', 'cli:tester')).rejects.toThrow(/expected one of title/);
  });

  it('a person\'s fact survives re-ingesting the folder and its unchanged catalog; an unset is kept in the history', async () => {
    await writeFile(path.join(dir, 'memo.txt'), 'Internal memo\n\nThe review board meets on Wednesdays to consider pending arms transfer cases.\n');
    const summary = await ingest([dir]);
    expect(summary.files.find((f) => f.path.endsWith('memo.txt'))!.status).toBe('updated');
    expect(await catalogs([dir])).toEqual([expect.objectContaining({ status: 'unchanged' })]);
    expect((await documentFacts(db, ['memo'])).get('memo')).toMatchObject({ status: 'withdrawn', publishedOn: '2021', note: 'Replaced by the board charter.' });

    await unsetDocumentFact(db, 'memo', 'note', 'cli:tester');
    expect((await documentFacts(db, ['memo'])).get('memo')!.note).toBeNull();
    const history = await factHistory(db, 'memo');
    expect(history.at(-1)).toMatchObject({ field: 'note', value: null, previous: 'Replaced by the board charter.', setBy: 'cli:tester' });
  });

  it('an edited catalog wins for what it changed and leaves the rest', async () => {
    await writeFile(path.join(dir, 'catalog.yml'), ['documents:', '  - file: memo.txt', '    issued: 2021-06', '    status: draft'].join('\n'));
    const [outcome] = await catalogs([dir]);
    // issued changed (2021 -> 2021-06), implements was dropped; status "draft" is as before, so the person's "withdrawn" stays.
    expect(outcome).toMatchObject({ status: 'applied', changes: 2 });
    expect((await documentFacts(db, ['memo'])).get('memo')).toMatchObject({ publishedOn: '2021-06', status: 'withdrawn', implements: [] });
  });

  it('supersession is a relation: the superseded document reads "superseded" unless its own status says otherwise', async () => {
    const copy = '2018-04-19-us-conventional-arms-transfer-policy-copy';
    await setDocumentFacts(db, 'memo', { supersedes: [copy] }, 'cli:tester');
    expect((await documentFacts(db, [copy])).get(copy)).toMatchObject({ status: 'superseded', statusSource: 'relation', supersededBy: ['memo'] });
    await setDocumentFacts(db, copy, { status: 'current' }, 'cli:tester');
    expect((await documentFacts(db, [copy])).get(copy)).toMatchObject({ status: 'current', statusSource: 'catalog', supersededBy: ['memo'] });
    await expect(setDocumentFacts(db, copy, { supersedes: ['memo'] }, 'cli:tester')).rejects.toThrow(/cannot supersede what supersedes it/);
    await unsetDocumentFact(db, copy, 'status', 'cli:tester');
  });

  it('reports a date the text states that the catalog contradicts', async () => {
    const copy = '2018-04-19-us-conventional-arms-transfer-policy-copy';
    expect((await dateConflicts(db)).map((c) => c.id)).not.toContain(copy);
    await setDocumentFacts(db, copy, { issued: '2018-04' }, 'cli:tester');
    expect((await dateConflicts(db)).map((c) => c.id)).not.toContain(copy);
    await setDocumentFacts(db, copy, { issued: '2019' }, 'cli:tester');
    expect(await dateConflicts(db)).toContainEqual({ id: copy, textDate: '2018-04-19', issued: '2019', setBy: 'cli:tester' });
    await unsetDocumentFact(db, copy, 'issued', 'cli:tester');
  });
});

describe('only the catalogs that changed (the first use of a ready store)', () => {
  const changedOnly = (paths: string[]) => applyCatalogs(db, paths, { sourceFor, onlyChanged: true });

  it('skips a catalog the store last applied as it is, and applies one whose text changed, once', async () => {
    expect(await changedOnly([BUNDLED_CORPUS_DIR])).toEqual([]);
    await writeFile(path.join(dir, 'catalog.yml'), ['documents:', '  - file: memo.txt', '    issued: 2021-07', '    status: draft'].join('\n'));
    expect(await changedOnly([dir])).toEqual([expect.objectContaining({ status: 'applied', changes: 1 })]);
    expect((await documentFacts(db, ['memo'])).get('memo')).toMatchObject({ publishedOn: '2021-07' });
    expect(await changedOnly([dir])).toEqual([]);
    // Without the option the same catalog is read, resolved and found unchanged.
    expect(await catalogs([dir])).toEqual([expect.objectContaining({ status: 'unchanged' })]);
  });
});
