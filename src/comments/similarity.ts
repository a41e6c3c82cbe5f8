/**
 * Set measures for campaign grouping (src/comments/dedupe.ts), computed in the process instead of
 * by the database: the shingle measures, and pg_trgm's `similarity()` of two dedupe texts.
 *
 * The trigram similarity was one `similarity(a.dedupe_text, b.dedupe_text)` query per batch; the
 * server rebuilt both texts' trigram sets for every pair, which was the largest single cost of a
 * Postgres import (bench/import-throughput.ts --profile: 6.5 s of 25 s for 3,000 comments). Here
 * each text's set is built once per batch and reused for all its pairs.
 *
 * Same definition as pg_trgm (trgm_op.c, generate_trgm and cnt_sml with DIVUNION): every word is
 * padded with two spaces in front and one behind, its 3-character windows are the trigrams, the
 * text's set is their distinct union, and similarity = shared / (|A| + |B| - shared). Dedupe texts
 * are already lower case with words separated by single spaces (normalizeForDedupe), so words are
 * the space-separated parts. test/unit/comments/dedupe.test.ts compares it with the database's.
 */

/** Distinct pg_trgm trigrams of a normalised text (numbers for BMP characters, strings otherwise). */
export function trigramSet(normalized: string): Set<number | string> {
  const out = new Set<number | string>();
  for (const word of normalized.split(' ')) {
    if (!word) continue;
    const chars = /^[\u0000-\ud7ff\ue000-\uffff]*$/.test(word) ? null : Array.from(word);
    if (chars) {
      const padded = [' ', ' ', ...chars, ' '];
      for (let i = 0; i + 3 <= padded.length; i++) out.add(padded[i]! + padded[i + 1]! + padded[i + 2]!);
      continue;
    }
    const s = `  ${word} `;
    for (let i = 0; i + 3 <= s.length; i++) out.add(s.charCodeAt(i) * 4294967296 + s.charCodeAt(i + 1) * 65536 + s.charCodeAt(i + 2));
  }
  return out;
}

/** Members of both sets. */
export function sharedCount<T>(a: Set<T>, b: Set<T>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let both = 0;
  for (const h of small) if (large.has(h)) both++;
  return both;
}

/** The share of the smaller set that the larger one holds. */
export const containment = <T>(a: Set<T>, b: Set<T>) => sharedCount(a, b) / (Math.min(a.size, b.size) || 1);

/** Jaccard similarity; pg_trgm's similarity() when the sets are trigramSet()s. */
export const jaccard = <T>(a: Set<T>, b: Set<T>) => {
  const both = sharedCount(a, b);
  return both / (a.size + b.size - both || 1);
};
