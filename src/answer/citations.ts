import type { Passage } from '../domain/passage.ts';

/**
 * Quote verification. A quote counts only if it occurs in its passage once both are
 * normalised for whitespace, quote marks and dashes (models and people retype those);
 * anything else (an ellipsis, a changed word) makes it unverifiable.
 */
export function normalizeForMatch(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function quoteOccursIn(quote: string, passage: string): boolean {
  const q = normalizeForMatch(quote);
  return q.length > 0 && normalizeForMatch(passage).includes(q);
}

/** One character (code point) as normalizeForMatch sees it; whitespace is handled by the caller. */
function normalizeChar(ch: string): string {
  return ch
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .toLowerCase();
}

/** Normalised text plus, for each normalised code unit, the offset of the original character it came from. */
function normalizeWithOffsets(s: string): { text: string; from: number[]; to: number[] } {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  let offset = 0;
  let pendingSpace = -1;
  for (const ch of s) {
    const at = offset;
    offset += ch.length;
    if (/\s/.test(ch)) {
      if (pendingSpace === -1) pendingSpace = at;
      continue;
    }
    if (pendingSpace !== -1) {
      if (text.length > 0) {
        text += ' ';
        from.push(pendingSpace);
        to.push(pendingSpace + 1);
      }
      pendingSpace = -1;
    }
    for (const unit of normalizeChar(ch)) {
      text += unit;
      from.push(at);
      to.push(offset);
    }
  }
  return { text, from, to };
}

/** Quotation marks a model may wrap around a quote that are not part of the quoted text. */
const WRAPPING_QUOTES = /^\s*["'\u201c\u201d\u2018\u2019\u00ab\u00bb]+|["'\u201c\u201d\u2018\u2019\u00ab\u00bb]+\s*$/g;

/**
 * Where a quote occurs in its passage, with the same normalisation as quoteOccursIn, as
 * offsets into the original passage: the cited text can then be shown exactly as the
 * document has it. Quote marks wrapped around the whole quote are ignored. An ellipsis or
 * any changed word still makes the quote unlocatable.
 */
export function locateQuote(quote: string, passage: string): { start: number; end: number } | null {
  const tryLocate = (q: string) => {
    const nq = normalizeWithOffsets(q).text;
    if (nq.length === 0) return null;
    const np = normalizeWithOffsets(passage);
    const i = np.text.indexOf(nq);
    if (i === -1) return null;
    return { start: np.from[i]!, end: np.to[i + nq.length - 1]! };
  };
  return tryLocate(quote) ?? tryLocate(quote.replace(WRAPPING_QUOTES, ''));
}

/** What a citation says about where its quote sits: the fields of Citation beyond the quote itself. */
export interface QuotePlace {
  page: number | null;
  pageEnd: number | null;
  section: string | null;
  ocr: boolean;
}

/** The heading path of a passage below its document's title, as one string ("Annex C: End-use monitoring"). */
export function sectionOf(headingPath: readonly string[], title: string): string | null {
  const path = headingPath.filter((h, i) => !(i === 0 && h.trim().toLowerCase() === title.trim().toLowerCase()));
  return path.length > 0 ? path.join(' › ') : null;
}

/**
 * The pages of a quote, from its offset in the passage and the page breaks the passage
 * carries (offsets into the document body, like passage.start), so the page is exact even
 * when the passage runs over two pages. A quote found only by the loose whitespace match is
 * placed at the passage's start.
 */
export function quotePlace(
  passage: Pick<Passage, 'start' | 'text' | 'pages' | 'headingPath'> & { document: { title: string } },
  quote: string,
): QuotePlace {
  const section = sectionOf(passage.headingPath, passage.document.title);
  const pages = passage.pages;
  if (!pages) return { page: null, pageEnd: null, section, ocr: false };
  const span = locateQuote(quote, passage.text) ?? { start: 0, end: Math.max(1, Math.min(passage.text.length, quote.length)) };
  const pageOf = (offset: number) => pages.first + pages.breaks.filter((b) => b <= offset).length;
  const page = pageOf(passage.start + span.start);
  const pageEnd = Math.max(page, pageOf(passage.start + Math.max(span.start, span.end - 1)));
  return { page, pageEnd, section, ocr: pages.ocr.some((p) => p >= page && p <= pageEnd) };
}
