import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { normalizeForMatch } from '../answer/citations.ts';
import type { Answer, Citation } from '../domain/answer.ts';
import { AppError } from '../errors.ts';

/**
 * Whether an answer answers its evaluation question, judged the same way for Policy Desk and for
 * the plain BM25 baseline (bench/eval-baseline.ts), per kind of question:
 *  - unanswerable: the answer abstains;
 *  - comparison (`docs`): it cites every one of the documents compared;
 *  - version (`firstDoc`): its first citation is from that document (a current-intent question
 *    cites the current document first), and any expected phrase is quoted;
 *  - everything else: a citation from `doc` whose passage holds one of `mustContain`.
 */
export const kindEvalQuestionSchema = z.object({
  id: z.string(),
  question: z.string().min(1),
  doc: z.string().nullable(),
  mustContain: z.array(z.string()),
  kind: z.string().default('factual'),
  /** Comparisons: corpus file names that must all be cited. */
  docs: z.array(z.string()).optional(),
  /** Version questions: the corpus file name the first citation must come from. */
  firstDoc: z.string().optional(),
});
export type KindEvalQuestion = z.infer<typeof kindEvalQuestionSchema>;

export async function readKindEvalSet(file: string): Promise<KindEvalQuestion[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim());
  return lines.map((line, i) => {
    const parsed = kindEvalQuestionSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new AppError('input.invalid', `${file}:${i + 1}: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
    return parsed.data;
  });
}

/** Kinds whose questions the corpus does not answer. */
export const UNANSWERABLE_KINDS = new Set(['unanswerable', 'negative']);

export const isUnanswerable = (q: Pick<KindEvalQuestion, 'doc' | 'kind'>) => q.doc === null || UNANSWERABLE_KINDS.has(q.kind);

/** All citations of an answer, the comparison sides' included. */
function allCitations(answer: Answer): Citation[] {
  const sides = (answer as { comparison?: Array<{ citations?: Citation[] }> }).comparison ?? [];
  return [...answer.citations, ...sides.flatMap((s) => s.citations ?? [])];
}

const fromFile = (c: Citation, file: string) => c.document.source.endsWith(file);

function quotes(q: KindEvalQuestion, c: Citation): boolean {
  return q.mustContain.length === 0 || q.mustContain.some((m) => normalizeForMatch(c.passage).includes(normalizeForMatch(m)));
}

export function answeredCorrectly(q: KindEvalQuestion, answer: Answer): boolean {
  if (isUnanswerable(q)) return answer.abstained;
  if (answer.abstained) return false;
  const cites = allCitations(answer);
  if (q.docs?.length) return q.docs.every((d) => cites.some((c) => fromFile(c, d)));
  if (q.firstDoc) {
    const first = answer.citations[0] ?? cites[0];
    if (!first || !fromFile(first, q.firstDoc)) return false;
    return q.mustContain.length === 0 || cites.some((c) => fromFile(c, q.firstDoc!) && quotes(q, c));
  }
  return cites.some((c) => q.doc !== null && fromFile(c, q.doc) && quotes(q, c));
}

export interface KindRow {
  kind: string;
  questions: number;
  correct: number;
}

/** Correct answers per kind, in the order kinds first appear, plus totals over answerable and unanswerable questions. */
export function tallyByKind(questions: KindEvalQuestion[], correct: boolean[]): { rows: KindRow[]; answerable: KindRow; unanswerable: KindRow } {
  const rows = new Map<string, KindRow>();
  const answerable: KindRow = { kind: 'answerable', questions: 0, correct: 0 };
  const unanswerable: KindRow = { kind: 'unanswerable (refused)', questions: 0, correct: 0 };
  questions.forEach((q, i) => {
    const row = rows.get(q.kind) ?? { kind: q.kind, questions: 0, correct: 0 };
    rows.set(q.kind, row);
    row.questions++;
    const total = isUnanswerable(q) ? unanswerable : answerable;
    total.questions++;
    if (correct[i]) {
      row.correct++;
      total.correct++;
    }
  });
  return { rows: [...rows.values()], answerable, unanswerable };
}
