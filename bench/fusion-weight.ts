/**
 * The hashing embedder's vote in reciprocal rank fusion (HashingEmbedder.fusionWeight), measured
 * on the bundled corpus (the evaluation set) and at scale (the 200 fact questions of
 * bench/large-corpus.ts over the store it leaves in schema large_main):
 *
 *   npx tsx bench/fusion-weight.ts [--url postgres://postgres@127.0.0.1:5432/policy_desk_large] [--docs 10000]
 *
 * Run bench/large-corpus.ts first for the scale figures (they are skipped when its store is
 * missing). Prints figures only.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLED_CORPUS_DIR, ingestPaths } from '../ingest/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import type { Db } from '../src/db/types.ts';
import { HashingEmbedder, type Embedder } from '../src/search/embedder.ts';
import { evaluate, readEvalSet } from '../src/app/evaluate.ts';
import { hybridSearch } from '../src/search/retrieve.ts';
import { createServices } from '../src/app/services.ts';
import type { LargeCorpusQuery } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/policy_desk_large' },
    docs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '11' },
  },
});
const WEIGHTS = [0, 0.1, 0.25, 0.5, 1];
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The same hashing embedder with another fusion vote. */
function withVote(e: HashingEmbedder, weight: number): Embedder {
  return Object.assign(Object.create(Object.getPrototypeOf(e) as object) as HashingEmbedder, e, { fusionWeight: weight });
}

const base = { ...loadConfig(), databaseUrl: undefined };
const questions = await readEvalSet(path.join(import.meta.dirname, '..', 'test', 'fixtures', 'eval', 'questions.jsonl'));
const hashing = new HashingEmbedder();

console.log('Bundled corpus, evaluation set (57 questions):');
console.log('vote   hit@1   hit@5   MRR@10  answered  right-quote');
{
  const db = await openDb(base, { inMemory: true });
  await ingestPaths({ db, embedder: hashing, chunking: base.chunking }, [BUNDLED_CORPUS_DIR]);
  for (const w of WEIGHTS) {
    const services = await createServices(base, { db, embedder: withVote(hashing, w) });
    const r = await evaluate(services, questions, 10);
    console.log(`${String(w).padEnd(7)}${pct(r.hitAt[1] ?? 0).padEnd(8)}${pct(r.hitAt[5] ?? 0).padEnd(8)}${r.mrr.toFixed(3).padEnd(8)}${pct(r.answeredWhenAnswerable).padEnd(10)}${pct(r.citationHit)}`);
  }
  await db.close();
}

const marker = path.join(os.tmpdir(), `pd-large-${args.docs}-${args.seed}`, 'queries.json');
if (!existsSync(marker)) {
  console.log(`\n(no ${marker}: run bench/large-corpus.ts first for the figures at scale)`);
} else {
  const facts = JSON.parse(await readFile(marker, 'utf8')) as LargeCorpusQuery[];
  let db: Db;
  try {
    db = await openDb({ ...base, databaseUrl: args.url }, { schema: 'large_main' });
  } catch (err) {
    console.log(`\n(cannot open the large store: ${(err as Error).message})`);
    process.exit(0);
  }
  const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks')) as [{ n: number }];
  console.log(`\nAt scale: ${n} chunks, ${facts.length} fact questions (the answering document found):`);
  console.log('vote   hit@1   hit@10');
  for (const w of WEIGHTS) {
    const e = withVote(hashing, w);
    let hit1 = 0;
    let hit10 = 0;
    for (const q of facts) {
      const rank = (await hybridSearch(db, e, q.question, { k: 10 })).findIndex((p) => p.documentId === q.documentId);
      if (rank === 0) hit1++;
      if (rank >= 0) hit10++;
    }
    console.log(`${String(w).padEnd(7)}${pct(hit1 / facts.length).padEnd(8)}${pct(hit10 / facts.length)}`);
  }
  await db.close();
}
