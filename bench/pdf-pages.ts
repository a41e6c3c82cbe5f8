/**
 * A long PDF through ingest: pages read one at a time by pdf.js (each freed after reading), so
 * memory stays bounded by the file and its text, not by the page count. Reports time and the
 * process's peak RSS (getrusage maxrss, plus a 20 ms sampler of the extraction alone).
 *   npx tsx bench/pdf-pages.ts [pages=2000]
 * Prints figures only; nothing here asserts a time or a size.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractPdf } from '../ingest/loaders/pdf.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { HashingEmbedder } from '../src/search/embedder.ts';
import { longPdf } from '../test/helpers/pdf-fixtures.ts';
import { machine } from './lib.ts';

const pages = Number(process.argv[2] ?? 2000);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const work = await mkdtemp(path.join(os.tmpdir(), 'pd-bench-pdf-'));
const file = path.join(work, 'case-log.pdf');
let t = performance.now();
const bytes = await longPdf(pages);
await writeFile(file, bytes);
console.log(`machine: ${machine()}`);
console.log(`input: ${pages} pages, ${mb(bytes.byteLength)} (made by pdf-lib in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
const baseline = process.memoryUsage().rss;
console.log(`RSS before reading: ${mb(baseline)}`);

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
t = performance.now();
const out = await extractPdf(bytes, {});
const extractSeconds = (performance.now() - t) / 1000;
clearInterval(sampler);
console.log(`extraction: ${extractSeconds.toFixed(1)} s (${(pages / extractSeconds).toFixed(0)} pages/s), ${mb(out.text.length * 2)} of text; peak RSS while extracting ${mb(peak)}`);

const config = loadConfig({});
const db = await openDb({ ...config, databaseUrl: undefined, pgliteDir: path.join(work, 'pglite') });
t = performance.now();
const summary = await ingestPaths({ db, embedder: new HashingEmbedder(), chunking: config.chunking, ocr: { enabled: false } }, [file]);
console.log(`ingest into PGlite: ${((performance.now() - t) / 1000).toFixed(1)} s, ${summary.chunks} chunks`);
console.log(`peak RSS of the whole run (maxrss): ${mb(process.resourceUsage().maxRSS * 1024)}`);
await db.close();
await rm(work, { recursive: true, force: true });
