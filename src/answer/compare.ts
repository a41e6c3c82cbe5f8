import { documentFacts, type DocumentFacts } from '../db/catalog.ts';
import type { Queryable } from '../db/types.ts';
import type { Answer, Citation, ComparisonSideAnswer } from '../domain/answer.ts';
import { datePhrase, type DiffSide, type DiffTheme, type DocumentDiff } from '../domain/document.ts';
import type { Passage } from '../domain/passage.ts';
import type { UnderstoodQuery } from '../domain/query.ts';
import { AppError } from '../errors.ts';
import { analyzeQuery, lexemesOf } from '../search/query.ts';
import { loadPassages } from '../search/retrieve.ts';
import { STOPWORDS } from '../search/tokens.ts';
import { versionAwareSearch, withFacts } from '../search/versions.ts';
import { normalizeForMatch } from './citations.ts';
import { candidateDocuments, citedOf, scoreDocuments, type AnswerContext } from './documents.ts';
import { extractiveAnswer, quoteUnits, toCitation } from './extractive.ts';

/**
 * Two versions side by side. `diffDocuments` sets out, for any two stored documents, the
 * sections each has that the other lacks and the themes each stresses that the other does not,
 * each theme with a verbatim quote (used by `policy-desk docs diff` and by Slack when an upload
 * supersedes a document). `comparisonAnswer` answers "what changed between X and Y", "compare
 * how X and Y treat Z", "difference between X and Y on Z": grouped by document, oldest first,
 * each side quoting its own document on the topic or saying it says nothing on it.
 */

export type { DiffSide, DiffTheme, DocumentDiff } from '../domain/document.ts';

/** At most this many themes a side, and sentences considered a document. */
const MAX_THEMES = 4;
const MAX_SENTENCES = 800;

async function documentPassages(db: Queryable, f: DocumentFacts): Promise<Passage[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM chunks WHERE document_id = $1 ORDER BY ordinal', [f.id]);
  const loaded = await loadPassages(db, rows.map((r) => r.id));
  const passages = rows
    .map((r) => loaded.get(r.id))
    .filter((p): p is NonNullable<typeof p> => !!p)
    .map((p) => ({ ...p, score: 0, ftsRank: null, vectorRank: null, vectorDistance: null }) as Passage);
  return withFacts(passages, new Map([[f.id, f]]));
}

interface Sentence {
  passage: Passage;
  text: string;
  lexemes: Set<string>;
}

async function sentencesOf(db: Queryable, passages: Passage[]): Promise<Sentence[]> {
  const seen = new Set<string>();
  const raw: Array<{ passage: Passage; text: string }> = [];
  for (const p of passages) {
    for (const u of quoteUnits(p.text)) {
      const text = p.text.slice(u.start, u.end).trim();
      const key = normalizeForMatch(text);
      // Bare labels (titles, headings, letterhead lines) are not what a document stresses.
      if (text.length < 40 || seen.has(key)) continue;
      seen.add(key);
      raw.push({ passage: p, text });
    }
    if (raw.length >= MAX_SENTENCES) break;
  }
  const lexemes = await lexemesOf(db, raw.map((r) => r.text));
  return raw.map((r, i) => ({ ...r, lexemes: lexemes[i]! }));
}

function sentenceFrequencies(sentences: Sentence[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const s of sentences) for (const l of s.lexemes) df.set(l, (df.get(l) ?? 0) + 1);
  return df;
}

async function corpusIdf(db: Queryable, lexemes: string[]): Promise<Map<string, number>> {
  const rows = await db.query<{ lexeme: string; df: number; n: number }>(
    `SELECT l.lexeme, coalesce(s.df, 0)::int AS df, coalesce((SELECT chunks FROM chunk_stats), 0)::int AS n
       FROM unnest($1::text[]) AS l(lexeme) LEFT JOIN lexeme_stats s ON s.lexeme = l.lexeme`,
    [lexemes],
  );
  return new Map(rows.map((r) => [r.lexeme, Math.log((r.n + 1) / (r.df + 0.5))]));
}

const isContentLexeme = (l: string) => l.length >= 3 && !/\d/.test(l) && !STOPWORDS.has(l);

/** The words of a text whose english lexeme is one of `lexemes`, as written, in the lexemes' order. */
async function surfaceWords(db: Queryable, text: string, lexemes: string[]): Promise<string[]> {
  const words = [...new Set(text.match(/[\p{L}][\p{L}'’-]*/gu) ?? [])];
  const lists = await lexemesOf(db, words);
  return lexemes.map((l) => words.find((_, i) => lists[i]!.has(l)) ?? l);
}

interface ThemePick {
  sentence: Sentence;
  terms: string[];
}

/** Themes of `mine` that `other` does not stress: greedy over distinctive lexemes, one quote each. */
function pickThemes(mine: Sentence[], other: Sentence[], idf: Map<string, number>): ThemePick[] {
  const dfMine = sentenceFrequencies(mine);
  const dfOther = sentenceFrequencies(other);
  const nMine = Math.max(1, mine.length);
  const nOther = Math.max(1, other.length);
  const distinct = new Map<string, number>();
  for (const [l, df] of dfMine) {
    if (!isContentLexeme(l)) continue;
    const o = dfOther.get(l) ?? 0;
    const relMine = df / nMine;
    const relOther = o / nOther;
    if (o > 0 && relMine < 2.5 * relOther) continue;
    distinct.set(l, df * Math.max(0, idf.get(l) ?? 0) * (o === 0 ? 1 : 0.4));
  }
  const ranked = [...distinct.entries()].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const used = new Set<string>();
  const usedSentences = new Set<Sentence>();
  const picks: ThemePick[] = [];
  const top = ranked[0]?.[1] ?? 0;
  for (const [lexeme, score] of ranked) {
    if (picks.length >= MAX_THEMES || score < top * 0.2) break;
    if (used.has(lexeme)) continue;
    let best: { s: Sentence; v: number } | null = null;
    for (const s of mine) {
      if (usedSentences.has(s) || !s.lexemes.has(lexeme)) continue;
      let v = 0;
      for (const l of s.lexemes) if (!used.has(l)) v += distinct.get(l) ?? 0;
      // Very long sentences carry every theme; prefer ones of ordinary length.
      v /= Math.max(1, s.text.length / 400);
      if (!best || v > best.v) best = { s, v };
    }
    if (!best) continue;
    const terms = [...best.s.lexemes]
      .filter((l) => (distinct.get(l) ?? 0) > 0 && !used.has(l))
      .sort((a, b) => distinct.get(b)! - distinct.get(a)!)
      .slice(0, 3);
    if (!terms.includes(lexeme)) terms.unshift(lexeme);
    for (const l of best.s.lexemes) if (distinct.has(l)) used.add(l);
    usedSentences.add(best.s);
    picks.push({ sentence: best.s, terms: terms.slice(0, 3) });
  }
  return picks;
}

function headingsOf(passages: Passage[], title: string): string[] {
  const out: string[] = [];
  for (const p of passages) {
    for (const h of p.headingPath) {
      if (h.trim().toLowerCase() === title.trim().toLowerCase()) continue;
      if (!out.includes(h)) out.push(h);
    }
  }
  return out;
}

/** The difference between two stored documents, sections and themes with quotes (`docs diff`). */
export async function diffDocuments(db: Queryable, oldId: string, newId: string): Promise<DocumentDiff> {
  if (oldId === newId) throw new AppError('input.invalid', 'Give two different documents to compare.');
  const facts = await documentFacts(db, [oldId, newId]);
  for (const id of [oldId, newId]) if (!facts.has(id)) throw new AppError('input.invalid', `No document "${id}" (see \`policy-desk docs\`)`);
  const [a, b] = [facts.get(oldId)!, facts.get(newId)!];
  const [pa, pb] = [await documentPassages(db, a), await documentPassages(db, b)];
  const [sa, sb] = [await sentencesOf(db, pa), await sentencesOf(db, pb)];
  const lexemes = [...new Set([...sa, ...sb].flatMap((s) => [...s.lexemes]))];
  const idf = await corpusIdf(db, lexemes);
  const citations: Citation[] = [];
  const side = async (f: DocumentFacts, mine: Sentence[], other: Sentence[], headings: string[], otherHeadings: string[]): Promise<DiffSide> => {
    const themes: DiffTheme[] = [];
    for (const pick of pickThemes(mine, other, idf)) {
      const n = citations.length + 1;
      citations.push(toCitation(n, pick.sentence.passage, pick.sentence.text));
      const words = await surfaceWords(db, pick.sentence.text, pick.terms);
      themes.push({ theme: words.join(', '), terms: pick.terms, n });
    }
    const others = new Set(otherHeadings.map((h) => normalizeForMatch(h)));
    return { document: citedOf(f), sections: headings.filter((h) => !others.has(normalizeForMatch(h))), themes };
  };
  const ha = headingsOf(pa, a.title);
  const hb = headingsOf(pb, b.title);
  const oldSide = await side(a, sa, sb, ha, hb);
  const newSide = await side(b, sb, sa, hb, ha);
  const inB = new Set(hb.map((h) => normalizeForMatch(h)));
  return { old: oldSide, new: newSide, sharedSections: ha.filter((h) => inB.has(normalizeForMatch(h))), citations };
}

// ---------------------------------------------------------------------------------------
// Comparison questions

/** How strongly two documents belong together as versions: one supersedes the other, or implements it. */
function relation(a: DocumentFacts, b: DocumentFacts): number {
  if (a.supersedes.includes(b.id) || b.supersedes.includes(a.id)) return 3;
  if (a.implements.includes(b.id) || b.implements.includes(a.id)) return 1;
  return 0;
}

/** Oldest first: the superseded one before what supersedes it, else by date (undated last). */
function oldestFirst(a: DocumentFacts, b: DocumentFacts): [DocumentFacts, DocumentFacts] {
  if (a.supersedes.includes(b.id)) return [b, a];
  if (b.supersedes.includes(a.id)) return [a, b];
  const da = a.publishedOn ?? '9999';
  const db = b.publishedOn ?? '9999';
  return da <= db ? [a, b] : [b, a];
}

/** Which two documents the comparison is between: by its sides' words and times, else the versions in the store. */
async function resolvePair(ctx: AnswerContext, understood: UnderstoodQuery): Promise<[DocumentFacts, DocumentFacts] | null> {
  const sides = understood.comparison?.sides ?? [];
  const topic = understood.comparison?.topic ?? null;
  const candidates = await candidateDocuments(ctx, topic ? `${sides.map((s) => s.text).join(' ')} ${topic}` : understood.searchText);
  const docs = [...candidates.facts.values()];
  if (docs.length < 2) return null;
  const scoresFor = async (i: number) => {
    const s = sides[i]!;
    const scored = await scoreDocuments(ctx.db, s.text, s.time, candidates);
    return new Map(scored.map((x) => [x.facts.id, x.score]));
  };
  let best: { pair: [DocumentFacts, DocumentFacts]; score: number } | null = null;
  const consider = (a: DocumentFacts, b: DocumentFacts, score: number) => {
    if (a.id === b.id) return;
    if (!best || score > best.score) best = { pair: [a, b], score };
  };
  const rankScore = (f: DocumentFacts) => {
    const r = candidates.rank.get(f.id);
    return r === undefined ? 0 : 1 / (1 + r);
  };
  if (sides.length >= 2) {
    const [s1, s2] = [await scoresFor(0), await scoresFor(1)];
    for (const a of docs) for (const b of docs) consider(a, b, (s1.get(a.id) ?? 0) + (s2.get(b.id) ?? 0) + relation(a, b));
  } else if (sides.length === 1) {
    const s1 = await scoresFor(0);
    for (const a of docs) for (const b of docs) consider(a, b, (s1.get(a.id) ?? 0) + relation(a, b) + 0.5 * rankScore(b));
  } else {
    // No side named ("what changed?"): the versions the store knows, the ones the question's words fit best.
    for (const a of docs) for (const b of docs) if (relation(a, b) >= 3) consider(a, b, rankScore(a) + rankScore(b));
  }
  const chosen = best as { pair: [DocumentFacts, DocumentFacts]; score: number } | null;
  return chosen ? oldestFirst(chosen.pair[0], chosen.pair[1]) : null;
}

function sideLabel(f: DocumentFacts): string {
  const d = citedOf(f);
  const when = datePhrase(d);
  const facts = [when, f.status].filter(Boolean).join('; ');
  return `"${d.title}"${facts ? ` (${facts})` : ''}`;
}

/** What one document says on the topic: up to two verbatim quotes from it, or none. */
async function quotesOn(ctx: AnswerContext, f: DocumentFacts, topic: string): Promise<Citation[]> {
  const analysis = await analyzeQuery(ctx.db, topic);
  if (analysis.terms.length === 0) return [];
  const passages = await versionAwareSearch(ctx.db, ctx.embedder, analysis, { k: ctx.k, filters: { ...ctx.filters, documentIds: [f.id] } });
  const answer = await extractiveAnswer(ctx.db, analysis, passages);
  if (answer.abstained) return [];
  return answer.citations.slice(0, 2).map((c) => ({ ...c, document: citedOf(f) }));
}

function quoteText(c: Citation): string {
  return `"${c.quote.replace(/\s*\n\s*/g, '; ')}" [${c.n}]`;
}

export async function comparisonAnswer(ctx: AnswerContext, understood: UnderstoodQuery): Promise<Answer | null> {
  const pair = await resolvePair(ctx, understood);
  if (!pair) return null;
  const topic = understood.comparison?.topic ?? null;
  const citations: Citation[] = [];
  const sides: ComparisonSideAnswer[] = [];
  const parts: string[] = [];
  if (topic) {
    for (const f of pair) {
      const mine: Citation[] = [];
      for (const c of await quotesOn(ctx, f, topic)) {
        const n = citations.length + 1;
        const cited = { ...c, n };
        citations.push(cited);
        mine.push(cited);
      }
      sides.push({ document: citedOf(f), date: f.publishedOn, status: f.status, citations: mine, silent: mine.length === 0 });
      parts.push(mine.length ? `${sideLabel(f)}: ${mine.map(quoteText).join(' ')}` : `${sideLabel(f)} says nothing on ${topic}.`);
    }
    if (sides.every((s) => s.silent)) return null;
    return {
      question: understood.text,
      answer: `On ${topic}, oldest first. ${parts.join(' ')}`,
      mode: 'extractive',
      abstained: false,
      citations,
      comparison: sides,
    };
  }
  const diff = await diffDocuments(ctx.db, pair[0].id, pair[1].id);
  for (const [f, d] of [
    [pair[0], diff.old],
    [pair[1], diff.new],
  ] as const) {
    const mine = d.themes.map((t) => diff.citations[t.n - 1]!);
    sides.push({ document: citedOf(f), date: f.publishedOn, status: f.status, citations: mine, silent: mine.length === 0, themes: d.themes.map((t) => ({ theme: t.theme, n: t.n })) });
    parts.push(
      d.themes.length
        ? `${sideLabel(f)} stresses ${d.themes.map((t) => `${t.theme} (${quoteText(diff.citations[t.n - 1]!)})`).join('; ')}.`
        : `${sideLabel(f)} stresses nothing the other does not.`,
    );
  }
  return {
    question: understood.text,
    answer: `What each version stresses that the other does not, oldest first. ${parts.join(' ')}`,
    mode: 'extractive',
    abstained: false,
    citations: diff.citations,
    comparison: sides,
  };
}
