/**
 * Retrieval quality of the evaluation set for several chunk sizes and overlaps: the
 * measurement behind the defaults (CHUNK_TARGET_CHARS, CHUNK_OVERLAP_CHARS).
 *   npx tsx bench/chunk-sizes.ts
 */
import path from 'node:path';
import { BUNDLED_CORPUS_DIR, ingestPaths } from '../ingest/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { HashingEmbedder } from '../src/search/embedder.ts';
import { evaluate, readEvalSet } from '../src/app/evaluate.ts';
import { createServices } from '../src/app/services.ts';

const questions = await readEvalSet(path.join(import.meta.dirname, '..', 'test', 'fixtures', 'eval', 'questions.jsonl'));
const base = { ...loadConfig(), databaseUrl: undefined };
const settings: Array<[number, number]> = [
  [400, 0], [400, 100], [600, 100], [900, 0], [900, 150], [900, 300], [1200, 150], [1600, 200], [2400, 200],
];
console.log('target  overlap  chunks  hit@1   hit@3   hit@5   MRR@10  answered  right-quote  abstained(neg)');
for (const [targetChars, overlapChars] of settings) {
  const config = { ...base, chunking: { targetChars, overlapChars } };
  const db = await openDb(config, { inMemory: true });
  const embedder = new HashingEmbedder();
  const summary = await ingestPaths({ db, embedder, chunking: config.chunking }, [BUNDLED_CORPUS_DIR]);
  const services = await createServices(config, { db, embedder });
  const r = await evaluate(services, questions, 10);
  const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(1)}%`.padEnd(8);
  console.log(
    `${String(targetChars).padEnd(8)}${String(overlapChars).padEnd(9)}${String(summary.chunks).padEnd(8)}` +
      `${pct(r.hitAt[1])}${pct(r.hitAt[3])}${pct(r.hitAt[5])}${r.mrr.toFixed(3).padEnd(8)}${pct(r.answeredWhenAnswerable).padEnd(10)}` +
      `${pct(r.citationHit).padEnd(13)}${pct(r.abstainedWhenNegative)}`,
  );
  await db.close();
}
