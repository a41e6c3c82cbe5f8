import { STOPWORDS, stem } from '../search/tokens.ts';
import { sentenceSpans } from '../text/sentences.ts';

/**
 * The lexical machinery of extractive summaries: content words, sentence selection (SumBasic)
 * and grouping by shared keywords (anchor terms refined by two k-means steps over tf-idf).
 * Deterministic and in-process: no model, no database, linear in the input.
 */

/** Words that carry no topic in a chat or a letter, on top of the shared English stopwords. */
const CHAT_STOPWORDS = new Set(
  (
    'thanks thank hi hello hey yes yeah yep ok okay sure just think like really also well one two get got going would could ' +
    'should might may much many lot lots still even way thing things something anything everyone everybody someone anyone ' +
    'time today tomorrow yesterday week let us re fyi pls etc per via dear regards sincerely comment comments writing write ' +
    'submit submitting submitted attached attach see'
  ).split(' '),
);

export interface Token {
  stem: string;
  surface: string;
}

/**
 * Lower-cased content words with their stems, in order. Hyphenated compounds stay whole
 * ("end-use", "co-production"); Slack mentions, @names and links are left out, and so are the
 * words in `exclude` (participants' names, which say who spoke, not what about).
 */
export function tokenize(text: string, exclude?: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  const clean = text
    .replace(/<[@#!][^>]*>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/@[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?/g, ' ');
  for (const raw of clean.toLowerCase().normalize('NFKD').match(/[a-z0-9]+(?:[-/'][a-z0-9]+)*/g) ?? []) {
    const word = raw.replace(/'s$/, '');
    const parts = /^[a-z]+(?:-[a-z]+)+$/.test(word) && word.length <= 30 ? [word] : word.split(/[-/']/);
    for (const part of parts) {
      if (part.length < 3 && !/\d/.test(part)) continue;
      if (/^\d+$/.test(part) && part.length < 4) continue;
      if (STOPWORDS.has(part) || CHAT_STOPWORDS.has(part) || exclude?.has(part)) continue;
      out.push({ stem: part.includes('-') ? part : stem(part), surface: part });
    }
  }
  return out;
}

export function stems(text: string, exclude?: ReadonlySet<string>): string[] {
  return tokenize(text, exclude).map((t) => t.stem);
}

/** Most frequent surface form of each stem, for readable keyword labels. */
export class SurfaceForms {
  private readonly counts = new Map<string, Map<string, number>>();

  add(tokens: readonly Token[]): void {
    for (const t of tokens) {
      let m = this.counts.get(t.stem);
      if (!m) this.counts.set(t.stem, (m = new Map()));
      m.set(t.surface, (m.get(t.surface) ?? 0) + 1);
    }
  }

  of(s: string): string {
    const m = this.counts.get(s);
    if (!m) return s;
    let best = s;
    let n = -1;
    for (const [surface, c] of m) if (c > n || (c === n && surface < best)) [best, n] = [surface, c];
    return best;
  }
}

// ---------------------------------------------------------------------------------------
// Sentences

export interface SentenceUnit<M = unknown> {
  /** The sentence exactly as the source has it: a verbatim quote. */
  text: string;
  stems: string[];
  /** Index of the source (message, comment) it came from. */
  source: number;
  /** Position of the sentence in its source. */
  position: number;
  meta?: M;
}

/** Sentences of a text, verbatim, with their content stems; line breaks also end a sentence (chat style). */
export function sentencesOf(text: string, source: number, exclude?: ReadonlySet<string>): SentenceUnit[] {
  const out: SentenceUnit[] = [];
  for (const line of text.split(/\n+/)) {
    for (const s of sentenceSpans(line)) {
      const t = line.slice(s.start, s.end).replace(/^[-*•>\s]+/, '').trim();
      if (t.length === 0) continue;
      out.push({ text: t, stems: stems(t, exclude), source, position: out.length });
    }
  }
  return out;
}

/** Very short sentences say little on their own; very long ones make poor quotes. */
export function lengthFactor(stemCount: number, chars: number): number {
  if (stemCount < 3) return 0.2;
  if (stemCount < 5) return 0.6;
  if (chars > 400) return 0.5;
  if (chars > 280) return 0.8;
  return 1;
}

/**
 * SumBasic (Nenkova & Vanderwende 2005): a sentence scores the mean probability of its words in
 * the whole input; once chosen, its words' probabilities are squared, so the next pick covers
 * something else. `boost` weighs a sentence up or down (cue words, authors); `distinct` keeps at
 * most one sentence per source.
 */
export function sumBasic<S extends { stems: string[]; text: string; source: number }>(
  sentences: readonly S[],
  n: number,
  options: { boost?: (s: S) => number; distinct?: boolean; probabilities?: Map<string, number> } = {},
): S[] {
  const p = options.probabilities ? new Map(options.probabilities) : wordProbabilities(sentences.map((s) => s.stems));
  const chosen: S[] = [];
  const used = new Set<number>();
  const seenText = new Set<string>();
  const boost = options.boost ?? (() => 1);
  while (chosen.length < n) {
    let best: S | undefined;
    let bestScore = 0;
    for (const s of sentences) {
      if (options.distinct && used.has(s.source)) continue;
      const unique = [...new Set(s.stems)];
      if (unique.length === 0) continue;
      const key = s.text.toLowerCase();
      if (seenText.has(key)) continue;
      let sum = 0;
      for (const w of unique) sum += p.get(w) ?? 0;
      const score = (sum / unique.length) * lengthFactor(unique.length, s.text.length) * boost(s);
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    if (!best) break;
    chosen.push(best);
    used.add(best.source);
    seenText.add(best.text.toLowerCase());
    for (const w of new Set(best.stems)) p.set(w, (p.get(w) ?? 0) ** 2);
  }
  return chosen;
}

export function wordProbabilities(docs: ReadonlyArray<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const d of docs) {
    for (const w of d) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      total++;
    }
  }
  const p = new Map<string, number>();
  for (const [w, c] of counts) p.set(w, c / Math.max(1, total));
  return p;
}

// ---------------------------------------------------------------------------------------
// Grouping

interface SparseVector {
  ids: Int32Array;
  w: Float32Array;
}

export interface KeywordGroup {
  /** Indices of the units in the group, most central first. */
  members: number[];
  /** Cosine of each member (same order) to the group's centroid. */
  similarity: number[];
  /** The group's strongest stems, best first. */
  keywords: string[];
  /** Scores a text's stems against the group's centroid (cosine, 0..1). */
  score(stems: readonly string[]): number;
}

export interface GroupingOptions {
  maxGroups: number;
  /** Groups smaller than this are dissolved into the others (or left ungrouped). */
  minSize: number;
  /** A unit whose best cosine is below this is left ungrouped. */
  minSimilarity?: number;
}

/**
 * Groups units (messages, comments) by lexical similarity. Anchor keywords are chosen by
 * df·idf among words that neither one unit nor most units share, skipping any anchor whose
 * units mostly overlap an earlier one's; each anchor's units seed a tf-idf centroid; two
 * k-means steps then assign every unit to its nearest centroid. O(units × groups × words).
 */
export function groupByKeywords(units: ReadonlyArray<readonly string[]>, options: GroupingOptions): { groups: KeywordGroup[]; ungrouped: number[] } {
  const n = units.length;
  const minSimilarity = options.minSimilarity ?? 0.08;
  const vocab = new Map<string, number>();
  const df: number[] = [];
  const unitTerms: Array<Map<number, number>> = units.map((u) => {
    const tf = new Map<number, number>();
    for (const s of u) {
      let id = vocab.get(s);
      if (id === undefined) {
        id = vocab.size;
        vocab.set(s, id);
        df.push(0);
      }
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    for (const id of tf.keys()) df[id]!++;
    return tf;
  });
  const terms = [...vocab.keys()];
  const idf = df.map((d) => Math.log((n + 1) / (d + 0.5)));
  const vectors: SparseVector[] = unitTerms.map((tf) => {
    const ids = Int32Array.from(tf.keys());
    const w = Float32Array.from(ids, (id) => (1 + Math.log(tf.get(id)!)) * idf[id]!);
    let norm = 0;
    for (const x of w) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < w.length; i++) w[i]! /= norm;
    return { ids, w };
  });

  // Anchors.
  const minDf = Math.max(2, Math.ceil(n * 0.01));
  const maxDf = Math.max(minDf, Math.floor(n * 0.6));
  const candidates = df
    .map((d, id) => ({ id, d, score: d * idf[id]! }))
    // A bare number ("2019", "30") rarely names what comments are about.
    .filter((c) => c.d >= minDf && c.d <= maxDf && !/^\d+$/.test(terms[c.id]!))
    .sort((a, b) => b.score - a.score || (terms[a.id]! < terms[b.id]! ? -1 : 1))
    .slice(0, 300);
  const postings = new Map<number, number[]>();
  for (const c of candidates) postings.set(c.id, []);
  unitTerms.forEach((tf, u) => {
    for (const id of tf.keys()) postings.get(id)?.push(u);
  });
  const anchors: number[][] = [];
  for (const c of candidates) {
    if (anchors.length >= options.maxGroups) break;
    const mine = postings.get(c.id)!;
    const set = new Set(mine);
    const overlaps = anchors.some((a) => {
      let inter = 0;
      for (const u of a) if (set.has(u)) inter++;
      return inter / (a.length + mine.length - inter) >= 0.4;
    });
    if (!overlaps) anchors.push(mine);
  }
  if (anchors.length === 0) return { groups: [], ungrouped: units.map((_, i) => i) };

  const dims = vocab.size;
  const centroidOf = (members: readonly number[]): Float64Array => {
    const c = new Float64Array(dims);
    for (const u of members) {
      const v = vectors[u]!;
      for (let i = 0; i < v.ids.length; i++) c[v.ids[i]!]! += v.w[i]!;
    }
    let norm = 0;
    for (const x of c) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < dims; i++) c[i]! /= norm;
    return c;
  };
  const dot = (v: SparseVector, c: Float64Array) => {
    let s = 0;
    for (let i = 0; i < v.ids.length; i++) s += v.w[i]! * c[v.ids[i]!]!;
    return s;
  };

  let centroids = anchors.map(centroidOf);
  let assignment = new Int32Array(n).fill(-1);
  let similarity = new Float64Array(n);
  const assign = () => {
    assignment = new Int32Array(n).fill(-1);
    similarity = new Float64Array(n);
    for (let u = 0; u < n; u++) {
      let best = -1;
      let bestSim = minSimilarity;
      for (let g = 0; g < centroids.length; g++) {
        const s = dot(vectors[u]!, centroids[g]!);
        if (s > bestSim) [best, bestSim] = [g, s];
      }
      assignment[u] = best;
      similarity[u] = best >= 0 ? bestSim : 0;
    }
  };
  for (let iteration = 0; iteration < 3; iteration++) {
    assign();
    const members: number[][] = centroids.map(() => []);
    for (let u = 0; u < n; u++) if (assignment[u]! >= 0) members[assignment[u]!]!.push(u);
    // Dissolve groups that came out too small; their units go to the next nearest group.
    const kept = members.filter((m) => m.length >= options.minSize);
    if (kept.length === 0) return { groups: [], ungrouped: units.map((_, i) => i) };
    centroids = kept.map(centroidOf);
    if (kept.length === members.length && iteration >= 1) break;
  }
  assign();

  const groups: KeywordGroup[] = centroids.map((c, g) => {
    const members: number[] = [];
    for (let u = 0; u < n; u++) if (assignment[u] === g) members.push(u);
    members.sort((a, b) => similarity[b]! - similarity[a]! || a - b);
    const keywords = [...c.keys()]
      .filter((id) => c[id]! > 0 && !/^\d+$/.test(terms[id]!))
      .sort((a, b) => c[b]! - c[a]! || a - b)
      .slice(0, 6)
      .map((id) => terms[id]!);
    return {
      members,
      similarity: members.map((u) => similarity[u]!),
      keywords,
      score: (s: readonly string[]) => {
        const tf = new Map<number, number>();
        for (const w of s) {
          const id = vocab.get(w);
          if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
        }
        let dotp = 0;
        let norm = 0;
        for (const [id, f] of tf) {
          const w = (1 + Math.log(f)) * idf[id]!;
          dotp += w * c[id]!;
          norm += w * w;
        }
        return norm > 0 ? dotp / Math.sqrt(norm) : 0;
      },
    };
  });
  const nonEmpty = groups.filter((g) => g.members.length >= options.minSize).sort((a, b) => b.members.length - a.members.length || a.members[0]! - b.members[0]!);
  const grouped = new Set(nonEmpty.flatMap((g) => g.members));
  return { groups: nonEmpty, ungrouped: units.map((_, i) => i).filter((i) => !grouped.has(i)) };
}

/** A quote represents a group when it uses at least two of the group's keywords (one, if the group has one). */
export function mentionsKeywords(sentenceStems: readonly string[], keywords: readonly string[]): boolean {
  const need = Math.min(2, keywords.length);
  let hits = 0;
  for (const k of keywords.slice(0, 6)) if (sentenceStems.includes(k) && ++hits >= need) return true;
  return need === 0;
}

/** A readable label from a group's keywords: "licensing, allies, timelines". */
export function keywordLabel(keywords: readonly string[], surfaces: SurfaceForms, count = 3): string {
  return keywords
    .slice(0, count)
    .map((k) => surfaces.of(k))
    .join(', ');
}
