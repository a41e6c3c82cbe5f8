import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../ingest/chunk.ts';
import { cleanText } from '../../ingest/clean.ts';
import { bulkLoadPays, ingestPaths, type IngestContext, type IngestEvent } from '../../ingest/pipeline.ts';
import { toVector } from '../../src/db/documents.ts';
import { dropVectorIndexes, ensureEmbedder, vectorIndexName, vectorIndexStatus } from '../../src/db/embedder-record.ts';
import type { Db, Queryable } from '../../src/db/index.ts';
import { HashingEmbedder, type Embedder } from '../../src/search/embedder.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/** Small chunks, so a few short documents make many chunks and several batches. */
const CHUNKING = { targetChars: 300, overlapChars: 60 };
const embedder = new HashingEmbedder(384);

let db: Db & { label: string };
let tmp: string;
const ctx = (extra: Partial<IngestContext> = {}): IngestContext => ({ db, embedder, chunking: CHUNKING, ...extra });

const TOPICS = ['licensing', 'end-use monitoring', 'offsets', 'training', 'maintenance', 'human rights vetting', 'air defense', 'maritime patrol'];

/** Deterministic documents of three to six paragraphs: several chunks each at CHUNKING. */
function memo(i: number): string {
  const topic = TOPICS[i % TOPICS.length]!;
  const paragraphs = Array.from(
    { length: 3 + (i % 4) },
    (_, p) =>
      `Paragraph ${p + 1} of memorandum ${i} covers ${topic} for partner number ${i * 7 + p}. ` +
      `Reviewers record the decision, the conditions attached to it and the office that checks them, ` +
      `and they name the programme code RX${i}${p} so that later audits can find it.`,
  );
  return [`# Memorandum ${i} on ${topic}`, '', ...paragraphs.flatMap((p) => [p, ''])].join('\n');
}

async function writeMemos(dir: string, from: number, count: number, change?: (i: number, text: string) => string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = from; i < from + count; i++) {
    const file = path.join(dir, `memo-${String(i).padStart(3, '0')}.md`);
    await writeFile(file, change ? change(i, memo(i)) : memo(i));
    files.push(file);
  }
  return files;
}

interface StoreCheck {
  documents: number;
  chunks: number;
  docsWithoutChunks: number;
  ordinalGaps: number;
  offsetMismatches: number;
  unembedded: number;
}

/** What an interrupted write could break: documents without chunks, gaps, offsets that no longer match the text. */
async function checkStore(q: Queryable, sourcePrefix: string): Promise<StoreCheck> {
  const [r] = await q.query<StoreCheck>(
    `WITH d AS (SELECT * FROM documents WHERE source LIKE $1 || '%'), c AS (SELECT c.* FROM chunks c JOIN d ON d.id = c.document_id)
     SELECT (SELECT count(*)::int FROM d) AS documents,
            (SELECT count(*)::int FROM c) AS chunks,
            (SELECT count(*)::int FROM d WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.document_id = d.id)) AS "docsWithoutChunks",
            (SELECT count(*)::int FROM (SELECT document_id FROM c GROUP BY document_id
                                         HAVING min(ordinal) <> 0 OR max(ordinal) <> count(*) - 1) g) AS "ordinalGaps",
            (SELECT count(*)::int FROM c JOIN d ON d.id = c.document_id
              WHERE substr(d.body, c.start_offset + 1, c.end_offset - c.start_offset) <> c.body) AS "offsetMismatches",
            (SELECT count(*)::int FROM c WHERE embedding IS NULL) AS unembedded`,
    [sourcePrefix],
  );
  return r!;
}

/** The chunks each file should have, by source path: exactly what the chunker makes of it. */
async function expectedSpans(files: string[]): Promise<Map<string, Array<[number, number]>>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const f of files) out.set(f, chunkDocument(cleanText(await readFile(f, 'utf8')), CHUNKING).map((c) => [c.start, c.end]));
  return out;
}

async function storedSpans(sourcePrefix: string): Promise<Map<string, Array<[number, number]>>> {
  const rows = await db.query<{ source: string; spans: Array<[number, number]> }>(
    `SELECT d.source, json_agg(json_build_array(c.start_offset, c.end_offset) ORDER BY c.ordinal) AS spans
       FROM documents d JOIN chunks c ON c.document_id = d.id WHERE d.source LIKE $1 || '%' GROUP BY d.source`,
    [sourcePrefix],
  );
  return new Map(rows.map((r) => [r.source, r.spans]));
}

const clean = { documents: expect.any(Number), docsWithoutChunks: 0, ordinalGaps: 0, offsetMismatches: 0, unembedded: 0 };

beforeAll(async () => {
  db = await openTestDb();
  tmp = await mkdtemp(path.join(tmpdir(), 'policy-desk-resume-'));
});

afterAll(async () => {
  await db?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('an interrupted ingest resumes', () => {
  it('after a subset was ingested, the whole folder skips what is stored and ends with every document whole', async () => {
    const dir = path.join(tmp, 'subset');
    const files = await writeMemos(dir, 0, 24);
    const first = await ingestPaths(ctx({ batch: { files: 4 } }), files.slice(0, 9));
    expect(first).toMatchObject({ documents: 9, skipped: 0, failed: 0 });

    const all = await ingestPaths(ctx({ batch: { files: 4 } }), [dir]);
    expect(all).toMatchObject({ documents: 15, skipped: 9, failed: 0 });
    expect(all.files.map((f) => f.path)).toEqual(files);
    expect(all.files.map((f) => f.status)).toEqual([...Array(9).fill('unchanged'), ...Array(15).fill('ingested')]);

    const check = await checkStore(db, dir);
    expect(check).toMatchObject({ ...clean, documents: 24 });
    expect(check.chunks).toBe(first.chunks + all.chunks);
    expect(await storedSpans(dir)).toEqual(await expectedSpans(files));
  });

  it('a run that dies part-way leaves only whole documents of committed batches, and the next run finishes the job', async () => {
    const dir = path.join(tmp, 'dies');
    const files = await writeMemos(dir, 100, 20);
    let seen = 0;
    const dying = (e: IngestEvent) => {
      // Events come after their batch commits; a process killed here has written those batches and nothing after.
      if (e.type === 'file' && ++seen === 6) throw new Error('process killed');
    };
    await expect(ingestPaths(ctx({ batch: { files: 4 } }), [dir], dying)).rejects.toThrow('process killed');

    const atCrash = await checkStore(db, dir);
    expect(atCrash).toMatchObject(clean);
    // Whole batches only: the one whose event died (documents 5-8) is committed, later ones are not.
    expect(atCrash.documents % 4).toBe(0);
    expect(atCrash.documents).toBeGreaterThanOrEqual(8);
    expect(atCrash.documents).toBeLessThan(20);

    const resumed = await ingestPaths(ctx({ batch: { files: 4 } }), [dir]);
    expect(resumed).toMatchObject({ skipped: atCrash.documents, documents: 20 - atCrash.documents, failed: 0 });
    expect(await checkStore(db, dir)).toMatchObject({ ...clean, documents: 20 });
    expect(await storedSpans(dir)).toEqual(await expectedSpans(files));
  });

  it('a batch whose write fails part-way is rolled back and retried document by document: only the bad document fails', async () => {
    const dir = path.join(tmp, 'poison');
    const files = await writeMemos(dir, 200, 6, (i, text) => (i === 203 ? `${text}\nA POISON paragraph that cannot be stored.\n` : text));
    // pgvector refuses NaN: the chunk INSERT fails inside the batch's transaction, after the
    // batch's document rows were written, as a real write failure would.
    const poisoned: Embedder = {
      name: embedder.name,
      dimensions: embedder.dimensions,
      fusionWeight: embedder.fusionWeight,
      embed: async (texts) => (await embedder.embed(texts)).map((v, i) => (texts[i]!.includes('POISON') ? v.map(() => Number.NaN) : v)),
    };
    const summary = await ingestPaths(ctx({ embedder: poisoned, batch: { files: 6 } }), [dir]);
    expect(summary).toMatchObject({ documents: 5, failed: 1 });
    const bad = summary.files.find((f) => f.status === 'failed');
    expect(bad?.path).toBe(files[3]);
    expect(bad && 'error' in bad ? bad.error : '').toContain(files[3]);

    expect(await checkStore(db, dir)).toMatchObject({ ...clean, documents: 5 });
    const [stray] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chunks WHERE document_id IN (SELECT id FROM documents WHERE source = $1) OR body LIKE '%POISON%'`,
      [files[3]],
    );
    expect(stray!.n).toBe(0);

    const retry = await ingestPaths(ctx({ batch: { files: 6 } }), [dir]);
    expect(retry).toMatchObject({ documents: 1, skipped: 5, failed: 0 });
    expect(await checkStore(db, dir)).toMatchObject({ ...clean, documents: 6 });
  });
});

describe('bounded batches', () => {
  /** Counts what each write transaction carries and how far preparation runs ahead of the writes. */
  function instrument(limitFiles: number) {
    const transactions: Array<{ documents: number; chunks: number }> = [];
    let prepared = 0;
    let committed = 0;
    let maxAhead = 0;
    const counted: Db = {
      ...db,
      kind: db.kind,
      query: db.query.bind(db),
      exec: db.exec.bind(db),
      close: db.close.bind(db),
      transaction: async (fn) => {
        const t = { documents: 0, chunks: 0 };
        const result = await db.transaction((tx) =>
          fn({
            exec: tx.exec.bind(tx),
            query: async (sql, params) => {
              if (sql.includes('INSERT INTO documents')) t.documents++;
              // One row of parameters per chunk: count the rows by the columns the insert names.
              if (sql.includes('INSERT INTO chunks')) t.chunks += (params?.length ?? 0) / sql.slice(sql.indexOf('(') + 1, sql.indexOf(')')).split(',').length;
              return tx.query(sql, params);
            },
          }),
        );
        transactions.push(t);
        committed += t.documents;
        return result;
      },
    };
    const counting: Embedder = {
      name: embedder.name,
      dimensions: embedder.dimensions,
      fusionWeight: embedder.fusionWeight,
      embed: async (texts) => {
        // One call per file: this file is prepared while earlier ones may still be unwritten.
        prepared++;
        maxAhead = Math.max(maxAhead, prepared - committed);
        return embedder.embed(texts);
      },
    };
    return { transactions, counted, counting, maxAhead: () => maxAhead, limitFiles };
  }

  it('writes at most `files` documents a transaction and prepares at most one batch ahead of the write', async () => {
    const dir = path.join(tmp, 'bounded-files');
    await writeMemos(dir, 300, 17);
    const probe = instrument(3);
    const summary = await ingestPaths({ db: probe.counted, embedder: probe.counting, chunking: CHUNKING, batch: { files: 3 } }, [dir]);
    expect(summary).toMatchObject({ documents: 17, failed: 0 });
    // Transactions that write no document (the acronym rebuild after the batches) do not count.
    expect(probe.transactions.filter((t) => t.documents > 0).map((t) => t.documents)).toEqual([3, 3, 3, 3, 3, 2]);
    expect(probe.transactions.reduce((a, t) => a + t.chunks, 0)).toBe(summary.chunks);
    // The batch being filled plus the one being written: memory does not grow with the corpus.
    expect(probe.maxAhead()).toBeLessThanOrEqual(2 * 3);
  });

  it('closes a batch once it holds `chunks` chunks, so a transaction carries at most that plus one document', async () => {
    const dir = path.join(tmp, 'bounded-chunks');
    const files = await writeMemos(dir, 400, 12);
    const perDoc = [...(await expectedSpans(files)).values()].map((s) => s.length);
    const probe = instrument(100);
    const summary = await ingestPaths({ db: probe.counted, embedder: probe.counting, chunking: CHUNKING, batch: { files: 100, chunks: 10 } }, [dir]);
    expect(summary).toMatchObject({ documents: 12, failed: 0 });
    expect(probe.transactions.length).toBeGreaterThan(1);
    for (const t of probe.transactions) expect(t.chunks).toBeLessThan(10 + Math.max(...perDoc));
    expect(probe.transactions.reduce((a, t) => a + t.chunks, 0)).toBe(perDoc.reduce((a, b) => a + b, 0));
  });

  it('gives documents of one batch with the same file name distinct ids', async () => {
    const a = path.join(tmp, 'same-name', 'a');
    const b = path.join(tmp, 'same-name', 'b');
    await writeMemos(a, 500, 1);
    await writeMemos(b, 500, 1);
    const summary = await ingestPaths(ctx({ batch: { files: 10 } }), [a, b]);
    expect(summary).toMatchObject({ documents: 2, failed: 0 });
    const ids = summary.files.map((f) => ('documentId' in f ? f.documentId : ''));
    expect(ids[0]).toBe('memo-500');
    expect(ids[1]).toMatch(/^memo-500-[0-9a-f]{6}$/);
    expect(await checkStore(db, path.join(tmp, 'same-name'))).toMatchObject({ ...clean, documents: 2 });
  });
});

describe('the HNSW index around a bulk load', () => {
  it('is deferred for a load that adds many documents relative to the store, kept for a small one', () => {
    expect(bulkLoadPays(10_000, 0)).toBe(true);
    expect(bulkLoadPays(6_000, 4_000)).toBe(true);
    expect(bulkLoadPays(199, 0)).toBe(false);
    expect(bulkLoadPays(1_000, 10_000)).toBe(false);
    expect(bulkLoadPays(5, 0)).toBe(false);
  });

  it.runIf(dbLabel === 'pglite')('does not apply to PGlite, which scans exactly', async () => {
    const dir = path.join(tmp, 'pglite-bulk');
    await writeMemos(dir, 600, 3);
    const summary = await ingestPaths(ctx({ vectorIndex: 'bulk' }), [dir]);
    expect(summary.vectorIndex).toBeUndefined();
    expect(await vectorIndexStatus(db, 384)).toBeNull();
  });

  it.runIf(dbLabel === 'postgres')('a bulk load builds the index once at the end; a store left without it gets it back at start-up', async () => {
    const dir = path.join(tmp, 'bulk');
    await writeMemos(dir, 700, 30);
    const summary = await ingestPaths(ctx({ vectorIndex: 'bulk' }), [dir]);
    expect(summary.vectorIndex?.strategy).toBe('bulk');
    expect(summary.vectorIndex?.buildSeconds).toBeGreaterThanOrEqual(0);
    expect(await vectorIndexStatus(db, 384)).toEqual({ name: vectorIndexName(384), present: true, valid: true });

    // A bulk load killed before its final build leaves no index; the next start-up (ensureEmbedder) builds it.
    expect(await dropVectorIndexes(db)).toEqual([vectorIndexName(384)]);
    await ensureEmbedder(db, embedder);
    expect(await vectorIndexStatus(db, 384)).toMatchObject({ present: true, valid: true });

    // And vector queries use it.
    const [v] = await embedder.embed(['memorandum licensing']);
    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT c.id FROM chunks c WHERE c.embedding IS NOT NULL AND vector_dims(c.embedding) = 384 ORDER BY c.embedding::vector(384) <=> $1::vector(384) LIMIT 10`,
        [toVector(v!)],
      );
    });
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain(`Index Scan using ${vectorIndexName(384)}`);
  });

  it.runIf(dbLabel === 'postgres')('a small ingest keeps the index and lets inserts maintain it', async () => {
    const dir = path.join(tmp, 'small');
    await writeMemos(dir, 800, 3);
    const summary = await ingestPaths(ctx(), [dir]);
    expect(summary.vectorIndex).toEqual({ strategy: 'maintain', buildSeconds: null });
    expect(await vectorIndexStatus(db, 384)).toMatchObject({ present: true, valid: true });
  });

  it.runIf(dbLabel === 'postgres')('a bulk load that fails still leaves the index built', async () => {
    const dir = path.join(tmp, 'bulk-fails');
    await writeMemos(dir, 900, 8);
    let seen = 0;
    await expect(
      ingestPaths(ctx({ vectorIndex: 'bulk', batch: { files: 2 } }), [dir], (e) => {
        if (e.type === 'file' && ++seen === 3) throw new Error('stopped');
      }),
    ).rejects.toThrow('stopped');
    expect(await vectorIndexStatus(db, 384)).toMatchObject({ present: true, valid: true });
  });
});

