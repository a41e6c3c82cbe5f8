import type { Answer, Citation } from '../../../src/domain/answer.ts';

export function sampleCitation(n: number, over: Partial<Citation> = {}): Citation {
  return {
    n,
    document: {
      id: `doc-${n}`,
      title: `Implementation of the Conventional Arms Transfer (CAT) Policy ${n}`,
      date: '2018-07-16',
      source: n % 2 === 0 ? `https://www.state.gov/cat-${n}` : `ingest/corpus/doc-${n}.txt`,
    },
    quote: 'The plan is based on three lines of effort:\nPrioritizing strategic competition\nOrganizing for success',
    passage: 'The plan is based on three lines of effort: ...',
    chunkId: `doc-${n}#0`,
    score: 0.5,
    page: null,
    pageEnd: null,
    section: null,
    ocr: false,
    ...over,
  };
}

export function sampleAnswer(over: Partial<Answer> = {}): Answer {
  return {
    question: 'What are the three lines of effort?',
    answer: 'The plan is based on three lines of effort: Prioritizing strategic competition; Organizing for success [1]',
    mode: 'extractive',
    abstained: false,
    citations: [sampleCitation(1), sampleCitation(2)],
    ...over,
  };
}
