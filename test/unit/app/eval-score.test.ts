import { describe, expect, it } from 'vitest';
import { answeredCorrectly, tallyByKind, type KindEvalQuestion } from '../../../src/app/eval-score.ts';
import type { Answer } from '../../../src/domain/answer.ts';

const cite = (source: string, passage: string) =>
  ({ n: 1, document: { id: source, title: source, date: null, source: `/corpus/${source}` }, quote: passage, passage, chunkId: `${source}#0`, score: 1 }) as unknown as Answer['citations'][number];
const answer = (citations: Answer['citations'], abstained = false): Answer => ({ question: 'q', answer: 'a', mode: 'extractive', abstained, citations });
const q = (over: Partial<KindEvalQuestion>): KindEvalQuestion => ({ id: 'x', question: 'q', doc: 'a.txt', mustContain: [], kind: 'paraphrase', ...over });

describe('answeredCorrectly', () => {
  it('needs a citation from the document holding an expected phrase', () => {
    const question = q({ mustContain: ['three lines'] });
    expect(answeredCorrectly(question, answer([cite('a.txt', 'The plan has three lines of effort.')]))).toBe(true);
    expect(answeredCorrectly(question, answer([cite('a.txt', 'Something else.')]))).toBe(false);
    expect(answeredCorrectly(question, answer([cite('b.txt', 'The plan has three lines of effort.')]))).toBe(false);
    expect(answeredCorrectly(question, answer([], true))).toBe(false);
  });

  it('counts a refusal as right only for unanswerable questions', () => {
    expect(answeredCorrectly(q({ doc: null, kind: 'unanswerable' }), answer([], true))).toBe(true);
    expect(answeredCorrectly(q({ doc: null, kind: 'unanswerable' }), answer([cite('a.txt', 'x')]))).toBe(false);
  });

  it('wants the first citation from the expected version, and every compared document cited', () => {
    const version = q({ kind: 'version', firstDoc: 'new.txt' });
    expect(answeredCorrectly(version, answer([cite('new.txt', 'x'), cite('old.txt', 'y')]))).toBe(true);
    expect(answeredCorrectly(version, answer([cite('old.txt', 'y'), cite('new.txt', 'x')]))).toBe(false);
    const comparison = q({ kind: 'comparison', docs: ['old.txt', 'new.txt'] });
    expect(answeredCorrectly(comparison, answer([cite('new.txt', 'x')]))).toBe(false);
    const sides = { ...answer([cite('new.txt', 'x')]), comparison: [{ citations: [cite('old.txt', 'y')] }] } as Answer;
    expect(answeredCorrectly(comparison, sides)).toBe(true);
  });

  it('tallies per kind and over answerable and unanswerable questions', () => {
    const qs = [q({ kind: 'acronym' }), q({ kind: 'acronym' }), q({ doc: null, kind: 'unanswerable' })];
    const t = tallyByKind(qs, [true, false, true]);
    expect(t.rows).toEqual([
      { kind: 'acronym', questions: 2, correct: 1 },
      { kind: 'unanswerable', questions: 1, correct: 1 },
    ]);
    expect(t.answerable).toMatchObject({ questions: 2, correct: 1 });
    expect(t.unanswerable).toMatchObject({ questions: 1, correct: 1 });
  });
});
