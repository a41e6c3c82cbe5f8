import { describe, expect, it } from 'vitest';
import { cleanPointText, groundPoint, groundQuote, SourceIndex, type GroundDrop, type SourceDoc } from '../../../src/summarize/ground.ts';

const link = (n: number) => `https://acme.slack.com/archives/C1/p176000000000010${n}?thread_ts=1760000000.000100&cid=C1`;
const docs: SourceDoc[] = [
  { key: 'M1', text: 'We support a 30-day license review for close allies.', ref: { kind: 'message', id: '1760000000.000101', link: link(1), label: 'Dana Reyes (Acme)' }, citable: true, author: 'Dana Reyes' },
  {
    key: 'M2',
    text: 'We strongly oppose any shortcut in human rights vetting. See https://www.state.gov/cat-policy for the policy.',
    ref: { kind: 'message', id: '1760000000.000102', link: link(2), label: 'Omar Haddad (ACW)' },
    citable: true,
    author: 'Omar Haddad',
  },
  { key: 'abc-1234-wxyz', text: 'Please call me at 202-555-0143 about the licensing backlog and its costs.', ref: { kind: 'comment', id: 'abc-1234-wxyz', label: 'Industry' }, citable: true },
  { key: 'def-5678-qrst', text: 'Licensing delays cost our members contracts every single year.', ref: { kind: 'comment', id: 'def-5678-qrst', label: 'Industry' }, citable: false },
];
const index = new SourceIndex(docs);

describe('grounding what a model says against the sources it was shown', () => {
  it('keeps a verbatim quote, as the source has it, and adds its source', () => {
    const drops: GroundDrop[] = [];
    const p = groundPoint({ text: 'Dana backs faster reviews for allies.', sources: [], quotes: [{ source: 'M1', quote: 'a 30–day license review for close allies' }] }, index, drops);
    expect(p).not.toBeNull();
    expect(p!.quotes[0]!.text).toBe('a 30-day license review for close allies');
    expect(p!.sources.map((s) => s.id)).toEqual(['1760000000.000101']);
    expect(drops).toEqual([]);
  });

  it('drops a fabricated quote, and the point when nothing else stands behind it', () => {
    const drops: GroundDrop[] = [];
    const p = groundPoint({ text: 'Dana wants no review at all.', sources: [], quotes: [{ source: 'M1', quote: 'we want no license review at all' }] }, index, drops);
    expect(p).toBeNull();
    expect(drops.map((d) => d.reason)).toEqual(['quote_not_in_passage', 'no_source']);
  });

  it('drops a fabricated permalink or message id, and keeps a real permalink', () => {
    const drops: GroundDrop[] = [];
    const p = groundPoint(
      { text: 'Omar opposes shortcuts.', sources: ['https://acme.slack.com/archives/C1/p1760000000000999', 'M7', link(2)], quotes: [] },
      index,
      drops,
    );
    expect(p!.sources.map((s) => s.link)).toEqual([link(2)]);
    expect(drops.map((d) => d.reason)).toEqual(['unknown_source', 'unknown_source']);
  });

  it('a quote attributed to the wrong message is not verified', () => {
    const drops: GroundDrop[] = [];
    expect(groundPoint({ text: 'x y z', sources: [], quotes: [{ source: 'M1', quote: 'any shortcut in human rights vetting' }] }, index, drops)).toBeNull();
    expect(drops[0]!.reason).toBe('quote_not_in_passage');
  });

  it('respects the scope (a batch, one participant) and never cites an uncitable source', () => {
    const drops: GroundDrop[] = [];
    expect(groundPoint({ text: 'Dana said so.', sources: ['M2'], quotes: [] }, index, drops, { inScope: (d) => d.author === 'Dana Reyes' })).toBeNull();
    expect(drops[0]!.reason).toBe('out_of_scope');
    const g = groundQuote({ source: 'def-5678-qrst', quote: 'Licensing delays cost our members contracts' }, index);
    expect('reason' in g && g.reason).toBe('not_citable');
    const p = groundPoint({ text: 'Delays cost contracts.', sources: ['def-5678-qrst'], quotes: [] }, index, []);
    expect(p).toBeNull();
  });

  it('can refuse quotes that carry a phone number or e-mail address', () => {
    const g = groundQuote({ source: 'abc-1234-wxyz', quote: 'Please call me at 202-555-0143' }, index, { rejectPersonalData: true });
    expect('reason' in g && g.reason).toBe('personal_data');
    expect('quote' in groundQuote({ source: 'abc-1234-wxyz', quote: 'about the licensing backlog and its costs' }, index, { rejectPersonalData: true })).toBe(true);
  });

  it('too-short quotes prove nothing', () => {
    const g = groundQuote({ source: 'M1', quote: 'We support' }, index);
    expect('reason' in g && g.reason).toBe('quote_too_short');
  });

  it('point text loses made-up links and model ids, keeps addresses a source has', () => {
    expect(cleanPointText('Omar cites https://evil.example/x and [M2] (M1, M2) the rules.', index)).toBe('Omar cites and the rules.');
    expect(cleanPointText('See https://www.state.gov/cat-policy for details.', index)).toBe('See https://www.state.gov/cat-policy for details.');
    expect(cleanPointText(`Per ${link(1)}.`, index)).toBe(`Per ${link(1)}.`);
  });
});
