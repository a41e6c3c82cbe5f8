/**
 * Ingest throughput and query latency on PGlite, and on Postgres when DATABASE_URL is set.
 *   npx tsx bench/ingest-query.ts [documents=300] [queries=200]
 * Prints figures only; nothing here asserts a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUNDLED_CORPUS_DIR, ingestPaths } from '../ingest/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { quoteIdent } from '../src/db/postgres.ts';
import { HashingEmbedder } from '../src/search/embedder.ts';
import { readEvalSet } from '../src/app/evaluate.ts';
import { ask, createServices } from '../src/app/services.ts';
import { machine, summarize, syntheticCorpus } from './lib.ts';

const documents = Number(process.argv[2] ?? 300);
const queries = Number(process.argv[3] ?? 200);
const config = loadConfig();
const work = await mkdtemp(path.join(os.tmpdir(), 'pd-bench-'));
const corpus = await syntheticCorpus(BUNDLED_CORPUS_DIR, path.join(work, 'corpus'), documents);
const questions = (await readEvalSet(path.join(import.meta.dirname, '..', 'test', 'fixtures', 'eval', 'questions.jsonl'))).map((q) => q.question);

console.log(`machine: ${machine()}`);
console.log(`corpus: ${documents} synthetic documents + the 5 bundled ones; ${queries} questions (extractive mode, hashing embedder)`);

const targets: Array<{ label: string; cfg: typeof config; schema?: string }> = [
  { label: 'pglite (on disk)', cfg: { ...config, databaseUrl: undefined, pgliteDir: path.join(work, 'pglite') } },
];
if (config.databaseUrl) targets.push({ label: 'postgres', cfg: config, schema: `bench_${Date.now().toString(36)}` });

for (const t of targets) {
  const db = await openDb(t.cfg, { schema: t.schema });
  const embedder = new HashingEmbedder();
  const services = await createServices(t.cfg, { db, embedder });
  const started = performance.now();
  const summary = await ingestPaths({ db, embedder, chunking: config.chunking }, [corpus, BUNDLED_CORPUS_DIR]);
  const seconds = (performance.now() - started) / 1000;
  const again = performance.now();
  const noop = await ingestPaths({ db, embedder, chunking: config.chunking }, [corpus, BUNDLED_CORPUS_DIR]);
  const noopSeconds = (performance.now() - again) / 1000;
  // Warm-up so the first query's planning and cache misses do not count.
  for (const q of questions.slice(0, 5)) await ask(services, q);
  const times: number[] = [];
  for (let i = 0; i < queries; i++) {
    const t0 = performance.now();
    await ask(services, questions[i % questions.length]!);
    times.push(performance.now() - t0);
  }
  const s = summarize(times);
  console.log(
    `${t.label}: ingest ${summary.documents} docs / ${summary.chunks} chunks in ${seconds.toFixed(1)} s = ${(summary.chunks / seconds).toFixed(0)} chunks/s; ` +
      `re-ingest (all unchanged, ${noop.skipped} skipped) ${noopSeconds.toFixed(1)} s; ` +
      `ask p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n=${s.n})`,
  );
  if (t.schema) await db.exec(`DROP SCHEMA ${quoteIdent(t.schema)} CASCADE`);
  await db.close();
}
await rm(work, { recursive: true, force: true });
