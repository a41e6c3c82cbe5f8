import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths, type FileOutcome, type IngestContext, type IngestSummary } from '../../ingest/pipeline.ts';
import { MAX_DOCX_UNCOMPRESSED_BYTES, MAX_FILE_BYTES } from '../../ingest/limits.ts';
import { quotePlace } from '../../src/answer/citations.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { loadPassages } from '../../src/search/retrieve.ts';
import { openTestDb } from '../helpers/db.ts';
import { binaryBytes, writeHugeHtml, zipBombDocx } from '../helpers/hostile-fixtures.ts';
import { encryptedPdf, longPdf, memoPdf } from '../helpers/pdf-fixtures.ts';

/*
 * Hostile documents in one ingest run with a good one, on a real store (PGlite, or Postgres with
 * DATABASE_URL): each gets its own clear error, none leaves a document or a chunk behind, and the
 * good file of the same run is ingested. Files are made here, in a temp dir (the 100 MB page too).
 */

let db: Db;
let dir: string;
let ctx: IngestContext;
let run: IngestSummary;
const files = {
  encrypted: 'case-file-encrypted.pdf',
  truncated: 'guidance-truncated.pdf',
  bomb: 'guidance-bomb.docx',
  huge: 'archive-page.html',
  binary: 'notes.txt',
  good: 'briefing.md',
};
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  db = await openTestDb();
  const config = loadConfig({});
  ctx = { db, embedder: new HashingEmbedder(), chunking: config.chunking, ocr: { enabled: false } };
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-hostile-'));
  const memo = await memoPdf();
  await writeFile(at(files.encrypted), await encryptedPdf());
  await writeFile(at(files.truncated), memo.subarray(0, Math.floor(memo.byteLength * 0.6)));
  await writeFile(at(files.bomb), await zipBombDocx());
  await writeHugeHtml(at(files.huge), 100);
  await writeFile(at(files.binary), binaryBytes());
  await writeFile(at(files.good), '# Briefing\n\nThe briefing on end-use monitoring is held every quarter with the regional bureaus.\n');
  run = await ingestPaths(ctx, Object.values(files).map(at));
}, 120_000);

afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function outcome(name: string): Extract<FileOutcome, { status: 'failed' }> {
  const o = run.files.find((f) => f.path === at(name));
  expect(o, name).toBeDefined();
  expect(o!.status, name).toBe('failed');
  return o as Extract<FileOutcome, { status: 'failed' }>;
}

describe('hostile documents', () => {
  it('the good file of the same run is ingested; nothing of the hostile ones is stored', async () => {
    expect(run.files.find((f) => f.path === at(files.good))).toMatchObject({ status: 'ingested' });
    expect(run.failed).toBe(5);
    const stored = await db.query<{ source: string }>('SELECT source FROM documents');
    expect(stored.map((r) => r.source)).toEqual([at(files.good)]);
    const [chunks] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM chunks WHERE document_id NOT IN (SELECT id FROM documents WHERE source = $1)`, [at(files.good)]);
    expect(chunks!.n).toBe(0);
  });

  it('an encrypted PDF: ingest.encrypted, saying how to get a readable copy', () => {
    const o = outcome(files.encrypted);
    expect(o.code).toBe('ingest.encrypted');
    expect(o.error).toContain(at(files.encrypted));
    expect(o.error).toMatch(/encrypted with a password: save an unprotected copy/);
  });

  it('a truncated PDF: refused as cut off, not half read', () => {
    const o = outcome(files.truncated);
    expect(o.code).toBe('ingest.unreadable');
    expect(o.error).toMatch(/as PDF: the file is truncated/);
  });

  it('a DOCX whose zip would inflate past the limit: refused from its directory, before inflating', () => {
    const o = outcome(files.bomb);
    expect(o.code).toBe('ingest.too_large');
    expect(o.error).toContain(`would inflate to more than ${MAX_DOCX_UNCOMPRESSED_BYTES / 1024 / 1024} MB`);
    expect(o.error).toMatch(/zip bomb/);
  });

  it('a 100 MB HTML page: refused by its size before parsing', async () => {
    expect((await stat(at(files.huge))).size).toBeGreaterThan(100 * 1024 * 1024);
    const o = outcome(files.huge);
    expect(o.code).toBe('ingest.too_large');
    expect(o.error).toContain(`more than the ${MAX_FILE_BYTES.html / 1024 / 1024} MB a HTML file may be`);
  });

  it('a binary file named .txt: refused as not text', () => {
    const o = outcome(files.binary);
    expect(o.code).toBe('ingest.unreadable');
    expect(o.error).toMatch(/as TXT: it looks like a binary file, not text/);
  });

  it('a PDF of 2,000 pages is read page by page and cited on the right page', async () => {
    const file = at('case-log.pdf');
    await writeFile(file, await longPdf(2000));
    const pages: number[] = [];
    const summary = await ingestPaths({ ...ctx, onPage: (e) => pages.push(e.page) }, [file]);
    expect(summary.files[0]).toMatchObject({ status: 'ingested', pages: 2000 });
    expect(pages).toHaveLength(2000);
    expect(pages[1999]).toBe(2000);
    const [chunk] = await db.query<{ id: string }>(
      `SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE d.source = $1 AND c.body LIKE '%Case 1999: the review of case number 1999 %' ORDER BY c.ordinal LIMIT 1`,
      [file],
    );
    const passage = (await loadPassages(db, [chunk!.id])).get(chunk!.id)!;
    expect(passage.pages!.first).toBeLessThanOrEqual(1999);
    expect(quotePlace(passage, 'Case 1999: the review of case number 1999')).toMatchObject({ page: 1999, pageEnd: 1999 });
  }, 120_000);
});
