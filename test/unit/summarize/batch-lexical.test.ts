import { describe, expect, it } from 'vitest';
import { batchByTokens, clipToTokens, estimateTokens, mapLimited } from '../../../src/summarize/batch.ts';
import { groupByKeywords, keywordLabel, sumBasic, SurfaceForms, tokenize } from '../../../src/summarize/lexical.ts';

describe('token-bounded batches', () => {
  it('estimates tokens as characters / 4 and keeps every batch within the budget, in order', () => {
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    const items = Array.from({ length: 50 }, (_, i) => 'x'.repeat(40 + (i % 7) * 30));
    const batches = batchByTokens(items, estimateTokens, 200);
    expect(batches.flat()).toEqual(items);
    for (const b of batches) expect(b.reduce((n, t) => n + estimateTokens(t), 0)).toBeLessThanOrEqual(200);
    expect(batchByTokens(['x'.repeat(4000)], estimateTokens, 200)).toHaveLength(1);
  });

  it('clips a long text to a prefix at a word boundary', () => {
    const text = 'word '.repeat(500);
    const c = clipToTokens(text, 100);
    expect(c.clipped).toBe(true);
    expect(text.startsWith(c.text)).toBe(true);
    expect(c.text.length).toBeLessThanOrEqual(400);
    expect(clipToTokens('short', 100)).toEqual({ text: 'short', clipped: false });
  });

  it('runs work with bounded concurrency and stops starting new work after a failure', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimited([1, 2, 3, 4, 5, 6], 2, async (x) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return x * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12]);
    expect(most).toBe(2);
    const started: number[] = [];
    await expect(
      mapLimited([1, 2, 3, 4, 5, 6], 2, async (x) => {
        started.push(x);
        if (x === 1) throw new Error('model down');
        await new Promise((r) => setTimeout(r, 5));
        return x;
      }),
    ).rejects.toThrow('model down');
    expect(started.length).toBeLessThan(6);
  });
});

describe('lexical selection and grouping', () => {
  it('tokenizes content words: stems, whole hyphenated compounds, no names, mentions or links', () => {
    const words = tokenize('Thanks @Dana Reyes! End-use monitoring of licenses <https://x.gov|here> matters for Dana.', new Set(['dana']));
    expect(words.map((w) => w.stem)).toEqual(['end-use', 'monitor', 'license', 'matter']);
  });

  it('SumBasic picks central sentences and avoids repeating itself', () => {
    const sentences = [
      'Licensing timelines for allies are too long.',
      'Licensing timelines for allies are far too long today.',
      'Human rights vetting must stay.',
      'Licensing reviews for allies should be faster.',
      'Lunch is at noon.',
    ].map((text, source) => ({ text, source, stems: tokenize(text).map((t) => t.stem) }));
    const chosen = sumBasic(sentences, 2).map((s) => s.text);
    expect(chosen[0]).toMatch(/^Licensing/);
    expect(chosen[1]).not.toMatch(/^Licensing timelines/);
  });

  it('groups units by shared keywords and labels the groups with readable words', () => {
    const a = ['licensing delays for allies', 'allies face licensing delays', 'licensing delays hurt allies and exporters', 'exporters want faster licensing for allies'];
    const b = ['human rights vetting of end users', 'vetting for human rights abuses', 'human rights vetting before every sale', 'end users with abuses need vetting'];
    const texts = [...a, ...b, 'unrelated lunch menu'];
    const surfaces = new SurfaceForms();
    const units = texts.map((t) => {
      const toks = tokenize(t);
      surfaces.add(toks);
      return toks.map((x) => x.stem);
    });
    const { groups, ungrouped } = groupByKeywords(units, { maxGroups: 4, minSize: 2 });
    expect(groups).toHaveLength(2);
    const sets = groups.map((g) => new Set(g.members));
    expect(sets.some((s) => [0, 1, 2, 3].every((i) => s.has(i)))).toBe(true);
    expect(sets.some((s) => [4, 5, 6, 7].every((i) => s.has(i)))).toBe(true);
    expect(ungrouped).toEqual([8]);
    const labels = groups.map((g) => keywordLabel(g.keywords, surfaces));
    expect(labels.join(' | ')).toMatch(/licensing|delays|allies/);
    expect(labels.join(' | ')).toMatch(/vetting|rights|human/);
    expect(groups[0]!.score(tokenize('licensing delays').map((t) => t.stem)) + groups[1]!.score(tokenize('licensing delays').map((t) => t.stem))).toBeGreaterThan(0);
  });
});
