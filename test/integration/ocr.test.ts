import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyOcrEngine, tesseractOptions, type OcrEngine } from '../../ingest/ocr.ts';
import { ingestPaths, type IngestContext, type IngestPageEvent, type IngestSummary } from '../../ingest/pipeline.ts';
import { ask, createServices, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config.ts';
import { renderAnswerText } from '../../src/console/render.ts';
import { documentPages } from '../../src/db/documents.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { openTestDb } from '../helpers/db.ts';
import { scannedPdf } from '../helpers/pdf-fixtures.ts';

/*
 * A one-page scan (text rendered to a JPEG and placed in a PDF with pdf-lib: no text layer) read
 * by the real tesseract.js with the English model from node_modules. OCR is slow (seconds a page),
 * so the file OCRs that one page once, in beforeAll, and every test reads the result.
 */

const ANSWER = 'Retransfer requests must be answered within thirty days of receipt';
const SCAN = [
  '# MEMORANDUM FOR THE RECORD',
  '',
  'Subject: Handling of retransfer requests',
  '',
  `${ANSWER} by the`,
  'licensing office, which tells the requesting government',
  'the case number and the officer assigned to the case.',
  '',
  'Signed, Director of Regional Security',
];

let services: Services;
let dir: string;
let scan: string;
let note: string;
let engine: OcrEngine;
let summary: IngestSummary;
const pagesSeen: IngestPageEvent[] = [];

function ctx(over: Partial<IngestContext> = {}): IngestContext {
  return { db: services.db, embedder: services.embedder, chunking: services.config.chunking, ...over };
}

beforeAll(async () => {
  const db = await openTestDb();
  services = await createServices(loadConfig({}), { db, embedder: new HashingEmbedder() });
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-ocr-'));
  scan = path.join(dir, 'signed-memo.pdf');
  note = path.join(dir, 'note.txt');
  await writeFile(scan, await scannedPdf([SCAN]));
  await writeFile(note, 'A short note on export licensing that has a text layer of its own, being plain text.');
  engine = lazyOcrEngine();
  // minConfidence 100: every OCR'd page is below it, so the report is exercised on a real read.
  summary = await ingestPaths(ctx({ ocr: { enabled: true, minConfidence: 100, engine }, onPage: (e) => pagesSeen.push(e) }), [scan]);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await services?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OCR of scanned PDFs', () => {
  it('reads the model from node_modules, never from the network', () => {
    const options = tesseractOptions();
    expect(path.isAbsolute(options.langPath)).toBe(true);
    expect(options.langPath).toContain(`${path.sep}node_modules${path.sep}@tesseract.js-data${path.sep}eng`);
    expect(existsSync(path.join(options.langPath, 'eng.traineddata.gz'))).toBe(true);
    expect(options.cacheMethod).toBe('none');
  });

  it('reads the page without a text layer by OCR, keeps its confidence, and reports it per page', async () => {
    expect(summary.failed).toBe(0);
    const outcome = summary.files[0]!;
    expect(outcome).toMatchObject({ status: 'ingested', pages: 1, ocrPages: [1] });
    expect(pagesSeen).toEqual([{ path: scan, page: 1, pages: 1 }]);
    const warnings = 'warnings' in outcome ? (outcome.warnings ?? []) : [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^page 1 was read by OCR with a mean confidence of [\d.]+ \(below 100\)/);

    const id = 'documentId' in outcome ? outcome.documentId : '';
    const pages = (await documentPages(services.db, [id])).get(id)!;
    expect(pages.pageCount).toBe(1);
    expect(pages.ocrPages).toEqual([1]);
    expect(pages.ocrConfidence).toHaveLength(1);
    // A clean render reads well; the figure itself is Tesseract's.
    expect(pages.ocrConfidence[0]).toBeGreaterThan(60);
    const [doc] = await services.db.query<{ body: string }>('SELECT body FROM documents WHERE id = $1', [id]);
    expect(doc!.body).toContain(ANSWER);
  });

  it('answers from the scan with page 1, marked as OCR text', async () => {
    const answer = await ask(services, 'How soon must retransfer requests be answered?');
    const cited = answer.citations.find((c) => c.quote.includes('thirty days'));
    expect(cited, JSON.stringify(answer.citations.map((c) => c.quote))).toBeDefined();
    expect(cited).toMatchObject({ page: 1, pageEnd: 1, ocr: true });
    expect(renderAnswerText(answer)).toMatch(/p\. 1.*\(OCR\)/);
  });

  it('with OCR off the scan is refused naming the setting, stores nothing, and the other file still ingests', async () => {
    const other = path.join(dir, 'second-scan.pdf');
    await writeFile(other, await scannedPdf([['Another scanned page about end-use checks that has no text layer.']]));
    const run = await ingestPaths(ctx({ ocr: { enabled: false } }), [other, note]);
    const byName = new Map(run.files.map((f) => [path.basename(f.path), f]));
    const refused = byName.get('second-scan.pdf')!;
    expect(refused.status).toBe('failed');
    expect(refused).toMatchObject({ code: 'ingest.scanned' });
    expect('error' in refused && refused.error).toMatch(/scanned PDF .*OCR is turned off \(OCR=off\); set OCR=on/);
    expect('error' in refused && refused.error).toContain(other);
    expect(byName.get('note.txt')).toMatchObject({ status: 'ingested' });
    const rows = await services.db.query('SELECT 1 FROM documents WHERE source = $1', [other]);
    expect(rows).toHaveLength(0);
  });
});
