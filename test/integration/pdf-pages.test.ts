import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEANING_VERSION } from '../../ingest/clean.ts';
import { ingestPaths, type IngestContext } from '../../ingest/pipeline.ts';
import { quotePlace } from '../../src/answer/citations.ts';
import { ask, createServices, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config.ts';
import { renderAnswerText } from '../../src/console/render.ts';
import { loadPassages } from '../../src/search/retrieve.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { openTestDb } from '../helpers/db.ts';
import { MEMO, memoPdf } from '../helpers/pdf-fixtures.ts';

/*
 * Pages through the whole path on a real store (PGlite, or Postgres with DATABASE_URL): a
 * three-page PDF made here (running header, "Page N of 3" footer, two columns on page 2, a
 * paragraph over the page break, the answer in an annex on page 3) is ingested, and the answer
 * cites page 3 and its section. Offline: nothing here opens a socket.
 */

let services: Services;
let ctx: IngestContext;
let dir: string;
let file: string;

beforeAll(async () => {
  const db = await openTestDb();
  services = await createServices(loadConfig({}), { db, embedder: new HashingEmbedder() });
  ctx = { db, embedder: services.embedder, chunking: services.config.chunking, ocr: { enabled: false } };
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-pages-'));
  file = path.join(dir, 'retransfer-guidance.pdf');
  await writeFile(file, await memoPdf());
});

afterAll(async () => {
  await services?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function documentRow() {
  const [row] = await services.db.query<{ id: string; pageCount: number | null; pageStarts: number[] | null; body: string; version: string }>(
    `SELECT id, page_count AS "pageCount", page_starts AS "pageStarts", body, pipeline_version AS version FROM documents WHERE source = $1`,
    [file],
  );
  return row!;
}

describe('PDF pages', () => {
  it('ingests the PDF with its page count and the offsets where each page starts', async () => {
    const summary = await ingestPaths(ctx, [file]);
    expect(summary.failed).toBe(0);
    expect(summary.files[0]).toMatchObject({ status: 'ingested', pages: 3, ocrPages: [] });
    const doc = await documentRow();
    expect(doc.pageCount).toBe(3);
    expect(doc.pageStarts).toHaveLength(3);
    // Each page starts at its first kept text (the running header and the footer are dropped).
    const [p1, p2, p3] = doc.pageStarts!;
    expect(p1).toBe(0);
    expect(doc.body.slice(p1!, p1! + MEMO.title.length)).toBe(MEMO.title);
    expect(doc.body.slice(p2).startsWith('3. Roles of posts and bureaus')).toBe(true);
    // Page 3 starts inside the paragraph that runs over the break.
    const straddle = doc.body.indexOf(MEMO.straddleStart);
    expect(straddle).toBeLessThan(p3!);
    expect(doc.body.indexOf(MEMO.straddleEnd)).toBeGreaterThan(p3!);
    expect(doc.body).not.toMatch(/Page \d of 3|UNCLASSIFIED/);
  });

  it('keeps each chunk\'s page range, exact through its offsets', async () => {
    const doc = await documentRow();
    const chunks = await services.db.query<{ start: number; end: number; pageStart: number; pageEnd: number; breaks: number[]; headingPath: string[] }>(
      `SELECT start_offset AS start, end_offset AS "end", page_start AS "pageStart", page_end AS "pageEnd", page_breaks AS breaks,
              heading_path AS "headingPath"
         FROM chunks WHERE document_id = $1 ORDER BY ordinal`,
      [doc.id],
    );
    expect(chunks.length).toBeGreaterThan(2);
    const pageOf = (offset: number) => doc.pageStarts!.filter((s) => s <= offset).length;
    for (const c of chunks) {
      expect(c.pageStart).toBe(pageOf(c.start));
      expect(c.pageEnd).toBe(pageOf(c.end - 1));
      expect(c.breaks).toEqual(doc.pageStarts!.filter((s) => s > c.start && s < c.end));
    }
    const annex = chunks.find((c) => c.headingPath.includes(MEMO.section));
    expect(annex).toMatchObject({ pageStart: 3, pageEnd: 3 });
  });

  it('answers from page 3: the citation carries page 3, pageEnd 3 and the section, and the terminal shows "p. 3"', async () => {
    const answer = await ask(services, MEMO.question);
    expect(answer.abstained).toBe(false);
    const cited = answer.citations.find((c) => c.quote.includes(MEMO.answer));
    expect(cited, JSON.stringify(answer.citations.map((c) => c.quote))).toBeDefined();
    expect(cited).toMatchObject({ page: 3, pageEnd: 3, section: MEMO.section, ocr: false });
    expect(renderAnswerText(answer)).toContain(`p. 3 · ${MEMO.section}`);
  });

  it('a quote over the page break starts on page 2 and ends on page 3', async () => {
    const doc = await documentRow();
    const [row] = await services.db.query<{ id: string }>(
      `SELECT id FROM chunks WHERE document_id = $1 AND body LIKE $2 AND body LIKE $3 ORDER BY ordinal LIMIT 1`,
      [doc.id, `%${MEMO.straddleStart}%`, `%${MEMO.straddleEnd}%`],
    );
    const passage = (await loadPassages(services.db, [row!.id])).get(row!.id)!;
    const from = passage.text.indexOf(MEMO.straddleStart);
    const quote = passage.text.slice(from, passage.text.indexOf(MEMO.straddleEnd) + MEMO.straddleEnd.length);
    expect(quotePlace(passage, quote)).toMatchObject({ page: 2, pageEnd: 3 });
    expect(quotePlace(passage, MEMO.straddleStart)).toMatchObject({ page: 2, pageEnd: 2 });
    expect(quotePlace(passage, MEMO.straddleEnd)).toMatchObject({ page: 3, pageEnd: 3 });
  });

  it('a store built before pages existed upgrades on the next ingest, with no manual step', async () => {
    // What a store from before this change holds: the previous cleaning version, no page data.
    const doc = await documentRow();
    const old = doc.version.replace(CLEANING_VERSION, 'clean-6');
    expect(old).not.toBe(doc.version);
    await services.db.query(`UPDATE documents SET pipeline_version = $2, page_count = NULL, page_starts = NULL WHERE id = $1`, [doc.id, old]);
    await services.db.query(`UPDATE chunks SET page_start = NULL, page_end = NULL, page_breaks = '{}' WHERE document_id = $1`, [doc.id]);
    const before = await ask(services, MEMO.question);
    expect(before.citations.find((c) => c.quote.includes(MEMO.answer))).toMatchObject({ page: null, pageEnd: null });

    const summary = await ingestPaths(ctx, [file]);
    expect(summary.files[0]).toMatchObject({ status: 'updated', pages: 3 });
    expect((await documentRow()).pageCount).toBe(3);
    const after = await ask(services, MEMO.question);
    expect(after.citations.find((c) => c.quote.includes(MEMO.answer))).toMatchObject({ page: 3, pageEnd: 3 });
    // And the run after that has nothing to do.
    expect((await ingestPaths(ctx, [file])).files[0]).toMatchObject({ status: 'unchanged' });
  });
});
