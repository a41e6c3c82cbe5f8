import { describe, expect, it } from 'vitest';
import { sentenceSpans } from '../../../src/text/sentences.ts';
import { CORPUS_KEYS, readCorpus } from '../../helpers/corpus.ts';

const sentences = (text: string, from?: number, to?: number): string[] =>
  sentenceSpans(text, from, to).map((s) => text.slice(s.start, s.end));

describe('sentenceSpans', () => {
  it('does not split after abbreviations: U.S., Mr., Dr., e.g., i.e., U.N., D.C., Jan.', () => {
    expect(sentences('The U.S. Government reviews transfers. Mr. Smith agreed.')).toEqual([
      'The U.S. Government reviews transfers.',
      'Mr. Smith agreed.',
    ]);
    expect(sentences('Partners, e.g. Japan, buy U.S. systems. The U.N. Register of Arms is one regime, i.e. a list.')).toEqual([
      'Partners, e.g. Japan, buy U.S. systems.',
      'The U.N. Register of Arms is one regime, i.e. a list.',
    ]);
    expect(sentences('It met on Jan. 5 in Washington, D.C. with Dr. Jones. Then it ended.')).toEqual([
      'It met on Jan. 5 in Washington, D.C. with Dr. Jones.',
      'Then it ended.',
    ]);
  });

  it('splits at ., ! and ? and after closing quotes, and not inside decimals', () => {
    expect(sentences('Is it? Yes! Done.')).toEqual(['Is it?', 'Yes!', 'Done.']);
    expect(sentences('Arms sales rose 5.5 percent in 2018. Exports fell.')).toEqual(['Arms sales rose 5.5 percent in 2018.', 'Exports fell.']);
    expect(sentences('“We will not provide arms,” Kaidanow said. “Economic security is national security.”')).toEqual([
      '“We will not provide arms,” Kaidanow said.',
      '“Economic security is national security.”',
    ]);
  });

  it('breaks at line breaks, even after an abbreviation', () => {
    expect(sentences('The plan is based on three lines of effort:\n\nPrioritizing strategic competition\n\nOrganizing for success')).toEqual([
      'The plan is based on three lines of effort:',
      'Prioritizing strategic competition',
      'Organizing for success',
    ]);
    expect(sentences('He left the U.S.\nThe next line starts here.')).toEqual(['He left the U.S.', 'The next line starts here.']);
  });

  it('trims whitespace so spans start and end on visible characters', () => {
    const text = '  Leading space.   Trailing space.   ';
    expect(sentenceSpans(text)).toEqual([
      { start: 2, end: 16 },
      { start: 19, end: 34 },
    ]);
  });

  it('indexes the original text when given a range', () => {
    const text = 'Intro. Body sentence one. Body sentence two. Outro.';
    const spans = sentenceSpans(text, 7, 44);
    expect(spans).toEqual([
      { start: 7, end: 25 },
      { start: 26, end: 44 },
    ]);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Body sentence one.', 'Body sentence two.']);
  });

  it('returns nothing for empty or blank text', () => {
    expect(sentenceSpans('')).toEqual([]);
    expect(sentenceSpans('   \n\n ')).toEqual([]);
  });

  for (const key of CORPUS_KEYS) {
    it(`${key}: spans are ordered, disjoint, trimmed, and cover every visible character`, () => {
      const text = readCorpus(key).replace(/\u00a0/g, ' ');
      const spans = sentenceSpans(text);
      expect(spans.length).toBeGreaterThan(5);
      let last = 0;
      const covered = new Uint8Array(text.length);
      for (const s of spans) {
        expect(s.start).toBeGreaterThanOrEqual(last);
        expect(s.end).toBeGreaterThan(s.start);
        const t = text.slice(s.start, s.end);
        expect(t).toBe(t.trim());
        covered.fill(1, s.start, s.end);
        last = s.end;
      }
      expect([...text].every((ch, i) => /\s/.test(ch) || covered[i] === 1)).toBe(true);
    });
  }

  it('keeps corpus sentences with abbreviations whole', () => {
    const fact = sentences(readCorpus('factSheet'));
    expect(fact).toContain(
      'In line with the U.S. National Security Strategy, these documents lay out a whole-of-government strategy to better align our conventional arms transfers with our national security and economic interests.',
    );
    const mission = sentences(readCorpus('mission').replace(/\u00a0/g, ' '));
    expect(mission).toContain(
      'Officers will lead policy development regarding arms transfer transparency regimes (e.g., the Wassenaar Arrangement and the U.N. Register of Arms), and will coordinate closely with – and provide support to, as needed – ISN/MNSA’s work in leading multilateral negotiations (e.g., at the UN or CD) related to conventional arms.',
    );
  });
});
