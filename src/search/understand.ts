import { acronymsFor, refreshAcronyms } from '../db/acronyms.ts';
import type { Db, Queryable } from '../db/types.ts';
import { acronymKey, looksLikeShortForm } from '../text/acronyms.ts';
import type { TermCorrection, TermExpansion, UnderstoodQuery } from '../domain/query.ts';
import { ADMINISTRATIONS, readKind, readTimeScope } from './intent.ts';
import { expandQuery } from './thesaurus.ts';
import { STOPWORDS } from './tokens.ts';
import { isEnglishWord, relatedWords } from './wordnet.ts';

export type { ComparisonSide, QueryKind, TimeScope, UnderstoodQuery, YearRange } from '../domain/query.ts';
export { ADMINISTRATIONS, readKind, readTimeScope } from './intent.ts';

/**
 * The one step between a raw question and retrieval: what kind of question it is, about which
 * time or version, and in which words of the corpus (misspellings corrected against the store's
 * vocabulary, thesaurus additions). The extractive and LLM paths, Slack and the CLI all go
 * through it (analyzeQuery calls it), and `ask --json` shows the result as `query`.
 */
export interface UnderstandOptions {
  /** Correct words the corpus lacks to close corpus words (default true). */
  corrections?: boolean;
  /**
   * Words known to be English (default: WordNet): an unknown word that is a real word
   * ("chicken") is left alone rather than "corrected" into a corpus word it merely resembles.
   */
  isEnglishWord?: (word: string) => boolean;
  /** Search the corpus' own acronyms both ways (default true). */
  acronyms?: boolean;
  /** Search WordNet synonyms and hypernyms of the question's words that the corpus has (default: WORDNET_DEFAULT). */
  wordnet?: boolean;
}

/** Whether WordNet expansion is on by default: chosen by measurement (README, "Understanding questions"). */
export const WORDNET_DEFAULT = true;
/** The defaults in use; only the evaluation bench changes them, to measure with and without. */
export const understandDefaults = { wordnet: WORDNET_DEFAULT, corrections: true, acronyms: true };
/** Weights of WordNet additions relative to a typed word: below the hand-written thesaurus. */
export const WORDNET_SYNONYM_WEIGHT = 0.4;
export const WORDNET_HYPERNYM_WEIGHT = 0.25;
/** At most this many WordNet additions per question word. */
const WORDNET_PER_WORD = 3;

/** Weight of a thesaurus addition relative to a word the user typed. */
export const THESAURUS_WEIGHT = 0.6;

/** "U.A.S." → "UAS", "U.S.A." → "USA": people write acronyms with and without dots. "U.S." stays (the corpus writes it so). */
export function closeDottedAcronyms(text: string): string {
  return text.replace(/\b((?:[A-Za-z]\.){3,})(?=[\s,;:?!)]|$)/g, (m) => m.replace(/\./g, ''));
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("reveiw" → "review" is 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > 3) return Math.abs(m - n);
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[m]![n]!;
}

/** How far a word may be from its correction: one edit up to six letters, two from seven. */
export function maxEdits(word: string): number {
  return word.length <= 6 ? 1 : 2;
}

/** Trigram similarity below which a corpus lexeme is not even a candidate. */
const TRIGRAM_FLOOR = 0.2;

interface WordInfo {
  word: string;
  lexemes: string[];
  known: boolean;
}

/** Each word's english lexemes and whether the store has all of them (a word with none counts as known: nothing to correct). */
async function wordInfo(db: Queryable, words: string[]): Promise<WordInfo[]> {
  if (words.length === 0) return [];
  const rows = await db.query<{ i: number; lexemes: string[]; known: boolean }>(
    `SELECT (t.i - 1)::int AS i, tsvector_to_array(to_tsvector('english', t.w)) AS lexemes,
            NOT EXISTS (SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('english', t.w))) AS l(lexeme)
                         WHERE NOT EXISTS (SELECT 1 FROM lexeme_stats s WHERE s.lexeme = l.lexeme AND s.df > 0)) AS known
       FROM unnest($1::text[]) WITH ORDINALITY AS t(w, i)`,
    [words],
  );
  const out: WordInfo[] = words.map((word) => ({ word, lexemes: [], known: true }));
  for (const r of rows) out[r.i] = { word: words[r.i]!, lexemes: r.lexemes, known: r.known };
  return out;
}

const isTransactional = (db: Queryable): db is Queryable & { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> } =>
  typeof (db as { transaction?: unknown }).transaction === 'function';

/** Corpus lexemes that look like the word (pg_trgm), with their document frequencies. */
async function trigramNeighbours(db: Queryable, probe: string): Promise<Array<{ lexeme: string; df: number; sim: number }>> {
  const sql = `SELECT lexeme, df, similarity(lexeme, $1)::float8 AS sim FROM lexeme_stats
                WHERE lexeme % $1 AND df > 0 ORDER BY sim DESC, df DESC, lexeme LIMIT 40`;
  const run = async (q: Queryable) => {
    // Transaction-local, so a pooled connection never keeps the lowered threshold.
    await q.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(TRIGRAM_FLOOR)]);
    return q.query<{ lexeme: string; df: number; sim: number }>(sql, [probe]);
  };
  const rows = isTransactional(db) ? await db.transaction(run) : await run(db);
  return rows.map((r) => ({ lexeme: r.lexeme, df: Number(r.df), sim: Number(r.sim) }));
}

/** A word of the stored text whose lexeme is this one, to show and to search as typed text. */
async function surfaceForm(db: Queryable, lexeme: string): Promise<string | null> {
  const rows = await db.query<{ w: string }>(
    `SELECT w FROM (
       SELECT DISTINCT lower(m[1]) AS w
         FROM (SELECT body FROM chunks WHERE tsv @@ $1::tsquery LIMIT 3) c,
              regexp_matches(c.body, '([[:alpha:]][[:alpha:]''-]*)', 'g') AS m) words
      WHERE tsvector_to_array(to_tsvector('english', w)) = ARRAY[$2]::text[]
      ORDER BY length(w), w LIMIT 1`,
    [`'${lexeme.replace(/'/g, "''")}'`, lexeme],
  );
  return rows[0]?.w ?? null;
}

/** English inflectional and derivational endings: a typo inside a word can hide its ending from the stemmer. */
const SUFFIXES = ['ations', 'ation', 'ions', 'ion', 'ings', 'ing', 'ments', 'ment', 'ness', 'ers', 'er', 'ies', 'es', 'ed', 'ly', 's'];

/** The word, and the word without each ending it has: "implementaion" → "implementa" (one edit from "implement"). */
function suffixVariants(word: string): string[] {
  const out = [word];
  for (const s of SUFFIXES) if (word.endsWith(s) && word.length - s.length >= 4) out.push(word.slice(0, -s.length));
  return out;
}

/** Endings the english stemmer takes off: a lexeme plus one of them is a likely word of the text ("implement" → "implementation"). */
const SURFACE_ENDINGS = ['', 's', 'e', 'es', 'ed', 'ing', 'er', 'ers', 'ion', 'ions', 'ation', 'ations', 'ment', 'ments', 'al', 'ly', 'ity', 'ive'];

/** Words the lexeme may stand for in the text; Porter writes a final y as i ("polici" ← "policy"). */
function surfaceGuesses(lexeme: string): string[] {
  const stems = lexeme.endsWith('i') ? [lexeme, `${lexeme.slice(0, -1)}y`, `${lexeme.slice(0, -1)}ies`] : [lexeme];
  return stems.flatMap((st) => SURFACE_ENDINGS.map((e) => st + e));
}

/** The corpus word closest to a word the corpus lacks, when one is close enough; null otherwise. */
export async function correctWord(db: Queryable, word: string, lexeme: string): Promise<TermCorrection | null> {
  const lower = word.toLowerCase();
  const limit = maxEdits(lower);
  const neighbours = await trigramNeighbours(db, lexeme);
  let best: { lexeme: string; df: number; sim: number; distance: number } | null = null;
  for (const n of neighbours) {
    const typed = [lexeme, ...suffixVariants(lower)];
    const distance = Math.min(
      ...typed.map((v) => editDistance(v, n.lexeme)),
      ...surfaceGuesses(n.lexeme).map((g) => editDistance(lower, g)),
    );
    if (distance > limit || distance === 0) continue;
    // The first letter is rarely the one mistyped; a candidate that changes it must be closer.
    if (n.lexeme[0] !== lower[0] && distance > 1) continue;
    if (!best || distance < best.distance || (distance === best.distance && (n.df > best.df || (n.df === best.df && n.sim > best.sim)))) {
      best = { ...n, distance };
    }
  }
  if (!best) return null;
  return { word, to: (await surfaceForm(db, best.lexeme)) ?? best.lexeme, lexeme: best.lexeme, distance: best.distance };
}

const WORD = /[\p{L}][\p{L}'’-]*[\p{L}]|[\p{L}]/gu;

/** Words worth checking against the vocabulary: lower-case content words, not acronyms, names or function words. */
function correctable(word: string): boolean {
  if (word.length < 4 || /[^a-z'’-]/.test(word)) return false;
  return !STOPWORDS.has(word);
}

/**
 * WordNet synonyms and direct hypernyms of the question's content words, kept only where the
 * corpus has the word (a synonym no document uses cannot find anything) and the question does
 * not already say it. "weapons" → "arms"; "buyers" → "purchaser", "customer".
 */
async function wordnetExpansions(db: Queryable, text: string): Promise<TermExpansion[]> {
  const words = [...new Set((text.match(WORD) ?? []).map((w) => w.toLowerCase()).filter((w) => w.length >= 3 && !STOPWORDS.has(w)))];
  const candidates: Array<{ from: string; word: string; weight: number }> = [];
  for (const w of words) {
    for (const r of relatedWords(w, { senses: 2 })) {
      // A multi-word lemma ("weapon system") whose words the corpus has apart is no evidence it has the phrase.
      if (r.word.includes(' ')) continue;
      const base = r.relation === 'synonym' ? WORDNET_SYNONYM_WEIGHT : WORDNET_HYPERNYM_WEIGHT;
      candidates.push({ from: w, word: r.word, weight: base * (r.sense === 1 ? 1 : 0.75) });
    }
  }
  if (candidates.length === 0) return [];
  const own = new Set((await wordInfo(db, words)).flatMap((i) => i.lexemes));
  const infos = await wordInfo(db, [...new Set(candidates.map((c) => c.word))]);
  const known = new Map(infos.map((i) => [i.word, i]));
  const perWord = new Map<string, number>();
  const out: TermExpansion[] = [];
  for (const c of candidates.sort((a, b) => b.weight - a.weight)) {
    const info = known.get(c.word);
    if (!info || !info.known || info.lexemes.length === 0 || info.lexemes.every((l) => own.has(l))) continue;
    if ((perWord.get(c.from) ?? 0) >= WORDNET_PER_WORD) continue;
    if (out.some((o) => o.add === c.word)) continue;
    perWord.set(c.from, (perWord.get(c.from) ?? 0) + 1);
    out.push({ from: c.from, add: c.word, source: 'wordnet', weight: c.weight });
  }
  return out;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** "3 lines" meets "three lines" and "three" meets "3": documents spell small numbers out, people type digits. */
function numeralExpansions(text: string): TermExpansion[] {
  const out: TermExpansion[] = [];
  for (const m of text.matchAll(/(?<![\d.,$])\b(\d{1,2})\b(?![.,]?\d)/g)) {
    const word = NUMBER_WORDS[Number(m[1])];
    if (word) out.push({ from: m[1]!, add: word, source: 'numeral', weight: THESAURUS_WEIGHT });
  }
  for (const m of text.matchAll(new RegExp(`\\b(${NUMBER_WORDS.join('|')})\\b`, 'gi'))) {
    out.push({ from: m[1]!, add: String(NUMBER_WORDS.indexOf(m[1]!.toLowerCase())), source: 'numeral', weight: THESAURUS_WEIGHT });
  }
  return out;
}

/** Weight of an acronym's other form: what the corpus itself says the question's words mean. */
export const ACRONYM_WEIGHT = THESAURUS_WEIGHT;

/** Stores whose acronyms this process has brought up to date (a store from before migration 013 is mined on first use). */
const acronymsChecked = new WeakMap<object, Promise<unknown>>();

/**
 * The corpus' acronyms that the question names, as expansions the other way round: "DTSA" adds
 * "Defense Technology Security Agency", "Missile Technology Control Regime" adds "MTCR". A
 * lower-case word counts as a short form only when it is not English ("dtsa", not "cat").
 */
async function acronymExpansions(db: Queryable, text: string, english: (w: string) => boolean): Promise<TermExpansion[]> {
  if (isTransactional(db) && 'kind' in db) {
    let p = acronymsChecked.get(db);
    if (!p) {
      p = refreshAcronyms(db as Db).catch(() => 0);
      acronymsChecked.set(db, p);
    }
    await p;
  }
  const keys = new Map<string, string>();
  for (const token of text.match(/[A-Za-z][A-Za-z0-9.&/-]*[A-Za-z0-9]/g) ?? []) {
    const variants = [token, ...token.split('/')];
    for (const v of variants) {
      if (looksLikeShortForm(v) || (/^[a-z]{2,10}s?$/.test(v) && !english(v))) keys.set(acronymKey(v), v);
    }
  }
  const found = await acronymsFor(db, [...keys.keys()], text);
  const out: TermExpansion[] = [];
  const lower = text.toLowerCase().replace(/\s+/g, ' ');
  for (const a of found) {
    const longNamed = lower.includes(a.long.toLowerCase().replace(/\s+/g, ' '));
    const add = longNamed ? a.short : a.long;
    if (out.some((o) => o.add.toLowerCase() === add.toLowerCase())) continue;
    out.push({ from: longNamed ? a.long : (keys.get(a.key) ?? a.short), add, source: 'acronym', weight: ACRONYM_WEIGHT });
  }
  return out;
}

/** Words that join the parts of a name ("Secretary of Defense", "Bureau of Political-Military Affairs"). */
const NAME_JOINERS = new Set(['of', 'the', 'for', 'and', 'on', 'to']);
/** Capitalised words that open a question or a clause rather than a name. */
const NOT_NAME_WORDS = new Set(['what', 'which', 'who', 'whom', 'whose', 'when', 'where', 'why', 'how', 'does', 'do', 'did', 'is', 'are', 'was', 'were', 'can', 'could', 'should', 'would', 'will', 'has', 'have', 'had', 'under', 'according', 'in', 'on', 'at', 'for', 'the', 'a', 'an', 'and', 'or', 'if', 'i', 'tell', 'please', 'list', 'give', 'show', 'compare', 'explain', 'describe', 'since', 'before', 'after', 'during']);

/**
 * Names the question writes in capitals, of two or more capitalised words ("Secretary of
 * Defense", "Missile Technology Control Regime"); administrations ("Biden") are time, not names.
 */
export function namePhrases(text: string): string[] {
  const tokens = [...text.matchAll(/[\p{L}][\p{L}\d.'’/&-]*/gu)].map((m) => ({ w: m[0], at: m.index! }));
  // Acronyms ("ISN/CATR", "DTSA") are not name words: the corpus' acronyms and the absent-word check see to them.
  const isCap = (w: string) =>
    /^\p{Lu}/u.test(w) && !/^[\p{Lu}\d.'’/&-]+$/u.test(w) && !NOT_NAME_WORDS.has(w.toLowerCase()) && !ADMINISTRATIONS.some((a) => a.match.test(w));
  const out: string[] = [];
  let run: string[] = [];
  let caps = 0;
  const flush = () => {
    while (run.length && NAME_JOINERS.has(run[run.length - 1]!.toLowerCase())) run.pop();
    if (caps >= 2) out.push(run.join(' '));
    run = [];
    caps = 0;
  };
  for (let i = 0; i < tokens.length; i++) {
    const { w, at } = tokens[i]!;
    const gap = i > 0 ? text.slice(tokens[i - 1]!.at + tokens[i - 1]!.w.length, at) : ' ';
    if (run.length && !/^\s+$/.test(gap)) flush();
    if (isCap(w)) {
      run.push(w.replace(/['’]s$/, ''));
      caps++;
    } else if (run.length && NAME_JOINERS.has(w)) run.push(w);
    else flush();
  }
  flush();
  return out;
}

/**
 * The question's names none of whose neighbouring words stand together (within three words,
 * either order) in any chunk: "Secretary of Defense" in a corpus that has "Deputy Secretary"
 * and "Department of Defense" but never the post. One pair found is enough to know the name
 * ("CAT Policy Implementation Plan" has "CAT Policy"), as is an acronym the corpus gives for it.
 */
async function unknownNamesIn(db: Queryable, text: string, expansions: TermExpansion[]): Promise<string[]> {
  const names = namePhrases(text).filter((n) => !expansions.some((e) => e.source === 'acronym' && e.from.toLowerCase() === n.toLowerCase()));
  const pairs: Array<{ name: number; a: string; b: string }> = [];
  names.forEach((n, name) => {
    // "Political-Military" is indexed as the compound and then its parts: pairs are of parts.
    const words = n.split(/[\s-]+/).filter((w) => w && !NAME_JOINERS.has(w));
    for (let i = 0; i + 1 < words.length; i++) pairs.push({ name, a: words[i]!, b: words[i + 1]! });
  });
  if (pairs.length === 0) return [];
  const rows = await db.query<{ name: number; found: boolean }>(
    `SELECT t.name, EXISTS (
              SELECT 1 FROM chunks c
               WHERE c.tsv @@ (SELECT tsquery_phrase(qa, qb, 1) || tsquery_phrase(qa, qb, 2) || tsquery_phrase(qa, qb, 3)
                                   || tsquery_phrase(qb, qa, 1) || tsquery_phrase(qb, qa, 2) || tsquery_phrase(qb, qa, 3)
                                 FROM (SELECT plainto_tsquery('english', t.a) AS qa, plainto_tsquery('english', t.b) AS qb) x
                                WHERE numnode(qa) > 0 AND numnode(qb) > 0)) AS found
       FROM unnest($1::int[], $2::text[], $3::text[]) AS t(name, a, b)`,
    [pairs.map((p) => p.name), pairs.map((p) => p.a), pairs.map((p) => p.b)],
  );
  const known = new Set(rows.filter((r) => r.found).map((r) => Number(r.name)));
  // A pair with a stopword-only side cannot be checked: such a name is left alone.
  return names.filter((n, i) => !known.has(i) && pairs.some((p) => p.name === i));
}

export async function understandQuestion(db: Queryable, question: string, options: UnderstandOptions = {}): Promise<UnderstoodQuery> {
  const text = question;
  let searchText = closeDottedAcronyms(question);
  const { kind, status, comparison } = readKind(searchText);
  const time = readTimeScope(searchText);

  const corrections: TermCorrection[] = [];
  if (options.corrections ?? understandDefaults.corrections) {
    const words = [...new Set((searchText.match(WORD) ?? []).filter(correctable))];
    const infos = await wordInfo(db, words);
    for (const info of infos) {
      if (info.known || info.lexemes.length !== 1) continue;
      if ((options.isEnglishWord ?? isEnglishWord)(info.word)) continue;
      const c = await correctWord(db, info.word, info.lexemes[0]!);
      if (c) corrections.push(c);
    }
    for (const c of corrections) {
      searchText = searchText.replace(new RegExp(`(?<![\\p{L}])${c.word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}])`, 'gu'), c.to);
    }
  }

  const expansions: TermExpansion[] = expandQuery(searchText).map((e) => ({
    from: e.trigger,
    add: e.add,
    source: 'thesaurus' as const,
    weight: THESAURUS_WEIGHT,
  }));
  expansions.push(...numeralExpansions(searchText));
  if (options.acronyms ?? understandDefaults.acronyms) expansions.push(...(await acronymExpansions(db, searchText, options.isEnglishWord ?? isEnglishWord)));
  if (options.wordnet ?? understandDefaults.wordnet) expansions.push(...(await wordnetExpansions(db, searchText)));
  const unknownNames = await unknownNamesIn(db, searchText, expansions);

  return {
    text,
    searchText,
    kind,
    time,
    ...(status ? { status } : {}),
    ...(comparison ? { comparison } : {}),
    corrections,
    expansions,
    ...(unknownNames.length ? { unknownNames } : {}),
  };
}
