import { locateQuote, normalizeForMatch, quoteOccursIn } from './citations.ts';

/**
 * Verification of a model's cited answer against the passages it was given. Pure: no I/O,
 * so every rule is unit-tested. The model's own numbering is not trusted; the output is
 * renumbered 1..n in the order markers appear.
 */

export interface ModelCitation {
  n: number;
  passageId: string;
  quote: string;
}

export type DropReason = 'unknown_passage' | 'quote_not_in_passage' | 'quote_too_short' | 'duplicate_number' | 'not_referenced';

export interface DroppedCitation extends ModelCitation {
  reason: DropReason;
}

export interface VerifiedCitation<P> {
  /** The new number, 1..n in order of first appearance in the text. */
  n: number;
  passageId: string;
  passage: P;
  /** The quoted span exactly as the passage has it (the model may have retyped quote marks or dashes). */
  quote: string;
}

export interface VerifiedAnswer<P> {
  text: string;
  citations: Array<VerifiedCitation<P>>;
  dropped: DroppedCitation[];
  /** Markers removed from the text because no verified citation stood behind them. */
  removedMarkers: number[];
}

/** A quote shorter than this (normalised) proves nothing: "the" occurs in every passage. */
export const MIN_QUOTE_CHARS = 12;

/**
 * A run of citation markers: [1], [1][2], [1] [2], [1, 2], [1; 3]. The spaces before the run
 * go with it when all of it is removed, so "a claim [7]." becomes "a claim.".
 */
const MARKER_RUN = /([ \t]*)(\[\s*\d{1,3}\s*(?:[,;]\s*\d{1,3}\s*)*\](?:[ \t]*\[\s*\d{1,3}\s*(?:[,;]\s*\d{1,3}\s*)*\])*)/g;

export type QuoteCheck = { ok: true; quote: string } | { ok: false; reason: 'quote_too_short' | 'quote_not_in_passage' };

/**
 * One quote against one source text, by the rules every citation follows: long enough to prove
 * something, and present verbatim (modulo whitespace, quote marks and dashes). On success the
 * quote is returned as the source has it, not as the model retyped it. Shared by answers and
 * summaries (src/summarize), so both hold quotes to the same standard.
 */
export function checkQuote(quote: string, text: string): QuoteCheck {
  if (normalizeForMatch(quote).replace(/^["']+|["']+$/g, '').length < MIN_QUOTE_CHARS) return { ok: false, reason: 'quote_too_short' };
  const span = locateQuote(quote, text);
  if (!span && !quoteOccursIn(quote, text)) return { ok: false, reason: 'quote_not_in_passage' };
  return { ok: true, quote: span ? text.slice(span.start, span.end) : quote.trim() };
}

export function verifyCitations<P extends { text: string }>(
  answer: string,
  citations: ModelCitation[],
  passages: ReadonlyMap<string, P>,
): VerifiedAnswer<P> {
  const dropped: DroppedCitation[] = [];
  // Model number -> the verified citation it stands for (two numbers may share one quote).
  const byModelNumber = new Map<number, { index: number; passageId: string; passage: P; quote: string; key: string }>();
  citations.forEach((c, index) => {
    const passageId = c.passageId.trim();
    const passage = passages.get(passageId);
    if (!passage) {
      dropped.push({ ...c, reason: 'unknown_passage' });
      return;
    }
    const checked = checkQuote(c.quote, passage.text);
    if (!checked.ok) {
      dropped.push({ ...c, reason: checked.reason });
      return;
    }
    if (byModelNumber.has(c.n)) {
      dropped.push({ ...c, reason: 'duplicate_number' });
      return;
    }
    const quote = checked.quote;
    byModelNumber.set(c.n, { index, passageId, passage, quote, key: `${passageId}\u0000${normalizeForMatch(quote)}` });
  });

  // Renumber in order of appearance; the same passage and quote under two numbers becomes one.
  const newNumberByKey = new Map<string, number>();
  const ordered: Array<VerifiedCitation<P>> = [];
  const removedMarkers: number[] = [];
  const referenced = new Set<number>();
  const text = answer
    .replace(MARKER_RUN, (_, space: string, run: string) => {
      const kept: number[] = [];
      for (const m of run.matchAll(/\d+/g)) {
        const modelN = Number(m[0]);
        const v = byModelNumber.get(modelN);
        if (!v) {
          removedMarkers.push(modelN);
          continue;
        }
        referenced.add(modelN);
        let n = newNumberByKey.get(v.key);
        if (n === undefined) {
          n = ordered.length + 1;
          newNumberByKey.set(v.key, n);
          ordered.push({ n, passageId: v.passageId, passage: v.passage, quote: v.quote });
        }
        if (!kept.includes(n)) kept.push(n);
      }
      return kept.length ? `${space}${kept.map((n) => `[${n}]`).join('')}` : '';
    })
    .trim();

  // A verified quote that no marker points to backs no claim in the text.
  for (const [modelN, v] of byModelNumber) {
    if (!referenced.has(modelN)) dropped.push({ ...citations[v.index]!, reason: 'not_referenced' });
  }
  return { text, citations: ordered, dropped, removedMarkers };
}
