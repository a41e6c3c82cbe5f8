import { describe, expect, it } from 'vitest';
import { chunkDocument, type Chunk, type ChunkOptions } from '../../../ingest/chunk.ts';
import { cleanText, type Block, type CleanedDocument } from '../../../ingest/clean.ts';
import { sentenceSpans } from '../../../src/text/sentences.ts';
import { CORPUS_KEYS, readCorpus, THREE_LINES } from '../../helpers/corpus.ts';

const SETTINGS: ChunkOptions[] = [
  { targetChars: 900, overlapChars: 150 },
  { targetChars: 600, overlapChars: 200 },
  { targetChars: 400, overlapChars: 0 },
  { targetChars: 250, overlapChars: 120 },
  { targetChars: 1500, overlapChars: 300 },
];

// ---------------------------------------------------------------------------------------------
// A long synthetic document: every sentence carries a section tag, so the heading path a chunk
// should have is read from its text, independently of how the chunker computes it.

/** Deterministic pseudo-random numbers (LCG), so the document is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FILLER = [
  'the U.S. Government reviews each proposed transfer',
  'agencies weigh the risk to regional stability',
  'Mr. Smith of the Department noted the timelines',
  'partners e.g. in Europe receive support',
  'the office coordinates with Congress',
  'licences are checked against the control lists',
  'human rights concerns are assessed for every sale',
];

function sentence(tag: string, n: number, rand: () => number, words = 1 + Math.floor(rand() * 4)): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(FILLER[Math.floor(rand() * FILLER.length)]!);
  return `Statement ${n} of ${tag} says ${parts.join(' and ')}.`;
}

function paragraph(tag: string, sentences: number, rand: () => number): string {
  return Array.from({ length: sentences }, (_, i) => sentence(tag, i + 1, rand)).join(' ');
}

/** Section tag → the heading path its text must be filed under. */
const SECTION_PATHS: Record<string, string[]> = {
  tagpreamble: [],
  tagalpha: ['Part Alpha'],
  tagalphaone: ['Part Alpha', 'Section Alpha One'],
  tagalphatwo: ['Part Alpha', 'Section Alpha Two'],
  tagbetadeep: ['Part Beta', 'Deep Beta Notes'],
  tagbetaone: ['Part Beta', 'Section Beta One'],
  taggamma: ['Part Gamma', 'Gamma Overview'],
};

/** Longer than the smallest target, with no abbreviation inside, so it is one sentence. */
const LONG_SENTENCE = `Statement 0 of tagalphatwo is one very long sentence in which ${Array.from({ length: 10 }, (_, i) => `the office reviews case number ${i + 1} with care`).join(', and ')}.`;

function syntheticDocument(): string {
  const r = rng(42);
  // The last item ends with a full stop: after ';' cleaning would read the next paragraph as one more item.
  const items = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => `- Duty ${i + 1} of ${tag}: ${FILLER[i % FILLER.length]} and ${FILLER[(i + 3) % FILLER.length]}${i === n - 1 ? '.' : ';'}`).join('\n');
  return [
    paragraph('tagpreamble', 3, r),
    '# Part Alpha',
    paragraph('tagalpha', 4, r),
    '## Section Alpha One',
    paragraph('tagalphaone', 40, r), // far longer than any target: split at sentences
    paragraph('tagalphaone', 5, r),
    'Statement 99 of tagalphaone lists three goals:',
    '- Faster reviews for tagalphaone.\n- Better oversight for tagalphaone.\n- Fewer delays for tagalphaone.',
    paragraph('tagalphaone', 6, r),
    '## Section Alpha Two',
    `${LONG_SENTENCE} ${paragraph('tagalphatwo', 3, r)}`,
    'Statement 98 of tagalphatwo sets out the duties of the office:',
    items('tagalphatwo', 14), // a long list: too big to stay whole with its lead-in
    paragraph('tagalphatwo', 8, r),
    '# Part Beta',
    '### Deep Beta Notes',
    paragraph('tagbetadeep', 12, r),
    '## Section Beta One',
    paragraph('tagbetaone', 9, r),
    paragraph('tagbetaone', 2, r),
    '# Part Gamma',
    '## Gamma Overview',
    paragraph('taggamma', 25, r),
  ].join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Checks of the chunking contract, shared by the bundled documents and the synthetic one.

/** Where a chunk's own text begins: after the sentences it repeats from the previous chunk. */
function ownStart(doc: CleanedDocument, chunks: Chunk[], i: number): number {
  const c = chunks[i]!;
  const prev = chunks[i - 1];
  if (!prev || c.start >= prev.end) return c.start;
  let p = prev.end;
  while (/\s/.test(doc.text[p]!)) p++;
  return p;
}

function blockAt(doc: CleanedDocument, offset: number): Block | undefined {
  return doc.blocks.find((b) => b.start <= offset && offset < b.end);
}

function checkOffsetsAndCoverage(doc: CleanedDocument, chunks: Chunk[]): void {
  expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
  for (const c of chunks) {
    expect(c.text).toBe(doc.text.slice(c.start, c.end));
    expect(c.end).toBeGreaterThan(c.start);
    expect(c.text).toBe(c.text.trim());
  }
  for (let i = 1; i < chunks.length; i++) {
    expect(chunks[i]!.start).toBeGreaterThan(chunks[i - 1]!.start);
    expect(chunks[i]!.end).toBeGreaterThan(chunks[i - 1]!.end);
  }
  const covered = new Uint8Array(doc.text.length);
  for (const c of chunks) covered.fill(1, c.start, c.end);
  const missed = [...doc.text].flatMap((ch, i) => (!/\s/.test(ch) && !covered[i] ? [i] : []));
  expect(missed, `uncovered text at ${missed[0]}: ${JSON.stringify(doc.text.slice(missed[0], (missed[0] ?? 0) + 40))}`).toEqual([]);
}

/** Chunk edges fall on block edges or, inside a block, on sentence edges. */
function checkCutPoints(doc: CleanedDocument, chunks: Chunk[]): void {
  for (const c of chunks) {
    for (const [offset, side] of [
      [c.start, 'start'],
      [c.end - 1, 'end'],
    ] as const) {
      const block = blockAt(doc, offset)!;
      expect(block, `offset ${offset}`).toBeDefined();
      const spans = sentenceSpans(doc.text, block.start, block.end);
      const edges = side === 'start' ? [block.start, ...spans.map((s) => s.start)] : [block.end, ...spans.map((s) => s.end)];
      expect(edges, `chunk ${c.ordinal} ${side} cuts a sentence`).toContain(side === 'start' ? c.start : c.end);
    }
  }
}

/**
 * Overlap: a chunk repeats the previous chunk's last whole sentences (never its first one), at
 * most overlapChars of them, as many as fit; and only inside a section, never before a heading.
 */
function checkOverlap(doc: CleanedDocument, chunks: Chunk[], opts: ChunkOptions): void {
  const headingStarts = new Set(doc.blocks.filter((b) => b.kind === 'heading').map((b) => b.start));
  for (let i = 1; i < chunks.length; i++) {
    const prev = chunks[i - 1]!;
    const c = chunks[i]!;
    const own = ownStart(doc, chunks, i);
    const prevSentences = sentenceSpans(doc.text, ownStart(doc, chunks, i - 1), prev.end);
    const repeated = prev.end - c.start;
    const eligible = opts.overlapChars > 0 && !headingStarts.has(own) && prevSentences.length >= 2;
    if (c.start < prev.end) {
      expect(eligible, `chunk ${i} overlaps although it may not`).toBe(true);
      expect(repeated).toBeLessThanOrEqual(opts.overlapChars);
      const k = prevSentences.findIndex((s) => s.start === c.start);
      expect(k, `chunk ${i} starts mid-sentence in the overlap`).toBeGreaterThanOrEqual(1);
      // Greedy: one more sentence would not have fitted (or would have been the first one).
      if (k >= 2) expect(prev.end - prevSentences[k - 1]!.start).toBeGreaterThan(opts.overlapChars);
    } else if (eligible) {
      // No overlap although allowed: even the last sentence alone is longer than overlapChars.
      expect(prev.end - prevSentences.at(-1)!.start).toBeGreaterThan(opts.overlapChars);
    }
  }
}

/** Own text, without leading headings and a carried list lead-in, stays within the target, unless it is one long sentence. */
function checkSizes(doc: CleanedDocument, chunks: Chunk[], opts: ChunkOptions): void {
  chunks.forEach((c, i) => {
    let from = ownStart(doc, chunks, i);
    for (;;) {
      const bi = doc.blocks.findIndex((b) => b.start === from);
      const b = doc.blocks[bi];
      const next = doc.blocks[bi + 1];
      const leadIn = b && b.text.endsWith(':') && next !== undefined && next.start < c.end;
      if (!b || !(b.kind === 'heading' || leadIn) || b.end >= c.end) break;
      from = next!.start;
    }
    const rest = doc.text.slice(from, c.end);
    if (rest.length > opts.targetChars) {
      expect(sentenceSpans(rest), `chunk ${i} is ${rest.length} chars`).toHaveLength(1);
    }
  });
}

/** A heading opens a chunk: only other headings may precede it in that chunk. */
function checkHeadingsStartChunks(doc: CleanedDocument, chunks: Chunk[]): void {
  for (const h of doc.blocks.filter((b) => b.kind === 'heading')) {
    const c = chunks.find((x) => x.start <= h.start && h.start < x.end);
    expect(c, `heading "${h.text}" in no chunk`).toBeDefined();
    const before = doc.blocks.filter((b) => b.start >= c!.start && b.end <= h.start);
    expect(before.every((b) => b.kind === 'heading'), `"${h.text}" is not at the start of chunk ${c!.ordinal}`).toBe(true);
    expect(blockAt(doc, c!.start)?.kind).toBe('heading');
  }
}

/** The headings above a chunk's first non-heading block, outermost first. */
function expectedHeadingPath(doc: CleanedDocument, chunk: Chunk, own: number): string[] {
  const stack: Block[] = [];
  for (const b of doc.blocks) {
    if (b.kind === 'heading') {
      while (stack.length > 0 && stack.at(-1)!.level >= b.level) stack.pop();
      stack.push(b);
    } else if (b.end > own && b.start < chunk.end) {
      break;
    }
  }
  return stack.map((b) => b.text);
}

/** A lead-in ("... include:") never ends a chunk without what it introduces (unless a heading follows it). */
function checkLeadInsNotDangling(doc: CleanedDocument, chunks: Chunk[]): void {
  doc.blocks.forEach((b, i) => {
    const next = doc.blocks[i + 1];
    if (!b.text.endsWith(':') || !next || next.kind === 'heading') return;
    expect(chunks.some((c) => c.end === b.end), `lead-in "${b.text}" ends a chunk`).toBe(false);
  });
}

function checkAll(doc: CleanedDocument, opts: ChunkOptions): Chunk[] {
  const chunks = chunkDocument(doc, opts);
  expect(chunks.length).toBeGreaterThan(0);
  checkOffsetsAndCoverage(doc, chunks);
  checkCutPoints(doc, chunks);
  checkOverlap(doc, chunks, opts);
  checkSizes(doc, chunks, opts);
  checkHeadingsStartChunks(doc, chunks);
  checkLeadInsNotDangling(doc, chunks);
  chunks.forEach((c, i) => expect(c.headingPath).toEqual(expectedHeadingPath(doc, c, ownStart(doc, chunks, i))));
  expect(chunkDocument(doc, opts)).toEqual(chunks);
  return chunks;
}

const label = (o: ChunkOptions) => `target ${o.targetChars}, overlap ${o.overlapChars}`;

// ---------------------------------------------------------------------------------------------

describe('chunking the bundled documents', () => {
  for (const key of CORPUS_KEYS) {
    for (const opts of SETTINGS) {
      it(`${key}, ${label(opts)}: offsets, coverage, cuts, overlap, sizes, headings`, () => {
        checkAll(cleanText(readCorpus(key)), opts);
      });
    }
  }

  it('keeps the fact sheet\'s "three lines of effort:" and its three items in one chunk', () => {
    const doc = cleanText(readCorpus('factSheet'));
    const lead = 'The plan is based on three lines of effort:';
    const list = [lead, ...THREE_LINES].join('\n\n');
    expect(list.length).toBe(136);
    for (const opts of SETTINGS.filter((o) => o.targetChars / 2 >= list.length)) {
      const holders = chunkDocument(doc, opts).filter((c) => c.text.includes(lead));
      expect(holders.length, label(opts)).toBeGreaterThanOrEqual(1);
      for (const c of holders) expect(c.text, label(opts)).toContain(list);
    }
  });

  it('lays out the fact sheet at the default settings as expected', () => {
    const doc = cleanText(readCorpus('factSheet'));
    const chunks = chunkDocument(doc, { targetChars: 900, overlapChars: 150 });
    expect(chunks).toHaveLength(4);
    expect(chunks.every((c) => c.headingPath.length === 0)).toBe(true);
    expect(chunks[0]!.text).toMatch(/^U\.S\. Department of State\n\nImplementation of the Conventional Arms Transfer \(CAT\) Policy\n\nFact Sheet/);
    // The second chunk repeats one sentence of the first, then the list with its lead-in.
    expect(chunks[1]!.text).toMatch(
      /^We are grateful for their cooperation in this process\.\n\nThe plan is based on three lines of effort:\n\nPrioritizing strategic competition\n\nOrganizing for success\n\nCreating conducive environments\n\nThe tasks we will undertake/,
    );
    expect(chunks[0]!.text.endsWith('We are grateful for their cooperation in this process.')).toBe(true);
    expect(chunks[3]!.text).toMatch(/^For further information/);
  });

  it('files the mission statement under its heading, the letterhead under none', () => {
    const chunks = chunkDocument(cleanText(readCorpus('mission')), { targetChars: 900, overlapChars: 150 });
    expect(chunks[0]!.text).toBe('U.S. Department of State\n\nOffice of Conventional Arms Threat Reduction (ISN/CATR)');
    expect(chunks[0]!.headingPath).toEqual([]);
    expect(chunks[1]!.text.startsWith('MISSION STATEMENT\n\nThis office assumes')).toBe(true);
    for (const c of chunks.slice(1)) expect(c.headingPath).toEqual(['MISSION STATEMENT']);
    expect(chunks.at(-1)!.text.endsWith('Director: Chris Kessler')).toBe(true);
  });

  it('repeats no text when overlapChars is 0', () => {
    for (const key of CORPUS_KEYS) {
      const chunks = chunkDocument(cleanText(readCorpus(key)), { targetChars: 400, overlapChars: 0 });
      for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.start).toBeGreaterThanOrEqual(chunks[i - 1]!.end);
    }
  });
});

describe('chunking a long synthetic document', () => {
  const doc = cleanText(syntheticDocument());

  it('is the document the test means: headings, a long paragraph, lists', () => {
    expect(doc.blocks.filter((b) => b.kind === 'heading').map((b) => [b.level, b.text])).toEqual([
      [1, 'Part Alpha'],
      [2, 'Section Alpha One'],
      [2, 'Section Alpha Two'],
      [1, 'Part Beta'],
      [3, 'Deep Beta Notes'],
      [2, 'Section Beta One'],
      [1, 'Part Gamma'],
      [2, 'Gamma Overview'],
    ]);
    expect(doc.blocks.filter((b) => b.kind === 'item')).toHaveLength(17);
    expect(Math.max(...doc.blocks.map((b) => b.end - b.start))).toBeGreaterThan(3000);
    expect(doc.text.length).toBeGreaterThan(15_000);
  });

  for (const opts of SETTINGS) {
    it(`${label(opts)}: offsets, coverage, cuts, overlap, sizes, headings`, () => {
      checkAll(doc, opts);
    });

    it(`${label(opts)}: every chunk's heading path matches the section its text comes from`, () => {
      for (const c of chunkDocument(doc, opts)) {
        const tags = new Set(c.text.match(/\btag[a-z]+\b/g) ?? []);
        expect(tags.size, `chunk ${c.ordinal} mixes sections: ${[...tags].join(', ')}`).toBe(1);
        expect(c.headingPath).toEqual(SECTION_PATHS[[...tags][0]!]);
      }
    });

    it(`${label(opts)}: the over-long paragraph is split at sentence boundaries into several chunks`, () => {
      const long = doc.blocks.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      const inside = chunkDocument(doc, opts).filter((c) => c.start < long.end && c.end > long.start);
      expect(inside.length).toBeGreaterThanOrEqual(Math.ceil((long.end - long.start) / opts.targetChars));
      const starts = new Set(sentenceSpans(doc.text, long.start, long.end).map((s) => s.start));
      const ends = new Set(sentenceSpans(doc.text, long.start, long.end).map((s) => s.end));
      for (const c of inside) {
        if (c.start > long.start) expect(starts.has(c.start), `chunk ${c.ordinal} starts mid-sentence`).toBe(true);
        if (c.end < long.end) expect(ends.has(c.end), `chunk ${c.ordinal} ends mid-sentence`).toBe(true);
      }
    });
  }

  it('keeps a short list with its lead-in, and starts a long list\'s chunk with its lead-in', () => {
    const chunks = chunkDocument(doc, { targetChars: 900, overlapChars: 150 });
    const shortList =
      'Statement 99 of tagalphaone lists three goals:\n\nFaster reviews for tagalphaone.\n\nBetter oversight for tagalphaone.\n\nFewer delays for tagalphaone.';
    expect(chunks.some((c) => c.text.includes(shortList))).toBe(true);
    const longLead = 'Statement 98 of tagalphatwo sets out the duties of the office:';
    const withLead = chunks.filter((c) => c.text.includes(longLead));
    expect(withLead.length).toBeGreaterThanOrEqual(1);
    for (const c of withLead) expect(c.text).toContain(`${longLead}\n\nDuty 1 of tagalphatwo:`);
  });

  it('gives a sentence longer than the target a chunk of its own rather than cutting it', () => {
    const opts = { targetChars: 250, overlapChars: 0 };
    const long = LONG_SENTENCE;
    expect(long.length).toBeGreaterThan(250);
    expect(sentenceSpans(long)).toHaveLength(1);
    const holder = chunkDocument(doc, opts).find((c) => c.text.includes(long))!;
    expect(holder).toBeDefined();
    // Only its heading comes with it.
    expect(holder.text).toBe(`Section Alpha Two\n\n${long}`);
  });
});

describe('chunkDocument edge cases', () => {
  it('returns no chunks for an empty document', () => {
    expect(chunkDocument(cleanText(''), { targetChars: 900, overlapChars: 150 })).toEqual([]);
  });

  it('returns one chunk for a short document', () => {
    const doc = cleanText('# Title\n\nOne short paragraph.');
    expect(chunkDocument(doc, { targetChars: 900, overlapChars: 150 })).toEqual([
      { ordinal: 0, headingPath: ['Title'], text: 'Title\n\nOne short paragraph.', start: 0, end: doc.text.length },
    ]);
  });

  it('keeps consecutive headings together with the text under them', () => {
    const doc = cleanText('# A\n\n## B\n\n### C\n\nText under C.\n\n## D\n\nText under D.');
    const chunks = chunkDocument(doc, { targetChars: 900, overlapChars: 150 });
    expect(chunks.map((c) => [c.text, c.headingPath])).toEqual([
      ['A\n\nB\n\nC\n\nText under C.', ['A', 'B', 'C']],
      ['D\n\nText under D.', ['A', 'D']],
    ]);
  });
});
