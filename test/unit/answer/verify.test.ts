import { describe, expect, it } from 'vitest';
import { verifyCitations, type ModelCitation } from '../../../src/answer/verify.ts';

const passages = new Map([
  ['P1', { text: 'The plan is based on three lines of effort: prioritizing strategic competition.' }],
  ['P2', { text: 'The revised CAT Policy covers certain Commerce-regulated items, such as firearms.' }],
  ['P3', { text: 'Comments may be sent to the office by email.' }],
]);

const good1: ModelCitation = { n: 1, passageId: 'P1', quote: 'The plan is based on three lines of effort' };
const good2: ModelCitation = { n: 2, passageId: 'P2', quote: 'such as firearms' };

describe('verifyCitations', () => {
  it('keeps verified citations and returns the quote as the passage has it', () => {
    const v = verifyCitations('Three lines [1]. Firearms too [2].', [good1, { ...good2, quote: '\u201cSuch as  FIREARMS\u201d' }], passages);
    expect(v.text).toBe('Three lines [1]. Firearms too [2].');
    expect(v.citations.map((c) => [c.n, c.passageId, c.quote])).toEqual([
      [1, 'P1', 'The plan is based on three lines of effort'],
      [2, 'P2', 'such as firearms'],
    ]);
    expect(v.dropped).toEqual([]);
  });

  it('drops a fabricated quote and removes its marker, with the space before it', () => {
    const fake = { n: 1, passageId: 'P1', quote: 'The plan has five lines of effort' };
    const v = verifyCitations('Five lines [1]. Firearms [2].', [fake, good2], passages);
    expect(v.text).toBe('Five lines. Firearms [1].');
    expect(v.citations.map((c) => c.quote)).toEqual(['such as firearms']);
    expect(v.dropped).toEqual([{ ...fake, reason: 'quote_not_in_passage' }]);
    expect(v.removedMarkers).toEqual([1]);
  });

  it('drops a citation of a passage that was not retrieved, even with a real quote', () => {
    const v = verifyCitations('A [1] B [2]', [good1, { n: 2, passageId: 'P7', quote: 'such as firearms' }], passages);
    expect(v.text).toBe('A [1] B');
    expect(v.dropped.map((d) => d.reason)).toEqual(['unknown_passage']);
  });

  it('a quote that is real but in another passage than the one cited is dropped', () => {
    const v = verifyCitations('A [1]', [{ n: 1, passageId: 'P3', quote: good1.quote }], passages);
    expect(v.citations).toEqual([]);
    expect(v.text).toBe('A');
  });

  it('renumbers 1..n in order of first appearance', () => {
    const v = verifyCitations('Firearms [7]. Lines [3]. Firearms again [7].', [
      { ...good1, n: 3 },
      { ...good2, n: 7 },
    ], passages);
    expect(v.text).toBe('Firearms [1]. Lines [2]. Firearms again [1].');
    expect(v.citations.map((c) => [c.n, c.passageId])).toEqual([
      [1, 'P2'],
      [2, 'P1'],
    ]);
  });

  it('handles marker lists and runs, keeping only verified numbers', () => {
    const fake = { n: 2, passageId: 'P3', quote: 'Comments must be faxed to the office' };
    const v = verifyCitations('Both [1, 2, 3]. Run [2][3]. Gone [2] here.', [good1, fake, { ...good2, n: 3 }], passages);
    expect(v.text).toBe('Both [1][2]. Run [2]. Gone here.');
  });

  it('merges two numbers that cite the same quote', () => {
    const v = verifyCitations('A [1]. B [2].', [good1, { ...good1, n: 2 }], passages);
    expect(v.text).toBe('A [1]. B [1].');
    expect(v.citations).toHaveLength(1);
  });

  it('drops trivially short quotes, duplicate numbers and citations no marker uses', () => {
    const v = verifyCitations('A [1]. B [2].', [good1, { n: 2, passageId: 'P2', quote: 'the' }, { ...good2, n: 1 }, { ...good2, n: 9 }], passages);
    expect(v.text).toBe('A [1]. B.');
    expect(v.dropped.map((d) => [d.n, d.reason])).toEqual([
      [2, 'quote_too_short'],
      [1, 'duplicate_number'],
      [9, 'not_referenced'],
    ]);
  });

  it('leaves no citation when nothing verifies, and years in brackets alone', () => {
    const v = verifyCitations('In [2023] it changed [1].', [{ n: 1, passageId: 'P1', quote: 'nothing like this at all' }], passages);
    expect(v.citations).toEqual([]);
    expect(v.text).toBe('In [2023] it changed.');
  });
});
