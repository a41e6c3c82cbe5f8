import type { Queryable } from '../db/types.ts';
import type { UnderstoodQuery } from '../domain/query.ts';
import type { Expansion } from './thesaurus.ts';
import { timeWordsIn } from './intent.ts';
import { THESAURUS_WEIGHT, understandQuestion } from './understand.ts';

/**
 * What retrieval and answer selection need to know about a question, computed once:
 * its lexemes (Postgres' english stemmer, the one full-text search uses), an idf weight for
 * each from the store itself, and the thesaurus aliases that also count as the lexeme.
 *
 * A lexeme no chunk contains gets the highest weight, so a question about something the
 * corpus never mentions ("baklava") cannot look answered by its common words ("good").
 */
export interface QueryTerm {
  lexeme: string;
  weight: number;
  aliases: Set<string>;
  /**
   * Credit an alias earns in coverage (1 when absent): WordNet's weaker relations earn less
   * than the thesaurus' and the corpus' own acronyms.
   */
  aliasCredit?: Map<string, number>;
  /** A misspelt word's correction: when a text lacks it, it does not count against that text (unless it is the only term). */
  corrected?: boolean;
  /** No chunk has the word or any of its aliases (and it is not a correction): something the corpus never speaks of. */
  absent?: boolean;
}

export interface QueryAnalysis {
  question: string;
  /** The question as searched: corrections applied (understandQuestion); the question itself when absent. */
  searchText?: string;
  /** The understood question this analysis was made from. */
  understood?: UnderstoodQuery;
  terms: QueryTerm[];
  totalWeight: number;
  /** Lexemes scored by BM25: the question's own, then thesaurus additions at a discount; df = chunks containing it. */
  rankTerms: Array<{ lexeme: string; weight: number; df?: number }>;
  /** Text for the embedder: the question plus thesaurus additions. */
  embedText: string;
  expansions: Expansion[];
  /** How many chunks the store held when the weights were computed. */
  chunks?: number;
}

/**
 * Stems (Postgres english) of words that frame a question rather than name its topic. The
 * english configuration keeps them, and the corpus rarely has them, so without this list "say"
 * or "tell" would weigh like a rare topic word.
 */
const QUESTION_FRAMING = new Set(
  (
    'say tell much mani kind whose find happen anyth someth anyon someon doe explain describ list specif accord ' +
    'mention talk regard way know want need like actual exact current give show summar summari document text ' +
    'question answer inform detail exampl type sort thing whether still done make made take let get go come anyway ' +
    // Casual spellings of question words, which the english configuration does not drop ("whats", "who's", "r u").
    'what whats who whos where wher wheres how hows why whi when whens r u ur pls plz im ive dont doesnt isnt arent cant wont anybodi ' +
    // "How soon", "how often": they ask for a time or a frequency, as "when" does, and name no topic.
    'soon often ' +
    // Words that frame a comparison or a status question ("how do they differ", "X vs Y", "which version", "still valid", "Trump-era").
    'differ compar vs versus contrast similar version valid era'
  ).split(' '),
);

/** Thesaurus words help ranking, but less than the words the user actually typed. */
const ALIAS_DISCOUNT = 0.6;

async function lexemeLists(db: Queryable, texts: string[]): Promise<string[][]> {
  if (texts.length === 0) return [];
  const rows = await db.query<{ i: number; lexemes: string[] }>(
    `SELECT (t.i - 1)::int AS i, tsvector_to_array(to_tsvector('english', t.body)) AS lexemes
       FROM unnest($1::text[]) WITH ORDINALITY AS t(body, i)`,
    [texts],
  );
  const out: string[][] = texts.map(() => []);
  for (const r of rows) out[r.i] = r.lexemes;
  return out;
}

/** Lexemes of many texts in one round trip, in order. */
export async function lexemesOf(db: Queryable, texts: string[]): Promise<Array<Set<string>>> {
  return (await lexemeLists(db, texts)).map((l) => new Set(l));
}

/**
 * How many chunks contain each lexeme, and how many chunks there are: from the statistics the
 * chunk triggers keep (migration 008), one index lookup a lexeme whatever the corpus size.
 * Counting `tsv @@ lexeme` matches instead took tens of milliseconds a word at 20,000 chunks.
 */
async function documentFrequencies(db: Queryable, lexemes: string[]): Promise<{ df: Map<string, number>; n: number }> {
  const rows = await db.query<{ lexeme: string | null; df: number; n: number }>(
    `SELECT l.lexeme, coalesce(s.df, 0)::int AS df, coalesce((SELECT chunks FROM chunk_stats), 0)::int AS n
       FROM (SELECT NULL::text AS lexeme UNION ALL SELECT * FROM unnest($1::text[])) AS l
       LEFT JOIN lexeme_stats s ON s.lexeme = l.lexeme`,
    [lexemes],
  );
  return { df: new Map(rows.filter((r) => r.lexeme !== null).map((r) => [r.lexeme!, r.df])), n: rows[0]?.n ?? 0 };
}

const idf = (n: number, df: number) => Math.log((n + 1) / (df + 0.5));

export async function analyzeQuery(db: Queryable, query: string | UnderstoodQuery): Promise<QueryAnalysis> {
  const understood = typeof query === 'string' ? await understandQuestion(db, query) : query;
  const question = understood.text;
  const searchText = understood.searchText;
  const expansions: Expansion[] = understood.expansions.map((e) => ({ trigger: e.from, add: e.add }));
  const lists = await lexemeLists(db, [searchText, ...understood.expansions.flatMap((e) => [e.from, e.add]), timeWordsIn(searchText).join(' ')]);
  const own = [...new Set(lists[0] ?? [])].filter((l) => !QUESTION_FRAMING.has(l) && !/-era$/.test(l));
  // "original", "revised", "new", "latest", "in force" say which version, not what about: they
  // still rank (BM25), but are not topic words a passage must cover (src/search/intent.ts).
  const timeLexemes = new Set(lists[lists.length - 1] ?? []);
  const corrected = new Set(understood.corrections.map((c) => c.lexeme));
  const aliases = new Map<string, Map<string, number>>(own.map((l) => [l, new Map<string, number>()]));
  /** Each added lexeme's best weight relative to a typed word. */
  const added = new Map<string, number>();
  understood.expansions.forEach((e, i) => {
    const trigger = lists[1 + i * 2] ?? [];
    const extra = lists[2 + i * 2] ?? [];
    const credit = Math.min(1, e.weight / THESAURUS_WEIGHT);
    for (const t of trigger) {
      const m = aliases.get(t);
      if (!m) continue;
      for (const a of extra) if (a !== t) m.set(a, Math.max(m.get(a) ?? 0, credit));
    }
    for (const a of extra) if (!aliases.has(a)) added.set(a, Math.max(added.get(a) ?? 0, e.weight * ALIAS_DISCOUNT / THESAURUS_WEIGHT));
  });
  const { df, n } = await documentFrequencies(db, [...own, ...added.keys()]);
  const terms: QueryTerm[] = own.filter((l) => !timeLexemes.has(l)).map((lexeme) => {
    const credits = aliases.get(lexeme)!;
    // A lay word the corpus lacks ("drones") weighs what its documented alias ("uav") weighs.
    const bestDf = Math.max(df.get(lexeme) ?? 0, ...[...credits.keys()].map((a) => df.get(a) ?? 0));
    const term: QueryTerm = { lexeme, weight: idf(n, bestDf), aliases: new Set(credits.keys()) };
    if ([...credits.values()].some((c) => c < 1)) term.aliasCredit = credits;
    if (corrected.has(lexeme)) term.corrected = true;
    else if (bestDf === 0) term.absent = true;
    return term;
  });
  const rankTerms = [
    ...own.map((l) => ({ lexeme: l, weight: idf(n, df.get(l) ?? 0), df: df.get(l) ?? 0 })),
    ...[...added].map(([l, w]) => ({ lexeme: l, weight: w * idf(n, df.get(l) ?? 0), df: df.get(l) ?? 0 })),
  ];
  return {
    question,
    searchText,
    understood,
    terms,
    totalWeight: terms.reduce((a, t) => a + t.weight, 0),
    rankTerms,
    embedText: [searchText, ...expansions.map((e) => e.add)].join(' '),
    expansions,
    chunks: n,
  };
}

/**
 * Share of the question carried by words no chunk has, nor any alias of them ("cybersecurity",
 * "Ukraine", "salmon"). At ABSENT_MAX_SHARE or more the question is mostly about what the corpus
 * never names. By idf weight, once the library is big enough for document frequencies to mean
 * something (SMALL_LIBRARY_CHUNKS); in a smaller one every word it has is common and weighs
 * little while a word it lacks weighs the most, so there it is the share of the words: one
 * missing word must not outweigh all the others in a library of two letters.
 */
export function absentShare(q: QueryAnalysis): number {
  if (q.terms.length === 0 || q.totalWeight <= 0) return 0;
  const absent = q.terms.filter((t) => t.absent);
  if ((q.chunks ?? Infinity) < SMALL_LIBRARY_CHUNKS) return absent.length / q.terms.length;
  return absent.reduce((a, t) => a + t.weight, 0) / q.totalWeight;
}
const SMALL_LIBRARY_CHUNKS = 30;
export const ABSENT_MAX_SHARE = 0.5;

/** Share of the question's weight that a text covers: 1 when it has every question term (or an alias). */
export function coverage(q: QueryAnalysis, lexemes: Set<string>): number {
  if (q.totalWeight <= 0) return 0;
  let hit = 0;
  let total = q.totalWeight;
  for (const t of q.terms) {
    let credit = lexemes.has(t.lexeme) ? 1 : 0;
    if (credit < 1) for (const a of t.aliases) if (lexemes.has(a)) credit = Math.max(credit, t.aliasCredit?.get(a) ?? 1);
    hit += credit * t.weight;
    // A corrected misspelling the text lacks is a guess that missed, not a missing topic.
    if (credit === 0 && t.corrected && q.terms.length > 1) total -= t.weight;
  }
  return total <= 0 ? 0 : hit / total;
}
