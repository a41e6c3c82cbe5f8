/**
 * What a question asks, read before retrieval (src/search/understand.ts): its kind, its time
 * scope, the comparison's sides and topic, the corrected words and the expansions searched
 * beside them. It lives here, at the bottom, because answers carry it (`ask --json` shows it as
 * `query`, the feedback export records it) and retrieval, answers and front ends all read it.
 */
export type QueryKind = 'lookup' | 'status' | 'comparison';

/** An inclusive span of years; a null bound is open ("before 2020" = { from: null, to: 2019 }). */
export interface YearRange {
  from: number | null;
  to: number | null;
}

export interface TimeScope {
  /** "current", "now", "in force", "latest", "newest", "today's", ...: prefer documents in force. */
  current: boolean;
  /**
   * Years the question names: a year, a range ("between 2018 and 2020", "before 2020"), or an
   * administration's years ("under Biden", "Trump-era"). Several spans are a union (both Trump
   * terms). Empty: no year asked about.
   */
  years: YearRange[];
  /** "original", "old", "previous", "earlier" → 'earlier'; "revised", "new", "updated" → 'later'. */
  version: 'earlier' | 'later' | null;
  /** The administrations named, e.g. ["Biden"]. */
  administrations: string[];
  /** The words each reading came from, in question order. */
  cues: string[];
}

/** One side of a comparison ("the 2018 policy", "2023", "the Biden policy"). */
export interface ComparisonSide {
  text: string;
  time: TimeScope;
}

/** What a status question asks about the document it names. */
export type StatusAsk = 'in-force' | 'which-current' | 'issued' | 'replaced';

export interface TermCorrection {
  /** The word as typed. */
  word: string;
  /** The corpus word it was corrected to (a surface form when one was found, else the lexeme). */
  to: string;
  /** The corpus lexeme (Postgres english stem) searched for. */
  lexeme: string;
  /** Edit distance (with transpositions) between the two. */
  distance: number;
}

export interface TermExpansion {
  /** The question's words that triggered it. */
  from: string;
  /** Text searched beside them. */
  add: string;
  /** numeral: "3" for "three" and back. */
  source: 'thesaurus' | 'acronym' | 'wordnet' | 'numeral';
  /** Relative to an exact question term (1). */
  weight: number;
}

export interface UnderstoodQuery {
  /** The question as asked. */
  text: string;
  /** The question with corrections applied and dotted acronyms closed up ("U.A.S." → "UAS"): what is searched. */
  searchText: string;
  kind: QueryKind;
  time: TimeScope;
  /** Status questions: what is asked, and the document phrase it is asked about (when found). */
  status?: { asks: StatusAsk; subject: string | null };
  /** Comparisons: the sides named (zero, one or two) and the topic, when the question has one. */
  comparison?: { sides: ComparisonSide[]; topic: string | null };
  corrections: TermCorrection[];
  expansions: TermExpansion[];
  /**
   * Names of offices, posts or bodies the question gives in capitals ("Secretary of Defense")
   * that no document contains as a phrase, though each word is common in the corpus: the
   * question is about something the corpus never names, so it is not answered (src/search/understand.ts).
   */
  unknownNames?: string[];
}
