import { describe, expect, it } from 'vitest';
import { createEmbedder, HashingEmbedder } from '../../../src/search/embedder.ts';
import { loadConfig } from '../../../src/config.ts';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (norm(a) * norm(b));

const TEXTS = {
  lines: 'The plan is based on three lines of effort: prioritizing strategic competition, organizing for success, creating conducive environments.',
  linesQuestion: 'What are the three lines of effort in the implementation plan?',
  uav: 'MTCR export controls on category 1 large UAVs limit sales of unmanned aerial systems.',
  uavQuestion: 'How does the MTCR affect exports of large UAVs?',
  baklava: 'Layer the filo pastry with chopped walnuts, bake, then pour honey syrup over the baklava.',
};

describe('HashingEmbedder', () => {
  const e = new HashingEmbedder();

  it('is named and sized for the store record: hashing-v1, 384 dimensions by default', () => {
    expect(e.name).toBe('hashing-v1');
    expect(e.dimensions).toBe(384);
    expect(new HashingEmbedder(128).dimensions).toBe(128);
  });

  it('is the embedder the default configuration creates', async () => {
    const made = await createEmbedder(loadConfig({}));
    expect(made).toBeInstanceOf(HashingEmbedder);
    expect(made.dimensions).toBe(384);
  });

  it('returns one vector of the configured dimension per text, in order', async () => {
    const vs = await e.embed([TEXTS.lines, TEXTS.uav, TEXTS.baklava]);
    expect(vs).toHaveLength(3);
    for (const v of vs) expect(v).toHaveLength(384);
    expect(vs[1]).toEqual(e.embedOne(TEXTS.uav));
    const small = await new HashingEmbedder(128).embed([TEXTS.lines]);
    expect(small[0]).toHaveLength(128);
    expect(await e.embed([])).toEqual([]);
  });

  it('is deterministic: same text, same vector, across calls and instances', async () => {
    const [a] = await e.embed([TEXTS.lines]);
    const [b] = await new HashingEmbedder().embed([TEXTS.lines]);
    expect(a).toEqual(b);
    expect(e.embedOne(TEXTS.lines)).toEqual(a);
  });

  it('produces unit-norm vectors with finite values', async () => {
    for (const v of await e.embed(Object.values(TEXTS))) {
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 10);
    }
  });

  it('gives a zero vector, not NaN, for text without content words', () => {
    for (const t of ['', '   ', 'the of and to']) {
      const v = e.embedOne(t);
      expect(v).toHaveLength(384);
      expect(v.every((x) => x === 0)).toBe(true);
    }
  });

  it('ignores case and stopwords', () => {
    expect(e.embedOne('THE Three Lines OF Effort')).toEqual(e.embedOne('three lines effort'));
  });

  it('places related texts closer than unrelated ones', () => {
    const v = (t: string) => e.embedOne(t);
    expect(cosine(v(TEXTS.linesQuestion), v(TEXTS.lines))).toBeGreaterThan(cosine(v(TEXTS.linesQuestion), v(TEXTS.uav)));
    expect(cosine(v(TEXTS.linesQuestion), v(TEXTS.lines))).toBeGreaterThan(cosine(v(TEXTS.linesQuestion), v(TEXTS.baklava)));
    expect(cosine(v(TEXTS.uavQuestion), v(TEXTS.uav))).toBeGreaterThan(cosine(v(TEXTS.uavQuestion), v(TEXTS.lines)));
    expect(cosine(v(TEXTS.uavQuestion), v(TEXTS.uav))).toBeGreaterThan(0.2);
    expect(Math.abs(cosine(v(TEXTS.baklava), v(TEXTS.lines)))).toBeLessThan(0.2);
  });

  it('meets spelling variants through stemming and character grams', () => {
    const v = (t: string) => e.embedOne(t);
    expect(v('arms transfers')).toEqual(v('arms transfer'));
    expect(cosine(v('proliferation'), v('nonproliferation'))).toBeGreaterThan(0.3);
    expect(cosine(v('proliferation'), v('nonproliferation'))).toBeGreaterThan(cosine(v('proliferation'), v('procurement')));
  });
});
