import { citedDocument } from '../domain/document.ts';
import type { Queryable } from '../db/types.ts';
import type { Passage } from '../search/retrieve.ts';
import { sentenceSpans, type Span } from '../text/sentences.ts';
import { emailPattern } from '../text/email.ts';
import { normalizeForMatch, quoteOccursIn, quotePlace } from './citations.ts';
import { ABSENT_MAX_SHARE, absentShare, coverage, lexemesOf, type QueryAnalysis } from '../search/query.ts';
import { ABSTAIN_MESSAGE, type Answer, type Citation } from '../domain/answer.ts';

/**
 * Thresholds on the share of the question's (idf-weighted) terms a passage or sentence covers.
 * Measured with `policy-desk eval`: answerable questions in the evaluation set have a best
 * passage covering >= 0.5 of their weight almost always; off-topic questions stay well below.
 */
export const PASSAGE_MIN_COVERAGE = 0.35;
export const SENTENCE_MIN_COVERAGE = 0.25;
/**
 * The thresholds in use: the constants above, changed only by the abstention curve
 * (bench/eval-baseline.ts --curve), which answers the same questions at several of them.
 */
export const coverageThresholds = { passage: PASSAGE_MIN_COVERAGE, sentence: SENTENCE_MIN_COVERAGE };
const MAX_SENTENCES = 3;
/** A list lead-in ("... three lines of effort:") is quoted with its items up to this length. */
const LIST_QUOTE_MAX = 700;

/** What a question asks for, recognised from its wording, and how to spot it in a sentence. */
const ANSWER_TYPES = {
  date: /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (?:\d{1,2},? )?\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:in|since|from|until|by) (?:1[89]|20)\d\d\b/i,
  email: emailPattern(),
  person: /\b(?:Director|Secretary|Ambassador|Assistant|President|Deputy|Special Assistant)\b|\b[A-Z][a-z]+ [A-Z][a-z]+,? (?:said|says)\b|: [A-Z][a-z]+ [A-Z][a-z]+$/,
  /** A count or an amount: digits (not a bare year, not an id's number as in "NSPM-10") or a number word. */
  quantity:
    /\$\s?\d|(?<![-/\d])\b(?!(?:1[89]|20)\d\d\b)\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?)\b/i,
  duration: /\b(?:\d+|one|two|three|four|five|six|ten|several|many)\s+(?:days?|weeks?|months?|years?|hours?|decades?)\b|\b(?:within|over|in) the (?:next|coming|past) (?:\w+ )?(?:days?|weeks?|months?|years?|decades?)\b|\b(?:since|dating back to) (?:1[89]|20)\d\d\b/i,
  /** An office, bureau, agency or group named in capitals: what "which office" or "who" (as an institution) asks for. */
  organisation: /\b(?:Office|Bureau|Department|Agency|Council|Group|Committee|Center|Centre|Administration|Association|Regime|Arrangement|Coordinator)\b(?: of(?: the)?(?: [A-Z][\w-]*)+)?|\b[A-Z]{2,}(?:\/[A-Z]{2,})+\b/,
} as const;
type AnswerType = keyof typeof ANSWER_TYPES;

/** A question that asks for a point in time, not a condition ("when does the rule apply"). */
const ASKS_FOR_TIME = /^\s*(?:(?:and|so|but)\s+)?(?:when\s+(?:did|was|were|will|has|have|had)|(?:on|in)\s+what\s+(?:date|day|year|month)|what\s+(?:date|year)|which\s+(?:date|year))\b/i;
const YEAR_IN_TEXT = /\b(?:1[89]|20)\d\d\b/;

export function expectedAnswerTypes(question: string): AnswerType[] {
  const q = question.toLowerCase();
  const out: AnswerType[] = [];
  if (/\b(when|what date|which date|what day|dated?|published|released?|issued)\b/.test(q)) out.push('date');
  if (/\b(e-?mail|contact|address|reach|write to|send (comments|feedback))\b/.test(q)) out.push('email');
  if (/\bwho\b|\bwhose\b|\bwhich official\b|\bdirector\b|\bhead of\b/.test(q)) out.push('person');
  if (/\bhow (many|much|large|big|far|heavy)\b|\bwhat (number|amount|value|size|percentage)\b|\bworth\b/.test(q)) out.push('quantity');
  if (/\bhow long\b|\bhow many (days|weeks|months|years)\b|\bfor how long\b|\bsince when\b|\bduration\b/.test(q)) out.push('duration');
  if (/\bwhich (?:\w+ )?(office|offices|agency|agencies|bureau|bureaus|department|departments|group|groups|organi[sz]ations?|body|bodies|committee|council|regime|component|components)\b|\bwho\b|\bto whom\b/.test(q)) out.push('organisation');
  return out;
}

function fileWords(source: string): string {
  return (source.split('/').pop() ?? '').replace(/\.[a-z0-9]+$/i, '').replace(/[-_.]+/g, ' ');
}

/** The analysis minus terms a context already covers; unchanged when that would leave nothing. */
function withoutTerms(analysis: QueryAnalysis, context: Set<string>): QueryAnalysis {
  const terms = analysis.terms.filter((t) => !context.has(t.lexeme) && ![...t.aliases].some((a) => context.has(a)));
  const totalWeight = terms.reduce((a, t) => a + t.weight, 0);
  return totalWeight > 0 ? { ...analysis, terms, totalWeight } : analysis;
}

export interface QuoteUnit extends Span {
  passageIndex: number;
}

/**
 * Sentences of a passage, except that a sentence ending in ':' is joined with the list
 * items after it, so "based on three lines of effort:" is quoted together with the lines.
 */
export function quoteUnits(text: string): Span[] {
  const spans = sentenceSpans(text);
  const units: Span[] = [];
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const unit = { ...s };
    if (text.slice(s.start, s.end).endsWith(':')) {
      let j = i + 1;
      // Items are separate lines that do not open a list of their own.
      while (
        j < spans.length &&
        spans[j]!.end - unit.start <= LIST_QUOTE_MAX &&
        /\n/.test(text.slice(unit.end, spans[j]!.start)) &&
        !text.slice(spans[j]!.start, spans[j]!.end).endsWith(':')
      ) {
        unit.end = spans[j]!.end;
        j++;
      }
      i = j - 1;
    }
    units.push(unit);
  }
  return units;
}

export function toCitation(n: number, p: Passage, quote: string): Citation {
  return {
    n,
    document: citedDocument(p.document),
    quote,
    passage: p.text,
    chunkId: p.chunkId,
    score: Number(p.score.toFixed(6)),
    ...quotePlace(p, quote),
  };
}

export function abstention(question: string, mode: Answer['mode'] = 'extractive', note?: string): Answer {
  return { question, answer: ABSTAIN_MESSAGE, mode, abstained: true, citations: [], ...(note ? { note } : {}) };
}

export interface RelevantPassage {
  passage: Passage;
  coverage: number;
}

/** The retrieved passages that really bear on the question, best first. */
export async function relevantPassages(db: Queryable, analysis: QueryAnalysis, passages: Passage[]): Promise<RelevantPassage[]> {
  // A name no document holds ("Secretary of Defense") is something the corpus never speaks of,
  // however common its words are ("secretary", "defense"): nothing bears on the question.
  if (analysis.understood?.unknownNames?.length) return [];
  // Likewise a question whose weight lies mostly in words no document has, nor any alias of them.
  if (absentShare(analysis) >= ABSENT_MAX_SHARE) return [];
  const lexemes = await lexemesOf(db, passages.map((p) => `${p.headingPath.join(' ')} ${p.text}`));
  return passages
    .map((passage, i) => ({ passage, coverage: coverage(analysis, lexemes[i]!) }))
    .filter((r) => r.coverage >= coverageThresholds.passage);
}

/**
 * The answer is made only of sentences quoted from the passages, each followed by its
 * citation number; nothing is paraphrased, so nothing can be invented.
 */
export async function extractiveAnswer(db: Queryable, analysis: QueryAnalysis, passages: Passage[]): Promise<Answer> {
  const question = analysis.question;
  const relevant = await relevantPassages(db, analysis, passages);
  if (relevant.length === 0) return abstention(question);

  const units: Array<QuoteUnit & { text: string }> = [];
  relevant.forEach((r, passageIndex) => {
    for (const u of quoteUnits(r.passage.text)) units.push({ ...u, passageIndex, text: r.passage.text.slice(u.start, u.end) });
  });
  const unitLexemes = await lexemesOf(db, units.map((u) => u.text));
  // Words that only identify the document ("the July 2018 fact sheet") say nothing about which
  // of its sentences answers; sentences are scored on the question's remaining words.
  // So do the question's years and administrations ("under Biden", "in 2018"): they chose the
  // documents (version-aware retrieval), and say nothing about which sentence answers.
  const timeCues = (analysis.understood?.time.cues ?? []).join(' ');
  const contextLexemes = await lexemesOf(
    db,
    relevant.map((r) => `${r.passage.document.title} ${r.passage.headingPath.join(' ')} ${fileWords(r.passage.document.source)} ${timeCues}`),
  );
  const sentenceQueries = contextLexemes.map((ctx) => withoutTerms(analysis, ctx));
  const wanted = expectedAnswerTypes(question);
  const scored = units
    .map((u, i) => {
      const cov = coverage(sentenceQueries[u.passageIndex]!, unitLexemes[i]!);
      // Prefer sentences from better-ranked passages.
      const rankBonus = 1 - u.passageIndex * 0.05;
      const typed = wanted.some((t) => ANSWER_TYPES[t].test(u.text));
      // A bare label line (letterhead, title, heading) repeats the question's words without
      // answering it, unless it is the kind of thing asked for ("when" → a date line).
      const label = !/[.!?;:]["”’)]?$/.test(u.text) && u.text.length < 90 && !u.text.includes('\n');
      const shape = typed ? 1.5 : label ? 0.5 : 1;
      // A date line or an address shares no words with "when ...?" or "whom do I e-mail?":
      // for those the cue alone qualifies a sentence from a relevant passage.
      const cueOnly = typed && wanted.some((t) => (t === 'date' || t === 'email') && ANSWER_TYPES[t].test(u.text));
      return { unit: u, cov: cueOnly ? Math.max(cov, coverageThresholds.sentence) : cov, score: cov * rankBonus * shape + (typed ? 0.1 : 0) };
    })
    .filter((s) => s.cov >= coverageThresholds.sentence)
    .sort((a, b) => b.score - a.score || a.unit.passageIndex - b.unit.passageIndex || a.unit.start - b.unit.start);
  if (scored.length === 0) return abstention(question);
  // "How many ...?" and "how much ...?" ask for a number: sentences on the topic that hold none
  // (a year is not a count) do not answer it.
  if (wanted.includes('quantity') && !scored.some((s) => ANSWER_TYPES.quantity.test(s.unit.text))) return abstention(question);
  // Likewise "when did / was / will ...?" and "on what date / in what year ...?" ask for a time: sentences
  // holding neither a date nor a year do not answer them ("when does X apply" asks for a condition, and is left alone).
  if (ASKS_FOR_TIME.test(question) && !scored.some((s) => ANSWER_TYPES.date.test(s.unit.text) || YEAR_IN_TEXT.test(s.unit.text))) return abstention(question);

  const best = scored[0]!.score;
  const chosen: typeof scored = [];
  for (const s of scored) {
    if (s.score < best * 0.6 || chosen.length >= MAX_SENTENCES) break;
    // Overlapping chunks repeat sentences; quote each piece of text once.
    const key = normalizeForMatch(s.unit.text);
    if (chosen.some((c) => normalizeForMatch(c.unit.text).includes(key) || key.includes(normalizeForMatch(c.unit.text)))) continue;
    chosen.push(s);
  }
  // The sentence holding what was asked for (a date for "when", an address for "what e-mail")
  // comes first; the rest read in document order within a passage, passages in rank order.
  const holdsAnswer = (s: (typeof chosen)[number]) => (wanted.some((t) => ANSWER_TYPES[t].test(s.unit.text)) ? 0 : 1);
  chosen.sort((a, b) => holdsAnswer(a) - holdsAnswer(b) || a.unit.passageIndex - b.unit.passageIndex || a.unit.start - b.unit.start);

  const citations: Citation[] = [];
  const parts: string[] = [];
  for (const c of chosen) {
    const passage = relevant[c.unit.passageIndex]!.passage;
    const quote = c.unit.text;
    if (!quoteOccursIn(quote, passage.text)) continue;
    const n = citations.length + 1;
    citations.push(toCitation(n, passage, quote));
    parts.push(`${quote.replace(/\s*\n\s*/g, '; ').replace(/:;\s*/, ': ')} [${n}]`);
  }
  if (citations.length === 0) return abstention(question);
  return { question, answer: parts.join(' '), mode: 'extractive', abstained: false, citations };
}
