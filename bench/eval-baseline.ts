/**
 * Policy Desk against a plain BM25 baseline on the same questions, per kind of question
 * (paraphrase, casual or misspelt, acronym, version, comparison, unanswerable), offline: the
 * bundled corpus, the hashing embedder, extractive answers.
 *
 *   npx tsx bench/eval-baseline.ts [--set test/fixtures/eval/understanding.jsonl] [--wordnet] [--curve]
 *
 * The baseline is MiniSearch (BM25) over the same stored chunks, quoting the best sentence of
 * its top passage; it abstains only when nothing matches. Both are judged by answeredCorrectly
 * (src/app/eval-score.ts). --wordnet also runs Policy Desk without WordNet expansion; --curve
 * answers every question of both evaluation sets at several abstention thresholds and prints
 * answerable-answered-correctly against unanswerable-wrongly-answered. Prints figures only.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import MiniSearch from 'minisearch';
import { coverageThresholds, PASSAGE_MIN_COVERAGE, SENTENCE_MIN_COVERAGE } from '../src/answer/extractive.ts';
import { answeredCorrectly, isUnanswerable, readKindEvalSet, tallyByKind, type KindEvalQuestion } from '../src/app/eval-score.ts';
import { evaluate, readEvalSet } from '../src/app/evaluate.ts';
import { ask, createServices, ensureCorpus, type Services } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import type { Answer } from '../src/domain/answer.ts';
import { HashingEmbedder } from '../src/search/embedder.ts';
import { understandDefaults } from '../src/search/understand.ts';
import { sentenceSpans } from '../src/text/sentences.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: path.join(root, 'test/fixtures/eval/understanding.jsonl') },
    retrieval: { type: 'string', default: path.join(root, 'test/fixtures/eval/questions.jsonl') },
    wordnet: { type: 'boolean', default: false },
    curve: { type: 'boolean', default: false },
  },
});

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(0)}%`);

interface Chunk {
  id: string;
  text: string;
  source: string;
  documentId: string;
  title: string;
  date: string | null;
}

/** The baseline: BM25 over the chunks, the best sentence of the top passage, cited. */
async function bm25Baseline(services: Services): Promise<(question: string) => Answer> {
  const chunks = await services.db.query<Chunk>(
    `SELECT c.id, c.body AS text, d.source, d.id AS "documentId", d.title, d.published_on::text AS date
       FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id`,
  );
  const index = new MiniSearch<Chunk>({ fields: ['text'], storeFields: ['id'] });
  index.addAll(chunks);
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return (question) => {
    const top = index.search(question, { combineWith: 'OR' })[0];
    const chunk = top ? byId.get(String(top.id)) : undefined;
    if (!chunk) return { question, answer: '', mode: 'extractive', abstained: true, citations: [] };
    const sentences = sentenceSpans(chunk.text).map((s, i) => ({ id: i, text: chunk.text.slice(s.start, s.end) }));
    const inner = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], storeFields: ['id'] });
    inner.addAll(sentences);
    const best = inner.search(question, { combineWith: 'OR' })[0];
    const quote = sentences[best ? Number(best.id) : 0]?.text ?? chunk.text;
    const document = { id: chunk.documentId, title: chunk.title, date: chunk.date, source: chunk.source };
    return {
      question,
      answer: `${quote} [1]`,
      mode: 'extractive',
      abstained: false,
      citations: [{ n: 1, document, quote, passage: chunk.text, chunkId: chunk.id, score: top!.score } as unknown as Answer['citations'][number]],
    };
  };
}

async function policyDesk(services: Services, questions: KindEvalQuestion[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const q of questions) out.push(answeredCorrectly(q, await ask(services, q.question)));
  return out;
}

function table(questions: KindEvalQuestion[], columns: Array<{ name: string; correct: boolean[] }>): string {
  const tallies = columns.map((c) => tallyByKind(questions, c.correct));
  const lines = [`| kind | questions | ${columns.map((c) => c.name).join(' | ')} |`, `| --- | --- | ${columns.map(() => '---').join(' | ')} |`];
  tallies[0]!.rows.forEach((row, i) => {
    lines.push(`| ${row.kind} | ${row.questions} | ${tallies.map((t) => `${t.rows[i]!.correct} (${pct(t.rows[i]!.correct, row.questions)})`).join(' | ')} |`);
  });
  for (const key of ['answerable', 'unanswerable'] as const) {
    const r = tallies[0]![key];
    lines.push(`| **${r.kind}** | ${r.questions} | ${tallies.map((t) => `${t[key].correct} (${pct(t[key].correct, r.questions)})`).join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig({});
  const db = await openDb(config, { inMemory: true });
  const services = await createServices(config, { db, embedder: new HashingEmbedder() });
  try {
    await ensureCorpus(services);
    const questions = await readKindEvalSet(args.set!);
    const baseline = await bm25Baseline(services);
    const base = questions.map((q) => answeredCorrectly(q, baseline(q.question)));
    const ours = await policyDesk(services, questions);
    const columns = [
      { name: 'Policy Desk', correct: ours },
      { name: 'BM25 baseline', correct: base },
    ];
    if (args.wordnet) {
      understandDefaults.wordnet = !understandDefaults.wordnet;
      columns.splice(1, 0, { name: `Policy Desk, WordNet ${understandDefaults.wordnet ? 'on' : 'off'}`, correct: await policyDesk(services, questions) });
      understandDefaults.wordnet = !understandDefaults.wordnet;
    }
    console.log(`${path.relative(root, args.set!)} (${questions.length} questions), extractive mode, hashing embedder, WordNet ${understandDefaults.wordnet ? 'on' : 'off'} by default:\n`);
    console.log(table(questions, columns));
    const misses = questions.filter((_, i) => !ours[i]).map((q) => `${q.id} (${q.kind}): ${q.question}`);
    if (misses.length) console.log(`\nPolicy Desk got wrong:\n  ${misses.join('\n  ')}`);

    const retrieval = await readEvalSet(args.retrieval!);
    const report = await evaluate(services, retrieval, 10);
    console.log(`\n${path.relative(root, args.retrieval!)}: hit@1 ${report.hitAt[1]!.toFixed(3)}, hit@5 ${report.hitAt[5]!.toFixed(3)}, MRR@10 ${report.mrr.toFixed(3)}`);

    if (args.curve) {
      const all = [...questions, ...retrieval.map((q) => ({ ...q, kind: q.doc === null ? 'unanswerable' : q.kind }))];
      console.log(`\nAbstention curve over both sets (${all.filter((q) => !isUnanswerable(q)).length} answerable, ${all.filter(isUnanswerable).length} unanswerable):\n`);
      console.log('| passage / sentence coverage | answerable answered correctly | unanswerable wrongly answered |');
      console.log('| --- | --- | --- |');
      for (const passage of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]) {
        coverageThresholds.passage = passage;
        coverageThresholds.sentence = Math.max(0.1, passage - (PASSAGE_MIN_COVERAGE - SENTENCE_MIN_COVERAGE));
        const ok = await policyDesk(services, all);
        const a = all.filter((q, i) => !isUnanswerable(q) && ok[i]).length;
        const u = all.filter((q, i) => isUnanswerable(q) && !ok[i]).length;
        const na = all.filter((q) => !isUnanswerable(q)).length;
        const nu = all.filter(isUnanswerable).length;
        const mark = passage === PASSAGE_MIN_COVERAGE ? ' (chosen)' : '';
        console.log(`| ${passage.toFixed(2)} / ${coverageThresholds.sentence.toFixed(2)}${mark} | ${a}/${na} (${pct(a, na)}) | ${u}/${nu} (${pct(u, nu)}) |`);
      }
      coverageThresholds.passage = PASSAGE_MIN_COVERAGE;
      coverageThresholds.sentence = SENTENCE_MIN_COVERAGE;
    }
  } finally {
    await services.close();
  }
}

await main();
