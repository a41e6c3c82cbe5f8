import { describe, expect, it } from 'vitest';
import { dedupeTextOf } from '../../../src/comments/dedupe.ts';
import { BANDS, HASHES, bandKeys, estimateJaccard, hashString, lshBands, shingleHashes, signature } from '../../../src/comments/minhash.ts';
import { rng } from '../../../bench/lib.ts';

const exactJaccard = (a: string, b: string) => {
  const x = new Set(shingleHashes(a));
  const y = new Set(shingleHashes(b));
  let both = 0;
  for (const v of x) if (y.has(v)) both++;
  return both / (x.size + y.size - both);
};

const words = (seed: number, n: number) => {
  const r = rng(seed);
  const vocab = 'export license policy arms transfer civilian harm review congress partners monitoring drones firearms report public risk law human rights industry delay'.split(' ');
  return Array.from({ length: n }, () => vocab[Math.floor(r() * vocab.length)]!).join(' ');
};

describe('MinHash signatures and LSH bands', () => {
  it('are the same on every run and platform (pinned values, 32-bit integer arithmetic only)', () => {
    expect(hashString('the quick brown')).toBe(3655380292);
    expect(Array.from(signature('the quick brown fox jumps over the lazy dog').slice(0, 4))).toEqual([386835301, 23843899, 845697569, 158595342]);
    expect(lshBands('the quick brown fox jumps over the lazy dog').slice(0, 3)).toEqual([17626217318779, 217881160143467, 337143321196539]);
  });

  it('gives HASHES entries and BANDS safe-integer keys, the band index in the top bits', () => {
    const sig = signature(words(1, 200));
    expect(sig).toHaveLength(HASHES);
    const keys = bandKeys(sig);
    expect(keys).toHaveLength(BANDS);
    keys.forEach((k, b) => {
      expect(Number.isSafeInteger(k)).toBe(true);
      expect(Math.floor(k / 2 ** 47)).toBe(b);
    });
    expect(lshBands('   ')).toEqual([]);
  });

  it('estimates the Jaccard similarity of the word shingles', () => {
    const base = words(2, 300);
    const edited = `${base.split(' ').slice(0, 220).join(' ')} ${words(3, 80)}`;
    const truth = exactJaccard(base, edited);
    expect(truth).toBeGreaterThan(0.4);
    expect(Math.abs(estimateJaccard(signature(base), signature(edited)) - truth)).toBeLessThan(0.12);
    expect(estimateJaccard(signature(base), signature(words(4, 300)))).toBeLessThan(0.1);
  });

  it('puts a campaign copy in a shared band and an unrelated text in none', () => {
    const letter =
      'I am writing to urge the Department to strengthen human rights safeguards in the conventional arms transfer policy. ' +
      'Arms sold to governments with records of abuse have been used against civilians. End-use monitoring must be funded and its results reported to Congress.';
    const copy = `${letter.replace('urge', 'ask')} I am a veteran and I have seen what these weapons do.`;
    const other = 'Export license processing takes too long for small manufacturers; please publish timelines and a single point of contact for each case.';
    const a = new Set(lshBands(dedupeTextOf({ text: letter })));
    expect(lshBands(dedupeTextOf({ text: copy })).filter((k) => a.has(k)).length).toBeGreaterThan(0);
    expect(lshBands(dedupeTextOf({ text: other })).filter((k) => a.has(k))).toEqual([]);
  });
});
