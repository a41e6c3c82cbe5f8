/**
 * Ingest and retrieval at scale (issue 7, "Large corpora"): 10,000 synthetic documents, about
 * 210,000 chunks, on Postgres; a smaller run on PGlite.
 *
 *   npx tsx bench/large-corpus.ts [--docs 10000] [--url postgres://postgres@127.0.0.1:5432/policy_desk_large]
 *                                 [--pglite-docs 1000] [--questions 200] [--skip ingest,resume,query,recall,quality,pglite]
 *                                 [--strategy auto|bulk|maintain] [--compare] [--explain] [--keep] [--heap-mb N]
 *
 * Phases, each printing its figures:
 *   1. generate  the corpus into a temp directory (reused across runs with the same size and seed);
 *   2. ingest    into a fresh schema of the benchmark database, in a child process (so its peak RSS
 *                is the ingest's own), through the same `ingest()` service `policy-desk ingest` calls;
 *   3. resume    ingest again into another fresh schema, SIGKILL the child part-way, check the store
 *                (SQL counts, chunk-offset integrity), ingest again, and compare with phase 2's store;
 *   4. query     ask() and hybridSearch latency p50/p95, the time of each retrieval statement, and
 *                hit@k of the generated fact questions;
 *   5. recall    HNSW top-k against exact top-k for several hnsw.ef_search values;
 *   6. pglite    the same ingest and query figures on PGlite at a smaller size.
 * `--compare` also ingests with the HNSW index maintained per insert (`--strategy maintain`);
 * `--skip ingest` measures retrieval on the store a previous run left in schema large_main.
 * The benchmark database is created if missing; its schemas large_* are dropped and recreated.
 * Prints figures only; nothing here asserts a time.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { BUNDLED_CORPUS_DIR, ingestPaths, type IngestEvent } from '../ingest/pipeline.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { quoteIdent } from '../src/db/postgres.ts';
import type { Db } from '../src/db/types.ts';
import { HashingEmbedder } from '../src/search/embedder.ts';
import { readEvalSet } from '../src/app/evaluate.ts';
import { analyzeQuery } from '../src/search/query.ts';
import { fullTextCandidates, hybridSearch, vectorCandidates } from '../src/search/retrieve.ts';
import { ask, createServices, type Services } from '../src/app/services.ts';
import { largeSyntheticCorpus, machine, summarize, type LargeCorpusQuery } from './lib.ts';

const SELF = fileURLToPath(import.meta.url);
const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/policy_desk_large' },
    'pglite-docs': { type: 'string', default: '1000' },
    questions: { type: 'string', default: '200' },
    skip: { type: 'string', default: '' },
    strategy: { type: 'string', default: 'auto' },
    compare: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    seed: { type: 'string', default: '11' },
    // V8 old-space cap for the ingest child processes (MiB), to show the ingest's memory is bounded.
    'heap-mb': { type: 'string' },
    // Child process mode: one ingest, progress as JSON lines on stdout.
    child: { type: 'string' },
    schema: { type: 'string' },
    pglite: { type: 'string' },
    dirs: { type: 'string' },
  },
});

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const log = (s: string) => console.log(s);

type Strategy = 'auto' | 'bulk' | 'maintain';

function configFor(target: { url?: string; pgliteDir?: string }): Config {
  const base = loadConfig();
  return { ...base, databaseUrl: target.url, pgliteDir: target.pgliteDir ?? base.pgliteDir };
}

/* ----------------------------------------------------------------------------- child mode */

if (args.child === 'ingest') {
  const config = configFor({ url: args.pglite ? undefined : args.url, pgliteDir: args.pglite });
  const db = await openDb(config, { schema: args.pglite ? undefined : args.schema });
  const embedder = new HashingEmbedder();
  const services = await createServices(config, { db, embedder, vectorIndex: false });
  const dirs = args.dirs!.split(',');
  let done = 0;
  let total = 0;
  let chunks = 0;
  let failed = 0;
  let last = 0;
  const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const onEvent = (e: IngestEvent) => {
    if (e.type === 'start') {
      total = e.total;
      emit({ type: 'start', total });
      return;
    }
    if (e.type !== 'file') return;
    done++;
    if ('chunks' in e.outcome) chunks += e.outcome.chunks;
    if (e.outcome.status === 'failed') {
      failed++;
      process.stderr.write(`failed: ${e.outcome.error}\n`);
    }
    const now = performance.now();
    if (now - last > 1000 || done === total) {
      last = now;
      emit({ type: 'progress', done, total, chunks, failed, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
    }
  };
  const strategy = args.strategy as Strategy;
  // What `policy-desk ingest` does (services.ingest), with the index strategy made explicit.
  const summary = await ingestPaths({ db, embedder, chunking: config.chunking, vectorIndex: strategy }, dirs, onEvent);
  emit({
    type: 'done',
    documents: summary.documents,
    chunks: summary.chunks,
    skipped: summary.skipped,
    failed: summary.failed,
    seconds: summary.seconds,
    indexBuildSeconds: summary.vectorIndex?.buildSeconds ?? null,
    maxRss: process.resourceUsage().maxRSS * 1024,
  });
  await services.close();
  process.exit(0);
}

/* ---------------------------------------------------------------------------- parent mode */

interface ChildResult {
  killed: boolean;
  doneAtKill?: number;
  seconds: number;
  final?: { documents: number; chunks: number; skipped: number; failed: number; seconds: number; indexBuildSeconds: number | null; maxRss: number };
}

/** Runs one ingest in a child process; `killAt` (0..1) SIGKILLs it once that share of files is done. */
function ingestChild(target: { schema?: string; pglite?: string }, dirs: string[], options: { killAt?: number; strategy?: Strategy; label: string }): Promise<ChildResult> {
  const started = performance.now();
  const heap = args['heap-mb'] ? [`--max-old-space-size=${args['heap-mb']}`] : [];
  const childArgs = [...heap, '--import', 'tsx', SELF, '--child', 'ingest', '--dirs', dirs.join(','), '--url', args.url!, '--strategy', options.strategy ?? (args.strategy as Strategy)];
  if (target.schema) childArgs.push('--schema', target.schema);
  if (target.pglite) childArgs.push('--pglite', target.pglite);
  const child = spawn(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DATABASE_URL: '' } });
  const result: ChildResult = { killed: false, seconds: 0 };
  let nextReport = 0.1;
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: { type: string; done?: number; total?: number; chunks?: number; rss?: number; heap?: number } & ChildResult['final'];
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.type === 'progress' && msg.total) {
      const share = msg.done! / msg.total;
      const secs = (performance.now() - started) / 1000;
      if (share >= nextReport || share === 1) {
        log(
          `  ${options.label}: ${msg.done}/${msg.total} files, ${msg.chunks} chunks, ${secs.toFixed(0)} s, ` +
            `${(msg.done! / secs).toFixed(1)} docs/s, ${(msg.chunks! / secs).toFixed(0)} chunks/s, rss ${mb(msg.rss!)}, heap ${mb(msg.heap!)}`,
        );
        while (nextReport <= share) nextReport += 0.1;
      }
      if (options.killAt !== undefined && !result.killed && share >= options.killAt) {
        result.killed = true;
        result.doneAtKill = msg.done;
        child.kill('SIGKILL');
      }
    }
    if (msg.type === 'done') result.final = msg as ChildResult['final'];
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      result.seconds = (performance.now() - started) / 1000;
      if (signal === 'SIGKILL' && result.killed) resolve(result);
      else if (code === 0 && result.final) resolve(result);
      else reject(new Error(`${options.label}: ingest child exited with ${signal ?? code}`));
    });
  });
}

interface StoreCheck {
  documents: number;
  chunks: number;
  docsWithoutChunks: number;
  ordinalGaps: number;
  offsetMismatches: number;
  duplicateSources: number;
  unembedded: number;
  fingerprint: string;
}

/** What a crash could break: half-written documents, gaps in a document's chunks, offsets that no longer match the text. */
async function checkStore(db: Db): Promise<StoreCheck> {
  const [r] = await db.query<StoreCheck>(
    `SELECT (SELECT count(*)::int FROM documents) AS documents,
            (SELECT count(*)::int FROM chunks) AS chunks,
            (SELECT count(*)::int FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)) AS "docsWithoutChunks",
            (SELECT count(*)::int FROM (SELECT document_id FROM chunks GROUP BY document_id
                                         HAVING min(ordinal) <> 0 OR max(ordinal) <> count(*) - 1) g) AS "ordinalGaps",
            (SELECT count(*)::int FROM chunks c JOIN documents d ON d.id = c.document_id
               WHERE substr(d.body, c.start_offset + 1, c.end_offset - c.start_offset) <> c.body) AS "offsetMismatches",
            (SELECT count(*) - count(DISTINCT source) FROM documents)::int AS "duplicateSources",
            (SELECT count(*)::int FROM chunks WHERE embedding IS NULL) AS unembedded,
            (SELECT md5(string_agg(id || ':' || start_offset || ':' || end_offset || ':' || md5(body), ',' ORDER BY id)) FROM chunks) AS fingerprint`,
  );
  return r!;
}

const describeCheck = (c: StoreCheck) =>
  `${c.documents} documents, ${c.chunks} chunks; documents without chunks ${c.docsWithoutChunks}, ordinal gaps ${c.ordinalGaps}, ` +
  `offset mismatches ${c.offsetMismatches}, duplicate sources ${c.duplicateSources}, chunks without vectors ${c.unembedded}`;

async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
}

async function freshSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: args.url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

async function openSchema(schema: string): Promise<Db> {
  return openDb(configFor({ url: args.url }), { schema });
}

async function vectorIndexes(db: Db): Promise<string[]> {
  const rows = await db.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relname LIKE 'chunks_embedding_hnsw_%'`,
  );
  return rows.map((r) => `${r.name}${r.valid ? '' : ' (INVALID)'}`);
}

function reportIngest(label: string, r: ChildResult): void {
  const f = r.final!;
  log(
    `${label}: ${f.documents} docs / ${f.chunks} chunks in ${r.seconds.toFixed(1)} s wall (${f.seconds.toFixed(1)} s in ingest()) = ` +
      `${(f.documents / f.seconds).toFixed(1)} docs/s, ${(f.chunks / f.seconds).toFixed(0)} chunks/s; ` +
      `${f.skipped} skipped, ${f.failed} failed; peak RSS ${mb(f.maxRss)}` +
      (f.indexBuildSeconds != null ? `; HNSW index built at the end in ${f.indexBuildSeconds.toFixed(1)} s (included)` : ''),
  );
}

/** Latency of ask(), of hybridSearch, and of each retrieval statement; hit@k of the fact questions. */
async function queryFigures(label: string, services: Services, facts: LargeCorpusQuery[], evalQuestions: string[], options: { quality: boolean }): Promise<void> {
  const { db, embedder } = services;
  for (const q of evalQuestions.slice(0, 5)) await ask(services, q);
  const time = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const line = (name: string, xs: number[]) => {
    const s = summarize(xs);
    return `${name} p50 ${ms(s.p50)}, p95 ${ms(s.p95)}`;
  };
  const askFacts: number[] = [];
  const askEval: number[] = [];
  const search: number[] = [];
  const analyse: number[] = [];
  const fts: number[] = [];
  const vec: number[] = [];
  for (const q of facts) askFacts.push(await time(() => ask(services, q.question)));
  for (const q of evalQuestions) askEval.push(await time(() => ask(services, q)));
  for (const q of [...facts.map((f) => f.question), ...evalQuestions]) {
    search.push(await time(() => hybridSearch(db, embedder, q, { k: 5 })));
    let analysis!: Awaited<ReturnType<typeof analyzeQuery>>;
    analyse.push(await time(async () => (analysis = await analyzeQuery(db, q))));
    fts.push(await time(() => fullTextCandidates(db, analysis)));
    const [v] = await embedder.embed([analysis.embedText]);
    vec.push(await time(() => vectorCandidates(db, v!)));
  }
  log(`${label} latency (n=${facts.length} fact + ${evalQuestions.length} eval questions):`);
  log(`  ask(): fact questions ${line('', askFacts)}; eval questions ${line('', askEval)}; all ${line('', [...askFacts, ...askEval])}`);
  log(`  hybridSearch ${line('', search)}`);
  log(`  statements: analyzeQuery (lexemes + document frequencies) ${line('', analyse)}; full-text BM25 ${line('', fts)}; vector ${line('', vec)}`);
  if (!options.quality) return;
  let hit1 = 0;
  let hit10 = 0;
  let fts1 = 0;
  let fts10 = 0;
  let vec10 = 0;
  let answered = 0;
  const inDoc = (id: string, doc: string) => id.startsWith(`${doc}#`);
  for (const q of facts) {
    const passages = await hybridSearch(db, embedder, q.question, { k: 10 });
    const rank = passages.findIndex((p) => p.documentId === q.documentId);
    if (rank === 0) hit1++;
    if (rank >= 0) hit10++;
    const analysis = await analyzeQuery(db, q.question);
    const ftsIds = await fullTextCandidates(db, analysis);
    if (ftsIds[0] && inDoc(ftsIds[0], q.documentId)) fts1++;
    if (ftsIds.slice(0, 10).some((id) => inDoc(id, q.documentId))) fts10++;
    const [v] = await embedder.embed([analysis.embedText]);
    if ((await vectorCandidates(db, v!, undefined, 10)).some((r) => inDoc(r.id, q.documentId))) vec10++;
    const a = await ask(services, q.question);
    if (!a.abstained && a.citations.some((c) => c.document.id === q.documentId)) answered++;
  }
  const n = facts.length;
  log(
    `${label} quality on the ${n} fact questions (answering document found): hybrid hit@1 ${pct(hit1 / n)}, hit@10 ${pct(hit10 / n)}; ` +
      `full-text alone hit@1 ${pct(fts1 / n)}, hit@10 ${pct(fts10 / n)}; vector alone hit@10 ${pct(vec10 / n)}; cited answer from it ${pct(answered / n)}`,
  );
}

async function explainStatements(db: Db, services: Services, question: string): Promise<void> {
  const analysis = await analyzeQuery(db, question);
  const [v] = await services.embedder.embed([analysis.embedText]);
  log(`EXPLAIN ANALYZE for "${question}":`);
  // Capture each statement the retrieval functions issue, then explain it with the same parameters.
  const captured: Array<{ sql: string; params?: unknown[] }> = [];
  const spy: Db = { ...db, query: async (sql, params) => (captured.push({ sql, params }), db.query(sql, params)) } as Db;
  await analyzeQuery(spy, question);
  await fullTextCandidates(spy, analysis);
  await vectorCandidates(spy, v!);
  for (const c of captured) {
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${c.sql}`, c.params);
    const lines = plan.map((p) => p['QUERY PLAN']);
    log(`-- ${c.sql.replace(/\s+/g, ' ').slice(0, 110)}...`);
    for (const l of lines) if (/Execution Time|Planning Time|Index Scan|Seq Scan|Bitmap|Limit|Sort/.test(l)) log(`   ${l.trim()}`);
  }
}

/** HNSW top-k against exact top-k (index scans off) over the same vectors. */
async function recallFigures(db: Db, services: Services, facts: LargeCorpusQuery[], evalQuestions: string[]): Promise<void> {
  if (db.kind !== 'postgres') return;
  const questions = [...facts.map((f) => f.question), ...evalQuestions].slice(0, 200);
  const vectors: number[][] = [];
  for (const q of questions) vectors.push((await services.embedder.embed([(await analyzeQuery(db, q)).embedText]))[0]!);
  const dims = vectors[0]!.length;
  const topK = (v: number[], k: number, settings: string) =>
    db.transaction(async (tx) => {
      await tx.exec(settings);
      const t0 = performance.now();
      const rows = await vectorCandidates(tx, v, undefined, k);
      return { ids: rows.map((r) => r.id), ms: performance.now() - t0 };
    });
  const exact10: string[][] = [];
  const exact50: string[][] = [];
  const exactMs: number[] = [];
  for (const v of vectors) {
    const e = await topK(v, 50, 'SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off');
    exact50.push(e.ids);
    exact10.push(e.ids.slice(0, 10));
    exactMs.push(e.ms);
  }
  const plan = await db.transaction(async (tx) => {
    await tx.exec('SET LOCAL hnsw.ef_search = 100');
    const { toVector } = await import('../src/db/documents.ts');
    return tx.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE c.embedding IS NOT NULL AND vector_dims(c.embedding) = ${dims}
        ORDER BY c.embedding::vector(${dims}) <=> $1::vector(${dims}) LIMIT 50`,
      [toVector(vectors[0]!)],
    );
  });
  log(`vector query plan: ${plan.map((p) => p['QUERY PLAN'].trim()).filter((l) => /Scan/.test(l)).join(' / ')}`);
  const e = summarize(exactMs);
  log(`HNSW recall against exact search over ${vectors.length} questions (exact top-50: p50 ${ms(e.p50)}, p95 ${ms(e.p95)}):`);
  log('  ef_search  recall@10  recall@50  vector query p50  p95');
  for (const ef of [40, 64, 100, 200, 400]) {
    let r10 = 0;
    let r50 = 0;
    const times: number[] = [];
    for (let i = 0; i < vectors.length; i++) {
      const h10 = await topK(vectors[i]!, 10, `SET LOCAL hnsw.ef_search = ${ef}`);
      const h50 = await topK(vectors[i]!, 50, `SET LOCAL hnsw.ef_search = ${Math.max(ef, 50)}`);
      times.push(h50.ms);
      r10 += h10.ids.filter((id) => exact10[i]!.includes(id)).length / exact10[i]!.length;
      r50 += h50.ids.filter((id) => exact50[i]!.includes(id)).length / exact50[i]!.length;
    }
    const t = summarize(times);
    log(`  ${String(ef).padEnd(11)}${pct(r10 / vectors.length).padEnd(11)}${pct(r50 / vectors.length).padEnd(11)}${ms(t.p50).padEnd(18)}${ms(t.p95)}`);
  }
}

async function main(): Promise<void> {
  const skip = new Set(args.skip!.split(',').filter(Boolean));
  const docs = Number(args.docs);
  const pgliteDocs = Number(args['pglite-docs']);
  log(`machine: ${machine()}`);
  const work = path.join(os.tmpdir(), `pd-large-${docs}-${args.seed}`);
  const marker = path.join(work, 'queries.json');
  let facts: LargeCorpusQuery[];
  const t0 = performance.now();
  if (existsSync(marker)) {
    facts = JSON.parse(await readFile(marker, 'utf8'));
    log(`corpus: ${docs} documents in ${work} (generated earlier)`);
  } else {
    await rm(work, { recursive: true, force: true });
    const g = await largeSyntheticCorpus(BUNDLED_CORPUS_DIR, path.join(work, 'corpus'), docs, { seed: Number(args.seed), questions: Number(args.questions) });
    facts = g.queries;
    await writeFile(marker, JSON.stringify(facts));
    log(`corpus: generated ${docs} documents (${mb(g.bytes)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s into ${work}`);
  }
  const corpus = path.join(work, 'corpus');
  const evalQuestions = (await readEvalSet(path.join(import.meta.dirname, '..', 'test', 'fixtures', 'eval', 'questions.jsonl'))).map((q) => q.question);

  await ensureDatabase(args.url!);
  const embedder = new HashingEmbedder();

  // 2. Clean ingest.
  const strategies: Strategy[] = args.compare ? ['maintain', args.strategy as Strategy] : [args.strategy as Strategy];
  for (const strategy of skip.has('ingest') ? [] : strategies) {
    const schema = strategy === args.strategy ? 'large_main' : `large_${strategy}`;
    await freshSchema(schema);
    log(`\n== Postgres ingest (strategy ${strategy}) into schema ${schema}`);
    const r = await ingestChild({ schema }, [corpus], { strategy, label: strategy });
    reportIngest(`postgres ingest (${strategy})`, r);
    const db = await openSchema(schema);
    log(`  vector index after ingest: ${(await vectorIndexes(db)).join(', ') || 'NONE'}`);
    log(`  store: ${describeCheck(await checkStore(db))}`);
    await db.close();
    if (schema !== 'large_main' && !args.keep) await freshSchema(schema);
  }

  // 3. Kill and resume.
  if (!skip.has('resume')) {
    log('\n== Kill and resume');
    await freshSchema('large_resume');
    const killed = await ingestChild({ schema: 'large_resume' }, [corpus], { killAt: 0.4, label: 'first run' });
    log(`  first run: SIGKILL after ${killed.doneAtKill} files were reported done, ${killed.seconds.toFixed(1)} s`);
    let db = await openSchema('large_resume');
    const atKill = await checkStore(db);
    log(`  after the kill: ${describeCheck(atKill)}; vector index: ${(await vectorIndexes(db)).join(', ') || 'NONE'}`);
    await db.close();
    const resumed = await ingestChild({ schema: 'large_resume' }, [corpus], { label: 'resumed' });
    reportIngest('  resumed run', resumed);
    db = await openSchema('large_resume');
    const after = await checkStore(db);
    log(`  after resuming: ${describeCheck(after)}; vector index: ${(await vectorIndexes(db)).join(', ') || 'NONE'}`);
    await db.close();
    const main = await openSchema('large_main');
    const reference = await checkStore(main);
    await main.close();
    log(
      `  skipped on resume ${resumed.final!.skipped} (documents present after the kill: ${atKill.documents}); ` +
        `same chunks as the uninterrupted run: ${after.fingerprint === reference.fingerprint ? 'yes' : 'NO'}`,
    );
    if (!args.keep) await freshSchema('large_resume');
  }

  // 4 and 5. Retrieval at scale on Postgres.
  if (!skip.has('query')) {
    const db = await openSchema('large_main');
    const config = configFor({ url: args.url });
    const services = await createServices(config, { db, embedder });
    const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks')) as [{ n: number }];
    log(`\n== Postgres retrieval at ${n} chunks`);
    if (args.explain) await explainStatements(db, services, facts[0]!.question);
    await queryFigures('postgres', services, facts, evalQuestions, { quality: !skip.has('quality') });
    if (!skip.has('recall')) await recallFigures(db, services, facts, evalQuestions);
    await services.close();
  }

  // 6. PGlite at a smaller size.
  if (!skip.has('pglite')) {
    const dir = path.join(work, 'pglite');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const batches = (await readdir(corpus)).sort().slice(0, Math.ceil(pgliteDocs / 100)).map((b) => path.join(corpus, b));
    log(`\n== PGlite (on disk) ingest of ${pgliteDocs} documents`);
    const r = await ingestChild({ pglite: dir }, batches, { label: 'pglite' });
    reportIngest('pglite ingest', r);
    const config = configFor({ pgliteDir: dir });
    const db = await openDb(config);
    const services = await createServices(config, { db, embedder });
    log(`  store: ${describeCheck(await checkStore(db))}`);
    const inRange = facts.filter((f) => Number(f.documentId.slice(4)) <= pgliteDocs);
    await queryFigures('pglite', services, inRange, evalQuestions, { quality: !skip.has('quality') });
    await services.close();
    await rm(dir, { recursive: true, force: true });
  }
  log(`\ntotal bench time ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
}

await main();
