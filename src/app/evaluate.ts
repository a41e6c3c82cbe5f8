import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { normalizeForMatch } from '../answer/citations.ts';
import { AppError } from '../errors.ts';
import { answeredCorrectly, kindEvalQuestionSchema, tallyByKind, type KindRow } from './eval-score.ts';
import { ask, type Services } from './services.ts';
import { hybridSearch } from '../search/retrieve.ts';

/**
 * One question: the corpus file name of the answering document (null for questions the corpus
 * does not answer), phrases a right passage holds, its kind, and for version and comparison
 * questions the document cited first or the documents cited together (./eval-score.ts).
 */
export const evalQuestionSchema = kindEvalQuestionSchema;
export type EvalQuestion = z.infer<typeof evalQuestionSchema>;

export async function readEvalSet(file: string): Promise<EvalQuestion[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim());
  return lines.map((line, i) => {
    const parsed = evalQuestionSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new AppError('input.invalid', `${file}:${i + 1}: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
    return parsed.data;
  });
}

export interface EvalReport {
  k: number;
  answerable: number;
  negatives: number;
  hitAt: Record<number, number>;
  mrr: number;
  answeredWhenAnswerable: number;
  abstainedWhenNegative: number;
  citationHit: number;
  misses: Array<{ id: string; question: string; rank: number | null }>;
  /** Answered correctly per kind of question (answeredCorrectly), with hit@5 of its answerable ones. */
  byKind: Array<KindRow & { hitAt5: number | null }>;
  /** Share of answerable questions answered correctly, and of unanswerable ones refused. */
  answerableCorrect: number;
  unanswerableRefused: number;
  /** Questions answered wrongly, by id. */
  wrong: Array<{ id: string; kind: string; question: string }>;
}

/**
 * Retrieval quality over a question set: a retrieved passage is a hit when it comes from the
 * expected document and contains one of the expected phrases. Also checks the answer layer:
 * whether answerable questions get a cited answer and unanswerable ones abstain.
 */
export async function evaluate(services: Services, questions: EvalQuestion[], k = 10): Promise<EvalReport> {
  const ks = [1, 3, 5, 10].filter((x) => x <= k);
  const hits: Record<number, number> = Object.fromEntries(ks.map((x) => [x, 0]));
  let rrSum = 0;
  let answerable = 0;
  let negatives = 0;
  let answered = 0;
  let abstained = 0;
  let citationHit = 0;
  const misses: EvalReport['misses'] = [];
  const correct: boolean[] = [];
  const hit5 = new Map<string, { n: number; hits: number }>();
  const isHit = (q: EvalQuestion, source: string, text: string) =>
    q.doc !== null && source.endsWith(q.doc) && (q.mustContain.length === 0 || q.mustContain.some((m) => normalizeForMatch(text).includes(normalizeForMatch(m))));
  for (const q of questions) {
    const answer = await ask(services, q.question);
    correct.push(answeredCorrectly(q, answer));
    if (q.doc === null) {
      negatives++;
      if (answer.abstained) abstained++;
      continue;
    }
    answerable++;
    if (!answer.abstained) answered++;
    if (answer.citations.some((c) => isHit(q, c.document.source, c.passage))) citationHit++;
    const passages = await hybridSearch(services.db, services.embedder, q.question, { k });
    const rank = passages.findIndex((p) => isHit(q, p.document.source, p.text));
    const h = hit5.get(q.kind) ?? { n: 0, hits: 0 };
    h.n++;
    if (rank >= 0 && rank < 5) h.hits++;
    hit5.set(q.kind, h);
    if (rank >= 0) {
      rrSum += 1 / (rank + 1);
      for (const x of ks) if (rank < x) hits[x]!++;
    }
    if (rank !== 0) misses.push({ id: q.id, question: q.question, rank: rank >= 0 ? rank + 1 : null });
  }
  const frac = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const tally = tallyByKind(questions, correct);
  return {
    k,
    answerable,
    negatives,
    hitAt: Object.fromEntries(ks.map((x) => [x, frac(hits[x]!, answerable)])),
    mrr: frac(rrSum, answerable),
    answeredWhenAnswerable: frac(answered, answerable),
    abstainedWhenNegative: frac(abstained, negatives),
    citationHit: frac(citationHit, answerable),
    misses,
    byKind: tally.rows.map((r) => {
      const h = hit5.get(r.kind);
      return { ...r, hitAt5: h ? frac(h.hits, h.n) : null };
    }),
    answerableCorrect: frac(tally.answerable.correct, tally.answerable.questions),
    unanswerableRefused: frac(tally.unanswerable.correct, tally.unanswerable.questions),
    wrong: questions.filter((_, i) => !correct[i]).map((q) => ({ id: q.id, kind: q.kind, question: q.question })),
  };
}

export function formatEvalReport(r: EvalReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `Retrieval over ${r.answerable} answerable questions (k=${r.k}):`,
    ...Object.entries(r.hitAt).map(([k, v]) => `  hit@${k}: ${pct(v)}`),
    `  MRR@${r.k}: ${r.mrr.toFixed(3)}`,
    `Answers:`,
    `  cited answer given for answerable questions: ${pct(r.answeredWhenAnswerable)}`,
    `  a citation from the right passage: ${pct(r.citationHit)}`,
    `  abstained on the ${r.negatives} unanswerable questions: ${pct(r.abstainedWhenNegative)}`,
  ];
  if (r.byKind.length) {
    lines.push('Answered correctly, by kind (version: the expected document cited first; comparison: every compared document cited):');
    for (const k of r.byKind) {
      lines.push(`  ${k.kind}: ${k.correct}/${k.questions} (${pct(k.correct / k.questions)})${k.hitAt5 === null ? '' : `, hit@5 ${pct(k.hitAt5)}`}`);
    }
    lines.push(`  answerable answered correctly: ${pct(r.answerableCorrect)}; unanswerable refused: ${pct(r.unanswerableRefused)}`);
  }
  if (r.misses.length) {
    lines.push('Not ranked first:');
    for (const m of r.misses) lines.push(`  ${m.id} (${m.rank === null ? `not in top ${r.k}` : `rank ${m.rank}`}): ${m.question}`);
  }
  return lines.join('\n');
}
