import { describe, expect, it } from 'vitest';
import { locateQuote, quoteOccursIn } from '../../../src/answer/citations.ts';

const passage = 'The U.S. Government\u2019s   \u201cCAT Policy\u201d \u2014 revised\nin 2023 \u2014 covers firearms.';

describe('locateQuote', () => {
  it('finds a quote through retyped quote marks, dashes and whitespace, and returns the document text', () => {
    const span = locateQuote('Government\'s "CAT Policy" - revised in 2023', passage);
    expect(span).not.toBeNull();
    expect(passage.slice(span!.start, span!.end)).toBe('Government\u2019s   \u201cCAT Policy\u201d \u2014 revised\nin 2023');
    expect(quoteOccursIn('Government\'s "CAT Policy" - revised in 2023', passage)).toBe(true);
  });

  it('is case-insensitive and ignores quote marks wrapped around the whole quote', () => {
    const span = locateQuote('\u201ccovers FIREARMS.\u201d', passage);
    expect(passage.slice(span!.start, span!.end)).toBe('covers firearms.');
  });

  it('refuses an ellipsis, a changed word or an empty quote', () => {
    expect(locateQuote('The U.S. Government ... covers firearms', passage)).toBeNull();
    expect(locateQuote('The U.S. Government\u2019s CAT Policy', passage)).toBeNull();
    expect(locateQuote('covers rifles', passage)).toBeNull();
    expect(locateQuote('   ', passage)).toBeNull();
  });

  it('maps offsets correctly after characters that normalise to several', () => {
    const text = 'The \ufb01rst of\u00a0many: e\ufb03cient transfers.';
    const span = locateQuote('efficient transfers', text);
    expect(text.slice(span!.start, span!.end)).toBe('e\ufb03cient transfers');
    const first = locateQuote('first of many', text);
    expect(text.slice(first!.start, first!.end)).toBe('\ufb01rst of\u00a0many');
  });
});
