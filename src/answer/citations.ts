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
