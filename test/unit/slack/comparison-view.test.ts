import { describe, expect, it } from 'vitest';
import type { Answer, Citation, ComparisonSideAnswer } from '../../../src/domain/answer.ts';
import { messageViolations, SLACK_LIMITS } from '../../../src/slack/limits.ts';
import { answerMessages } from '../../../src/slack/views/answer.ts';
import { comparisonBlocks, fitSide, SHORTENED_NOTE, SILENT_SIDE } from '../../../src/slack/views/comparison.ts';
import { sampleCitation } from './sample-answer.ts';

function side(i: number, citations: Citation[], over: Partial<ComparisonSideAnswer> = {}): ComparisonSideAnswer {
  const document = { id: `doc-${i}`, title: `Policy ${2000 + i}`, date: `${2000 + i}-02`, source: `doc-${i}.txt`, status: i === 0 ? ('superseded' as const) : ('current' as const), dateSource: 'catalog' as const };
  return { document, date: document.date, status: document.status, citations: citations.map((c) => ({ ...c, document })), silent: citations.length === 0, ...over };
}

function comparisonAnswer(sides: ComparisonSideAnswer[]): Answer {
  return {
    question: 'What changed between 2000 and 2001 on end-use checks?',
    answer: 'On end-use checks, oldest first. …',
    mode: 'extractive',
    abstained: false,
    citations: sides.flatMap((s) => s.citations),
    comparison: sides,
    query: { text: 'q', searchText: 'q', kind: 'comparison', time: { current: false, years: [], version: null, administrations: [], cues: [] }, comparison: { sides: [], topic: 'end-use checks' }, corrections: [], expansions: [] },
  };
}

describe('comparison answers in Slack', () => {
  it('short sides: one section with a field per document, title, date (catalog), status, quotes or silence', () => {
    const a = comparisonAnswer([side(0, []), side(1, [sampleCitation(1, { quote: 'Checks are <mandatory> & recorded.' })])]);
    const [message] = answerMessages(a, { answerId: 'a_abcdefgh' });
    expect(messageViolations(message!)).toEqual([]);
    const fields = message!.blocks.find((b) => b.block_id === 'comparison_sides') as { fields: Array<{ text: string }> };
    expect(fields.fields.map((f) => f.text)).toEqual([
      `*Policy 2000*\nFeb 2000 (catalog) · superseded\n${SILENT_SIDE}`,
      '*Policy 2001*\nFeb 2001 (catalog) · current\n*[1]*\n>Checks are &lt;mandatory&gt; &amp; recorded.',
    ]);
    // The prose repeating the quotes is not shown; the lead names the topic; sources list where each quote is.
    const text = JSON.stringify(message!.blocks);
    expect(text).toContain('Side by side on end-use checks');
    expect(text).not.toContain('On end-use checks, oldest first.');
    expect(text).toContain('*Sources* (1)');
  });

  it('a side too long for a field makes one section per document; a side too long for a section is shortened with a note', () => {
    const long = 'word '.repeat(700).trim(); // 3,499 characters
    const sides = [side(0, [sampleCitation(1, { quote: 'Short.' })]), side(1, [sampleCitation(2, { quote: long }), sampleCitation(3, { quote: long })])];
    expect(sides[1]!.citations.reduce((n, c) => n + c.quote.length, 0)).toBeGreaterThan(SLACK_LIMITS.sectionText);
    const blocks = comparisonBlocks(sides);
    expect(blocks.map((b) => b.block_id)).toEqual(['comparison_side_1', 'comparison_side_2']);
    expect(blocks[0]!.text!.text).not.toContain(SHORTENED_NOTE);
    const second = blocks[1]!.text!.text;
    expect(second.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(second).toContain(SHORTENED_NOTE);
    expect(second).toContain('*[2]*');
    expect(second).toContain('*[3]*');
    for (const m of answerMessages(comparisonAnswer(sides), { answerId: 'a_abcdefgh' })) expect(messageViolations(m)).toEqual([]);
  });

  it('more sides than a section has fields: one section per document', () => {
    const many = Array.from({ length: SLACK_LIMITS.sectionFields + 1 }, (_, i) => side(i, [sampleCitation(i + 1, { quote: `Quote ${i}.` })]));
    const blocks = comparisonBlocks(many);
    expect(blocks).toHaveLength(many.length);
    expect(blocks.every((b) => !b.fields)).toBe(true);
  });

  it('fitSide never exceeds its limit, even with a huge title', () => {
    const s = side(0, [sampleCitation(1, { quote: 'x'.repeat(5000) })], {});
    s.document = { ...s.document, title: 'T'.repeat(5000) };
    expect(fitSide(s, 500).length).toBeLessThanOrEqual(500);
  });
});
