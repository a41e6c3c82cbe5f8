import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion, RRF_K, toWebsearchQuery } from '../../../src/search/retrieve.ts';

const ids = (r: Array<{ id: string }>) => r.map((x) => x.id);
const filler = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('reciprocalRankFusion', () => {
  it('uses k = 60', () => {
    expect(RRF_K).toBe(60);
  });

  it('scores one list 1/(60 + rank), rank counted from 1', () => {
    expect(reciprocalRankFusion([['a', 'b', 'c']])).toEqual([
      { id: 'a', score: 1 / 61, best: 1 },
      { id: 'b', score: 1 / 62, best: 2 },
      { id: 'c', score: 1 / 63, best: 3 },
    ]);
  });

  it('adds the votes of every list an id appears in', () => {
    const fused = reciprocalRankFusion([
      ['x', 'y', 'z'],
      ['z', 'y', 'w'],
    ]);
    // z: 1/63 + 1/61 = 0.032266 beats y: 2/62 = 0.032258, though y is second in both lists.
    expect(fused).toEqual([
      { id: 'z', score: 1 / 63 + 1 / 61, best: 1 },
      { id: 'y', score: 1 / 62 + 1 / 62, best: 2 },
      { id: 'x', score: 1 / 61, best: 1 },
      { id: 'w', score: 1 / 63, best: 3 },
    ]);
  });

  it('interleaves disjoint lists rank by rank, ties broken by id', () => {
    const fused = reciprocalRankFusion([
      ['fts-b', 'fts-a', 'fts-c'],
      ['vec-z', 'vec-y'],
    ]);
    expect(ids(fused)).toEqual(['fts-b', 'vec-z', 'fts-a', 'vec-y', 'fts-c']);
    expect(fused[0]!.score).toBe(fused[1]!.score);
  });

  it('honours another k', () => {
    expect(reciprocalRankFusion([['a', 'b']], 0).map((r) => r.score)).toEqual([1, 1 / 2]);
    expect(reciprocalRankFusion([['a', 'b']], 10).map((r) => r.score)).toEqual([1 / 11, 1 / 12]);
  });

  it('breaks equal scores by the better single position first', () => {
    // k = 0: "one" is 2nd in one list (1/2); "two" is 4th in both (1/4 + 1/4 = 1/2 exactly).
    const fused = reciprocalRankFusion(
      [
        ['a1', 'one', 'a3', 'two'],
        ['b1', 'b2', 'b3', 'two'],
      ],
      0,
    );
    const one = fused.find((r) => r.id === 'one')!;
    const two = fused.find((r) => r.id === 'two')!;
    expect(one.score).toBe(two.score);
    expect(ids(fused).indexOf('one')).toBeLessThan(ids(fused).indexOf('two'));
    expect([one.best, two.best]).toEqual([2, 4]);
  });

  it('breaks equal scores by best position at k = 60 too', () => {
    // "solo" is 2nd in one list (1/62); "pair" is 64th in both (2/124 = 1/62 exactly).
    const a = filler('a', 64);
    const b = filler('b', 64);
    a[1] = 'solo';
    a[63] = 'pair';
    b[63] = 'pair';
    const fused = reciprocalRankFusion([a, b]);
    const solo = fused.findIndex((r) => r.id === 'solo');
    const pair = fused.findIndex((r) => r.id === 'pair');
    expect(fused[solo]!.score).toBe(fused[pair]!.score);
    expect(solo).toBeLessThan(pair);
  });

  it('breaks full ties by id, whatever the order of the lists', () => {
    expect(ids(reciprocalRankFusion([['m'], ['c'], ['x']]))).toEqual(['c', 'm', 'x']);
    expect(ids(reciprocalRankFusion([['x'], ['m'], ['c']]))).toEqual(['c', 'm', 'x']);
  });

  it('gives the same result for the same input, and for swapped lists', () => {
    const a = ['d#3', 'd#1', 'e#0', 'f#2', 'd#0'];
    const b = ['e#0', 'g#1', 'd#3', 'h#4', 'f#2', 'd#9'];
    const once = reciprocalRankFusion([a, b]);
    expect(reciprocalRankFusion([a, b])).toEqual(once);
    expect(reciprocalRankFusion([b, a])).toEqual(once);
    expect(ids(once)).toEqual(['d#3', 'e#0', 'f#2', 'd#1', 'g#1', 'h#4', 'd#0', 'd#9']);
    // Each id appears once, scores never increase down the list.
    expect(new Set(ids(once)).size).toBe(once.length);
    for (let i = 1; i < once.length; i++) expect(once[i]!.score).toBeLessThanOrEqual(once[i - 1]!.score);
  });

  it('returns nothing for no lists or empty lists, and one list unchanged in order', () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(ids(reciprocalRankFusion([['q', 'b', 'z', 'a'], []]))).toEqual(['q', 'b', 'z', 'a']);
  });
});

describe('toWebsearchQuery', () => {
  it('ORs the content words of a natural-language question', () => {
    expect(toWebsearchQuery('What are the three lines of effort in the implementation plan?')).toBe(
      'three or lines or effort or implementation or plan',
    );
    expect(toWebsearchQuery('What is a good recipe for baklava?')).toBe('good or recipe or baklava');
  });

  it('keeps abbreviations, hyphenated and numbered terms whole', () => {
    expect(toWebsearchQuery('Who handles U.S. arms exports under NSPM-10?')).toBe('handles or U.S or arms or exports or NSPM-10');
    expect(toWebsearchQuery('non-Program systems in 1977')).toBe('non-Program or systems or 1977');
  });

  it('drops "and", "or" and "not" as words, so they cannot act as operators', () => {
    expect(toWebsearchQuery('sales and not transfers')).toBe('sales or transfers');
    expect(toWebsearchQuery('drones or missiles')).toBe('drones or missiles');
  });

  it('gives an empty query when only stopwords remain', () => {
    expect(toWebsearchQuery('What is it?')).toBe('');
    expect(toWebsearchQuery('   ')).toBe('');
  });

  it('passes search syntax through untouched: quotes, OR, -exclusion', () => {
    for (const q of ['"lines of effort"', 'MTCR OR UAV', 'arms -china', 'arms transfer -"human rights"', 'the "three lines" of effort']) {
      expect(toWebsearchQuery(q)).toBe(q);
    }
  });

  it('does not mistake a hyphen inside a word or a dash for exclusion', () => {
    expect(toWebsearchQuery('Biden-Harris policy')).toBe('Biden-Harris or policy');
    expect(toWebsearchQuery('arms - transfers')).toBe('arms or transfers');
  });
});
