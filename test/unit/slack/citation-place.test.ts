import { describe, expect, it } from 'vitest';
import { citationPlace, pageLabel } from '../../../src/domain/answer.ts';
import { citationBlock } from '../../../src/slack/views/answer.ts';
import { sampleCitation } from './sample-answer.ts';

describe('citation place', () => {
  it('Slack shows "p. 3 · Annex C: End-use monitoring" in the citation heading', () => {
    const block = citationBlock(sampleCitation(1, { page: 3, pageEnd: 3, section: 'Annex C: End-use monitoring' }));
    expect(block.text?.text).toContain('p. 3 · Annex C: End-use monitoring');
  });

  it('a quote over a page break reads "pp. 2–3"; OCR text is marked; unpaged citations have no page', () => {
    expect(pageLabel({ page: 2, pageEnd: 3 })).toBe('pp. 2–3');
    expect(citationPlace({ page: 1, pageEnd: 1, section: null, ocr: true })).toBe('p. 1 (OCR)');
    expect(citationPlace({ page: null, pageEnd: null, section: 'Oversight', ocr: false })).toBe('Oversight');
    expect(citationPlace({ page: null, pageEnd: null, section: null, ocr: false })).toBeNull();
    expect(citationBlock(sampleCitation(1)).text?.text).not.toMatch(/p\. \d/);
  });
});
