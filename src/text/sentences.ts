/**
 * Sentence spans over a text, via Intl.Segmenter, with the breaks it makes after common
 * abbreviations ("U.S. Government", "Mr. Smith") undone. Spans index into the given text,
 * so a sentence is always `text.slice(start, end)`: quotes built from them are verbatim.
 */
export interface Span {
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

const ABBREVIATION = /(?:^|[\s(])(?:U\.S|U\.N|U\.K|E\.U|D\.C|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Capt|Amb|St|Jr|Sr|No|Nos|Vol|Dept|Inc|Corp|Co|Ltd|vs|etc|e\.g|i\.e|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z])\.\s*$/;

export function sentenceSpans(text: string, from = 0, to = text.length): Span[] {
  const spans: Span[] = [];
  for (const s of segmenter.segment(text.slice(from, to))) {
    const start = from + s.index;
    const end = start + s.segment.length;
    const prev = spans[spans.length - 1];
    // Merge into the previous span when that one ended on an abbreviation and no line break
    // separates them ("U.S. " + "Government agencies ...").
    if (prev && ABBREVIATION.test(text.slice(prev.start, prev.end)) && !/\n\s*$/.test(text.slice(prev.start, prev.end))) {
      prev.end = end;
    } else {
      spans.push({ start, end });
    }
  }
  // Trim whitespace so spans start and end on visible characters.
  return spans
    .map(({ start, end }) => {
      while (start < end && /\s/.test(text[start]!)) start++;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      return { start, end };
    })
    .filter((s) => s.end > s.start);
}
