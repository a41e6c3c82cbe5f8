/**
 * MinHash signatures and locality-sensitive-hashing (LSH) bands for near-duplicate comments.
 *
 * A comment's dedupe text (already normalised: lower case, punctuation folded to spaces) is cut
 * into word shingles (SHINGLE_WORDS consecutive words). Its signature holds, for each of
 * HASHES hash functions, the smallest hash of any shingle: two texts agree on one entry with
 * probability equal to the Jaccard similarity of their shingle sets. The signature is cut into
 * BANDS bands of ROWS entries; two comments sharing one whole band are candidates, which happens
 * with probability 1 - (1 - s^ROWS)^BANDS for Jaccard similarity s (about 0.93 at s = 0.4, 0.995
 * at s = 0.5, 0.04 at s = 0.1). Candidates are then checked exactly (src/comments/dedupe.ts).
 *
 * Written here (about 60 lines) rather than taken from npm: the `minhash` package computes
 * `a * h + b` in floating point past 2^53 (entries are rounded, not exact) and seeds with
 * Math.sin; `bloom-filters`' MinHash takes numeric sets and brings several dependencies. This
 * one uses 32-bit integer arithmetic only (Math.imul, >>>), so a text gets the same signature on
 * every run and platform; test/unit/comments/minhash.test.ts pins known values.
 */

export const SHINGLE_WORDS = 3;
export const ROWS = 3;
export const BANDS = 42;
export const HASHES = ROWS * BANDS;
/** Stored with each comment's bands: bumped when any of the above changes, so stored bands are recomputed. */
export const LSH_VERSION = 1;

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers that mixes every bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units, then mixed: the 32-bit hash of one shingle. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

/** One seed per hash function, fixed: h_i(x) = fmix32(x ^ SEEDS[i]). */
const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(HASHES);
  for (let i = 0; i < HASHES; i++) seeds[i] = fmix32(Math.imul(i + 1, 0x9e3779b9) >>> 0);
  return seeds;
})();

/** The distinct shingle hashes of a normalised text: word n-grams, or the whole text when it has fewer words. */
export function shingleHashes(normalized: string, words = SHINGLE_WORDS): Uint32Array {
  const w = normalized.split(' ').filter(Boolean);
  const out = new Set<number>();
  if (w.length === 0) return new Uint32Array(0);
  if (w.length < words) out.add(hashString(w.join(' ')));
  for (let i = 0; i + words <= w.length; i++) out.add(hashString(w.slice(i, i + words).join(' ')));
  return Uint32Array.from(out);
}

/** The MinHash signature (HASHES entries); empty text gives all 0xffffffff. */
export function signature(normalized: string): Uint32Array {
  const shingles = shingleHashes(normalized);
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (let i = 0; i < HASHES; i++) {
    const seed = SEEDS[i]!;
    let min = 0xffffffff;
    for (let j = 0; j < shingles.length; j++) {
      const v = fmix32((shingles[j]! ^ seed) >>> 0);
      if (v < min) min = v;
    }
    sig[i] = min;
  }
  return sig;
}

/** The share of equal entries: an estimate of the Jaccard similarity of the two shingle sets. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * The BANDS band keys of a signature: band index in the top bits, a 47-bit hash of the band's
 * ROWS entries below, so a key is a safe JavaScript integer (< 2^53) stored as a bigint.
 */
export function bandKeys(sig: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h1 = 0x3c6ef372 ^ b;
    let h2 = 0xa54ff53a ^ Math.imul(b, 0x27d4eb2f);
    for (let r = 0; r < ROWS; r++) {
      const v = sig[b * ROWS + r]!;
      h1 = fmix32((Math.imul(h1, 31) + v) >>> 0);
      h2 = fmix32((h2 ^ Math.imul(v, 0x165667b1)) >>> 0);
    }
    keys.push(b * 2 ** 47 + (h1 >>> 9) * 2 ** 24 + (h2 >>> 8));
  }
  return keys;
}

/** Band keys of a normalised text, or none when it has no words. */
export function lshBands(normalized: string): number[] {
  return normalized.trim() ? bandKeys(signature(normalized)) : [];
}
