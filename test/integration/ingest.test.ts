import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../ingest/chunk.ts';
import { cleanText } from '../../ingest/clean.ts';
import { BUNDLED_CORPUS_DIR, expandPaths, ingestPaths, type FileOutcome, type IngestContext } from '../../ingest/pipeline.ts';
import { ensureEmbedder, readEmbedderRecord } from '../../src/db/embedder-record.ts';
import type { Db } from '../../src/db/index.ts';
import { AppError } from '../../src/errors.ts';
import { HashingEmbedder, type Embedder } from '../../src/search/embedder.ts';
import { reindex } from '../../src/search/reindex.ts';
import { hybridSearch, vectorCandidates } from '../../src/search/retrieve.ts';
import { CORPUS_FILES, CORPUS_IDS, CORPUS_KEYS, corpusPath, readCorpus, THREE_LINES, THREE_LINES_QUESTION } from '../helpers/corpus.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

const CHUNKING = { targetChars: 900, overlapChars: 150 };
const embedder = new HashingEmbedder(384);

let db: Db & { label: string };
let tmp: string;
const ctx = (e: Embedder = embedder): IngestContext => ({ db, embedder: e, chunking: CHUNKING });

interface ChunkRow {
  id: string;
  documentId: string;
  ordinal: number;
  headingPath: string[];
  body: string;
  start: number;
  end: number;
  embedding: string;
  dims: number;
}

async function chunkRows(documentId?: string): Promise<ChunkRow[]> {
  return db.query<ChunkRow>(
    `SELECT id, document_id AS "documentId", ordinal, heading_path AS "headingPath", body, start_offset AS start,
            end_offset AS "end", embedding::text AS embedding, vector_dims(embedding) AS dims
       FROM chunks ${documentId ? 'WHERE document_id = $1' : ''} ORDER BY document_id, ordinal`,
    documentId ? [documentId] : [],
  );
}

async function documentRows(): Promise<Array<{ id: string; source: string; contentHash: string; ingestedAt: string; body: string }>> {
  return db.query(
    `SELECT id, source, content_hash AS "contentHash", ingested_at::text AS "ingestedAt", body FROM documents ORDER BY id`,
  );
}

async function orphanChunks(): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM chunks c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL',
  );
  return row!.n;
}

const failed = (o: FileOutcome | undefined): Extract<FileOutcome, { status: 'failed' }> => {
  expect(o?.status).toBe('failed');
  return o as Extract<FileOutcome, { status: 'failed' }>;
};

beforeAll(async () => {
  db = await openTestDb();
  tmp = await mkdtemp(path.join(tmpdir(), 'policy-desk-ingest-'));
});

afterAll(async () => {
  await db?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('ingesting the bundled corpus', () => {
  it('walks the corpus directory to the five documents, skipping README.md', async () => {
    const files = await expandPaths([BUNDLED_CORPUS_DIR]);
    expect(files.map((f) => path.basename(f))).toEqual(Object.values(CORPUS_FILES).sort());
  });

  it('ingests five documents with the chunks the chunker makes', async () => {
    const summary = await ingestPaths(ctx(), [BUNDLED_CORPUS_DIR]);
    const expectedChunks = CORPUS_KEYS.map((k) => chunkDocument(cleanText(readCorpus(k)), CHUNKING).length);
    expect(summary).toMatchObject({ documents: 5, skipped: 0, failed: 0, chunks: expectedChunks.reduce((a, b) => a + b, 0) });
    expect(summary.files.map((f) => [path.basename(f.path), f.status])).toEqual(Object.values(CORPUS_FILES).sort().map((f) => [f, 'ingested']));
    expect(summary.files.map((f) => ('documentId' in f ? f.documentId : null)).sort()).toEqual(Object.values(CORPUS_IDS).sort());
    expect(summary.files.some((f) => /readme/i.test(f.path))).toBe(false);
  });

  it('stores each document with its metadata, source and cleaned text', async () => {
    const docs = await db.query<Record<string, unknown>>(
      `SELECT id, title, kind, issuing_office AS "issuingOffice", published_on::text AS "publishedOn", source, source_url AS "sourceUrl",
              format, contacts, body FROM documents ORDER BY id`,
    );
    expect(docs).toHaveLength(5);
    const byId = new Map(docs.map((d) => [d.id as string, d]));
    expect(byId.get(CORPUS_IDS.factSheet)).toMatchObject({
      title: 'Implementation of the Conventional Arms Transfer (CAT) Policy',
      kind: 'fact_sheet',
      issuingOffice: 'Office of the Spokesperson',
      publishedOn: '2018-07-16',
      source: `ingest/corpus/${CORPUS_FILES.factSheet}`,
      sourceUrl: null,
      format: 'txt',
      contacts: ['pm-cpa@state.gov'],
    });
    expect(byId.get(CORPUS_IDS.policy2018)).toMatchObject({ publishedOn: '2018-04-19', contacts: ['armstransferprocess@state.gov'] });
    for (const key of ['csis', 'policy2023', 'mission'] as const) expect(byId.get(CORPUS_IDS[key])!.publishedOn).toBeNull();
    for (const key of CORPUS_KEYS) expect(byId.get(CORPUS_IDS[key])!.body).toBe(cleanText(readCorpus(key)).text);
  });

  it("stores chunks whose text equals the cleaned document's text at their offsets, with 384-dimension vectors", async () => {
    const docs = await documentRows();
    for (const doc of docs) {
      const rows = await chunkRows(doc.id);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.ordinal)).toEqual(rows.map((_, i) => i));
      const key = CORPUS_KEYS.find((k) => CORPUS_IDS[k] === doc.id)!;
      const expected = chunkDocument(cleanText(readCorpus(key)), CHUNKING);
      expect(rows.map((r) => [r.start, r.end, r.headingPath])).toEqual(expected.map((c) => [c.start, c.end, c.headingPath]));
      for (const r of rows) {
        expect(r.body).toBe(doc.body.slice(r.start, r.end));
        expect(r.id).toBe(`${doc.id}#${r.ordinal}`);
        expect(r.dims).toBe(384);
      }
    }
    expect(await readEmbedderRecord(db)).toEqual({ name: 'hashing-v1', dimensions: 384 });
  });

  it('re-ingesting unchanged files is a no-op', async () => {
    const docsBefore = await documentRows();
    const chunksBefore = await chunkRows();
    const summary = await ingestPaths(ctx(), [BUNDLED_CORPUS_DIR]);
    expect(summary).toMatchObject({ documents: 0, chunks: 0, skipped: 5, failed: 0 });
    expect(summary.files.map((f) => f.status)).toEqual(Array(5).fill('unchanged'));
    expect(await documentRows()).toEqual(docsBefore);
    expect(await chunkRows()).toEqual(chunksBefore);
  });

  it('treats a file named explicitly and found by walking as the same document', async () => {
    const summary = await ingestPaths(ctx(), [corpusPath('factSheet'), BUNDLED_CORPUS_DIR]);
    expect(summary.files).toHaveLength(5);
    expect(summary.skipped).toBe(5);
  });
});

describe('search filters', () => {
  const docIdsFor = async (filters: Parameters<typeof hybridSearch>[3]['filters']) =>
    (await hybridSearch(db, embedder, 'conventional arms transfer policy', { k: 50, filters })).map((p) => p.document.id);

  it('returns passages from every document without filters, k at most', async () => {
    const all = await hybridSearch(db, embedder, 'conventional arms transfer policy', { k: 50 });
    expect(new Set(all.map((p) => p.documentId)).size).toBe(5);
    expect(await hybridSearch(db, embedder, 'conventional arms transfer policy', { k: 3 })).toHaveLength(3);
  });

  it('filters by publication date, inclusive at both ends, leaving undated documents out', async () => {
    expect(new Set(await docIdsFor({ from: '2018-07-01' }))).toEqual(new Set([CORPUS_IDS.factSheet]));
    expect(new Set(await docIdsFor({ to: '2018-05-01' }))).toEqual(new Set([CORPUS_IDS.policy2018]));
    expect(new Set(await docIdsFor({ from: '2018-04-19', to: '2018-04-19' }))).toEqual(new Set([CORPUS_IDS.policy2018]));
    expect(new Set(await docIdsFor({ from: '2018-01-01', to: '2018-12-31' }))).toEqual(new Set([CORPUS_IDS.policy2018, CORPUS_IDS.factSheet]));
    expect(await docIdsFor({ from: '2019-01-01' })).toEqual([]);
  });

  it('filters by document id, alone and with dates', async () => {
    expect(new Set(await docIdsFor({ documentIds: [CORPUS_IDS.mission] }))).toEqual(new Set([CORPUS_IDS.mission]));
    expect(new Set(await docIdsFor({ documentIds: [CORPUS_IDS.csis, CORPUS_IDS.policy2023] }))).toEqual(
      new Set([CORPUS_IDS.csis, CORPUS_IDS.policy2023]),
    );
    expect(await docIdsFor({ documentIds: [CORPUS_IDS.policy2023], from: '2018-01-01' })).toEqual([]);
    expect(await docIdsFor({ documentIds: ['no-such-document'] })).toEqual([]);
  });

  it('rejects a date range that ends before it starts, and a malformed date', async () => {
    await expect(docIdsFor({ from: '2019-01-01', to: '2018-01-01' })).rejects.toThrow(/from\\?" must not be after \\?"to/);
    await expect(docIdsFor({ from: '16 July 2018' })).rejects.toThrow(/YYYY-MM-DD/);
  });
});

describe('a changed file', () => {
  let file: string;
  let documentId: string;

  it('is ingested from outside the project under its own id, even with a bundled file name', async () => {
    file = path.join(tmp, 'changed', CORPUS_FILES.factSheet);
    await mkdir(path.dirname(file), { recursive: true });
    await copyFile(corpusPath('factSheet'), file);
    const summary = await ingestPaths(ctx(), [path.dirname(file)]);
    expect(summary.files).toHaveLength(1);
    const outcome = summary.files[0]!;
    expect(outcome.status).toBe('ingested');
    documentId = (outcome as { documentId: string }).documentId;
    // The bundled document holds the plain slug; this copy gets a suffix from its source path.
    expect(documentId).toMatch(new RegExp(`^${CORPUS_IDS.factSheet}-[0-9a-f]{6}$`));
    const [row] = await db.query<{ source: string }>('SELECT source FROM documents WHERE id = $1', [documentId]);
    expect(row!.source).toBe(file);
  });

  it('replaces its chunks when it changes: same id, old text gone, new text found, no orphans', async () => {
    const before = await chunkRows(documentId);
    expect(before.some((r) => r.body.includes('Organizing for success'))).toBe(true);
    const original = await readFile(file, 'utf8');
    const changed = original
      .replace('Organizing for success', 'Organizing for resilience')
      .replace(/\n\nFor further information/, '\n\nThe zebra crossing review adds a fourth task on pedestrian safety.\n\nFor further information');
    await writeFile(file, changed);

    const summary = await ingestPaths(ctx(), [file]);
    expect(summary).toMatchObject({ documents: 1, skipped: 0, failed: 0 });
    const outcome = summary.files[0] as { status: string; documentId: string; chunks: number };
    expect(outcome.status).toBe('updated');
    expect(outcome.documentId).toBe(documentId);

    const after = await chunkRows(documentId);
    const expected = chunkDocument(cleanText(changed), CHUNKING);
    expect(outcome.chunks).toBe(expected.length);
    expect(after.map((r) => r.body)).toEqual(expected.map((c) => c.text));
    expect(after.map((r) => r.ordinal)).toEqual(after.map((_, i) => i));
    expect(after.some((r) => r.body.includes('Organizing for success'))).toBe(false);
    expect(after.some((r) => r.body.includes('Organizing for resilience'))).toBe(true);
    expect(await orphanChunks()).toBe(0);
    const [doc] = await db.query<{ body: string; n: number }>(
      'SELECT body, (SELECT count(*)::int FROM documents) AS n FROM documents WHERE id = $1',
      [documentId],
    );
    expect(doc!.body).toBe(cleanText(changed).text);
    expect(doc!.n).toBe(6);

    const hits = await hybridSearch(db, embedder, 'zebra crossing pedestrian safety', { k: 1, filters: { documentIds: [documentId] } });
    expect(hits[0]!.text).toContain('The zebra crossing review adds a fourth task on pedestrian safety.');
    // The bundled fact sheet is untouched.
    expect((await chunkRows(CORPUS_IDS.factSheet)).some((r) => r.body.includes('Organizing for success'))).toBe(true);
  });

  it('keeps the previous version whole when writing the new one fails part-way', async () => {
    const docBefore = (await documentRows()).find((d) => d.id === documentId)!;
    const chunksBefore = await chunkRows(documentId);
    // pgvector refuses NaN, so the INSERT of the poisoned chunk fails inside the replace transaction,
    // after the document row was updated and the old chunks deleted.
    const poisoned: Embedder = {
      name: embedder.name,
      dimensions: embedder.dimensions,
      fusionWeight: embedder.fusionWeight,
      embed: async (texts) => (await embedder.embed(texts)).map((v, i) => (texts[i]!.includes('POISON') ? v.map(() => Number.NaN) : v)),
    };
    await writeFile(file, `${await readFile(file, 'utf8')}\n\nA POISON paragraph that cannot be stored.`);
    const summary = await ingestPaths(ctx(poisoned), [file]);
    expect(summary.failed).toBe(1);
    expect(failed(summary.files[0]).error).toContain(file);
    expect((await documentRows()).find((d) => d.id === documentId)).toEqual(docBefore);
    expect(await chunkRows(documentId)).toEqual(chunksBefore);

    // The next ingest with a working embedder applies the change.
    const retry = await ingestPaths(ctx(), [file]);
    expect(retry.files[0]!.status).toBe('updated');
    expect((await chunkRows(documentId)).some((r) => r.body.includes('A POISON paragraph'))).toBe(true);
    expect(await orphanChunks()).toBe(0);
  });
});

describe('a broken file among good ones', () => {
  it('fails that file with a message naming it, ingests the others, and counts the failure', async () => {
    const dir = path.join(tmp, 'mixed');
    await mkdir(dir, { recursive: true });
    const good = path.join(dir, 'a-good.txt');
    const goodMd = path.join(dir, 'b-good.md');
    const pdf = path.join(dir, 'c-corrupt.pdf');
    const empty = path.join(dir, 'd-empty.txt');
    const chrome = path.join(dir, 'e-only-chrome.txt');
    const xyz = path.join(tmp, 'notes.xyz');
    const missing = path.join(tmp, 'missing.txt');
    await writeFile(good, 'Licensing Review\n\nThe licensing office reviews every export request for small arms within thirty days.');
    await writeFile(goodMd, '# Escalation Guide\n\nHard cases go to the **deputy assistant secretary** for a decision.');
    await writeFile(pdf, '%PDF-1.7\nthis is not really a PDF\n%%EOF');
    await writeFile(empty, '');
    await writeFile(chrome, 'Skip Links\nHome | News | Contact\nBack to top\n');
    await writeFile(xyz, 'some notes');

    const summary = await ingestPaths(ctx(), [dir, xyz, missing]);
    const byName = new Map(summary.files.map((f) => [path.basename(f.path), f]));
    expect([...byName.keys()]).toEqual(['a-good.txt', 'b-good.md', 'c-corrupt.pdf', 'd-empty.txt', 'e-only-chrome.txt', 'notes.xyz', 'missing.txt']);
    expect(byName.get('a-good.txt')!.status).toBe('ingested');
    expect(byName.get('b-good.md')!.status).toBe('ingested');

    const pdfOutcome = failed(byName.get('c-corrupt.pdf'));
    expect(pdfOutcome.code).toBe('ingest.unreadable');
    expect(pdfOutcome.error).toContain(pdf);
    expect(pdfOutcome.error).toMatch(/as PDF/);

    const emptyOutcome = failed(byName.get('d-empty.txt'));
    expect(emptyOutcome.code).toBe('ingest.empty');
    expect(emptyOutcome.error).toContain(empty);
    expect(emptyOutcome.error).toMatch(/contains no text/);

    const chromeOutcome = failed(byName.get('e-only-chrome.txt'));
    expect(chromeOutcome.code).toBe('ingest.empty');
    expect(chromeOutcome.error).toBe(`${chrome}: no text left after removing page boilerplate`);

    const xyzOutcome = failed(byName.get('notes.xyz'));
    expect(xyzOutcome.code).toBe('ingest.unsupported');
    expect(xyzOutcome.error).toContain(xyz);
    expect(xyzOutcome.error).toMatch(/"\.xyz" files are not supported\. Supported extensions: \.txt, /);

    const missingOutcome = failed(byName.get('missing.txt'));
    expect(missingOutcome.code).toBe('ingest.unreadable');
    expect(missingOutcome.error).toContain(missing);
    expect(missingOutcome.error).toMatch(/ENOENT/);

    expect(summary).toMatchObject({ documents: 2, failed: 5, skipped: 0 });

    const sources = (await documentRows()).map((d) => d.source);
    expect(sources).toEqual(expect.arrayContaining([good, goodMd]));
    for (const bad of [pdf, empty, chrome, xyz, missing]) expect(sources).not.toContain(bad);
    const hits = await hybridSearch(db, embedder, 'deputy assistant secretary hard cases', { k: 1 });
    expect(hits[0]!.text).toContain('Hard cases go to the deputy assistant secretary for a decision.');
  });
});

/** A different embedding model: another name, another dimension. */
class TinyEmbedder implements Embedder {
  readonly name = 'tiny-test';
  readonly dimensions = 8;
  readonly fusionWeight = 1;
  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => Array.from({ length: 8 }, (_, i) => ((t.length + i) % 7) + 1));
  }
}

describe('embedder mismatch and reindex', () => {
  const expectMismatch = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('db.embedder_mismatch');
    expect((err as AppError).message).toContain('policy-desk reindex');
    return err as AppError;
  };

  it('refuses another embedder, by name or by dimension, before touching any file', async () => {
    const chunksBefore = await chunkRows();
    const byDim = await expectMismatch(ingestPaths(ctx(new HashingEmbedder(128)), [BUNDLED_CORPUS_DIR]));
    expect(byDim.message).toContain('"hashing-v1" embedder (384 dimensions)');
    expect(byDim.message).toContain('(128 dimensions)');
    const byName = await expectMismatch(ensureEmbedder(db, new TinyEmbedder()));
    expect(byName.message).toContain('"tiny-test"');
    expect(await chunkRows()).toEqual(chunksBefore);
    expect(await readEmbedderRecord(db)).toEqual({ name: 'hashing-v1', dimensions: 384 });
  });

  // On Postgres the HNSW index on vector(384) must go before 128-dimension vectors are written.
  it('reindex rebuilds every vector with the new embedder, which then works for ingest and retrieval', async () => {
    const newEmbedder = new HashingEmbedder(128);
    const [{ total }] = (await db.query<{ total: number }>('SELECT count(*)::int AS total FROM chunks')) as [{ total: number }];
    const progress: Array<[number, number]> = [];
    const done = await reindex(db, newEmbedder, (d, t) => progress.push([d, t]));
    expect(done).toBe(total);
    expect(progress.at(-1)).toEqual([total, total]);

    expect(await readEmbedderRecord(db)).toEqual({ name: 'hashing-v1', dimensions: 128 });
    const dims = await db.query<{ dims: number; n: number }>('SELECT vector_dims(embedding) AS dims, count(*)::int AS n FROM chunks GROUP BY 1');
    expect(dims).toEqual([{ dims: 128, n: total }]);
    // The vectors are the new embedder's, not zero-padded or stale ones.
    const [sample] = await db.query<{ context: string; body: string; embedding: string }>(
      `SELECT context, body, embedding::text AS embedding FROM chunks WHERE id = $1`,
      [`${CORPUS_IDS.factSheet}#1`],
    );
    const stored = JSON.parse(sample!.embedding) as number[];
    const fresh = newEmbedder.embedOne(sample!.context ? `${sample!.context}\n${sample!.body}` : sample!.body);
    stored.forEach((x, i) => expect(x).toBeCloseTo(fresh[i]!, 5));

    await ensureEmbedder(db, newEmbedder);
    await expectMismatch(ensureEmbedder(db, embedder));

    const hits = await hybridSearch(db, newEmbedder, THREE_LINES_QUESTION, { k: 5 });
    const fact = hits.find((h) => h.documentId === CORPUS_IDS.factSheet && THREE_LINES.every((l) => h.text.includes(l)));
    expect(fact).toBeDefined();
    // The new vectors are searched: a chunk's own text finds that chunk first.
    const [nearest] = await vectorCandidates(db, fresh, undefined, 5);
    expect(nearest).toMatchObject({ id: `${CORPUS_IDS.factSheet}#1`, distance: expect.closeTo(0, 5) });

    // Reindexing records the embedder per document, so unchanged files stay unchanged.
    const again = await ingestPaths(ctx(newEmbedder), [BUNDLED_CORPUS_DIR]);
    expect(again).toMatchObject({ documents: 0, skipped: 5, failed: 0 });

    if (db.kind === 'postgres') {
      const indexes = await db.query<{ name: string }>(
        `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'chunks_embedding_hnsw_%'`,
      );
      expect(indexes.map((i) => i.name)).toEqual(['chunks_embedding_hnsw_128']);
    }
  });
});
