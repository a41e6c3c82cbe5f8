/**
 * OCR seconds per page: scanned pages (text rendered to a 150-dpi JPEG, placed in a PDF, no text
 * layer) read through the PDF loader, i.e. rendered by pdf.js + @napi-rs/canvas at 300 dpi and
 * read by tesseract.js with the English model from node_modules.
 *   npx tsx bench/ocr.ts [pages=4]
 * Prints figures only; nothing here asserts a time.
 */
import { extractPdf } from '../ingest/loaders/pdf.ts';
import { lazyOcrEngine } from '../ingest/ocr.ts';
import { scannedPdf } from '../test/helpers/pdf-fixtures.ts';
import { machine } from './lib.ts';

const pages = Number(process.argv[2] ?? 4);
const text = [
  '# MEMORANDUM FOR THE RECORD',
  '',
  'Subject: Handling of retransfer requests',
  '',
  'Retransfer requests must be answered within thirty days of receipt by the',
  'licensing office, which tells the requesting government the case number',
  'and the officer assigned to the case. The post keeps the request and its',
  'own assessment of the proposed recipient until the case is closed.',
  '',
  '2. End-use checks',
  'An end-use check is completed within 45 calendar days of the request and',
  'reported through the regional bureau; a missing article is reported at once.',
  '',
  'Signed, Director of Regional Security',
];
const pdf = await scannedPdf(Array.from({ length: pages }, () => text));
console.log(`machine: ${machine()}`);
console.log(`input: ${pages} scanned US-letter page(s), ${(pdf.byteLength / 1024).toFixed(0)} kB`);

const engine = lazyOcrEngine();
const warm = await scannedPdf([['Warm-up page.']]);
let t = performance.now();
await extractPdf(warm, { ocr: engine });
console.log(`worker start + first (tiny) page: ${((performance.now() - t) / 1000).toFixed(2)} s`);

const times: number[] = [];
let last = performance.now();
t = last;
const out = await extractPdf(pdf, {
  ocr: engine,
  onPage: () => {
    const now = performance.now();
    times.push((now - last) / 1000);
    last = now;
  },
});
const total = (performance.now() - t) / 1000;
await engine.close();
const conf = (out.ocr ?? []).map((o) => o.confidence);
console.log(`OCR seconds per page (render + recognise): ${times.map((s) => s.toFixed(2)).join(', ')}; mean ${(total / pages).toFixed(2)} s`);
console.log(`mean confidence per page: ${conf.join(', ')}`);
