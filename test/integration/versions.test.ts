import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR, ingestPaths, sourceFor } from '../../ingest/pipeline.ts';
import { diffDocuments } from '../../src/answer/compare.ts';
import { answerExtractively } from '../../src/answer/compose.ts';
import { questionRetriever } from '../../src/answer/retriever.ts';
import { applyCatalogs } from '../../src/catalog/catalog-file.ts';
import { setDocumentFacts, unsetDocumentFact } from '../../src/catalog/facts.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import type { Answer } from '../../src/domain/answer.ts';
import type { UnderstoodQuery } from '../../src/domain/query.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { CORPUS_IDS } from '../helpers/corpus.ts';
import { openTestDb } from '../helpers/db.ts';

let db: Db;
const embedder = new HashingEmbedder();
const config = loadConfig({});

beforeAll(async () => {
  db = await openTestDb();
  await ingestPaths({ db, embedder, chunking: config.chunking }, [BUNDLED_CORPUS_DIR]);
  await applyCatalogs(db, [BUNDLED_CORPUS_DIR], { sourceFor });
});

afterAll(async () => {
  await db?.close();
});

async function ask(question: string): Promise<Answer & { understood: UnderstoodQuery }> {
  let understood: UnderstoodQuery | undefined;
  const answer = await answerExtractively(question, [], questionRetriever({ db, embedder, k: 5, onUnderstood: (u) => (understood = u) }));
  return Object.assign(answer, { understood: understood! });
}

/** Every quote is verbatim in its passage, every citation's document carries its status and date source. */
function checkCitations(a: Answer): void {
  expect(a.citations.map((c) => c.n)).toEqual(a.citations.map((_, i) => i + 1));
  for (const c of a.citations) {
    expect(c.passage).toContain(c.quote);
    expect(c.document).toHaveProperty('status');
    expect(c.document).toHaveProperty('dateSource');
    expect(a.answer).toContain(`[${c.n}]`);
  }
}

describe('version-aware look-ups', () => {
  it('an answer citing the superseded 2018 policy says so, names what supersedes it, and cites the current document on the point', async () => {
    const a = await ask('What does the 2018 policy say about human rights?');
    checkCitations(a);
    const from2018 = a.citations.filter((c) => c.document.id === CORPUS_IDS.policy2018);
    expect(from2018.length).toBeGreaterThan(0);
    expect(from2018[0]!.document).toMatchObject({ status: 'superseded', dateSource: 'text', date: '2018-04-19' });
    const note = a.versions?.find((v) => v.document.id === CORPUS_IDS.policy2018);
    expect(note).toBeDefined();
    expect(note!.supersededBy.map((d) => d.id)).toEqual([CORPUS_IDS.policy2023]);
    expect(a.answer).toContain('superseded by "The U.S. Conventional Arms Transfer Policy" (issued Feb 2023 (catalog))');
    // The current document covers human rights: it is cited too, by the code.
    expect(note!.added.length).toBeGreaterThan(0);
    for (const n of note!.added) expect(a.citations[n - 1]!.document).toMatchObject({ id: CORPUS_IDS.policy2023, status: 'current', dateSource: 'catalog', date: '2023-02' });
  });

  it('current intent cites the current document first; no superseded warning is needed when it is all current', async () => {
    const a = await ask('What is the current policy on human rights?');
    checkCitations(a);
    expect(a.understood.time.current).toBe(true);
    expect(a.citations[0]!.document.id).toBe(CORPUS_IDS.policy2023);
  });

  it('a year prefers documents of that year; no time scope changes no order', async () => {
    const plain = await ask('What does the policy say about human rights?');
    const y2018 = await ask('What did the policy say about human rights in 2018?');
    checkCitations(y2018);
    // The 2023 revision only comes in as the current document beside a superseded quote, never as the answer itself.
    const added = new Set((y2018.versions ?? []).flatMap((v) => v.added));
    const own = y2018.citations.filter((c) => !added.has(c.n));
    expect(own.length).toBeGreaterThan(0);
    expect(own.map((c) => c.document.id)).not.toContain(CORPUS_IDS.policy2023);
    expect(plain.citations.map((c) => c.document.id)).toContain(CORPUS_IDS.policy2023);
    expect(plain.understood.time.current || plain.understood.time.years.length > 0).toBe(false);
  });

  it('a withdrawn document is left out of answers and kept with its history', async () => {
    await setDocumentFacts(db, CORPUS_IDS.factSheet, { status: 'withdrawn' }, 'cli:test');
    try {
      const a = await ask('What are the three lines of effort in the implementation plan?');
      expect(a.citations.map((c) => c.document.id)).not.toContain(CORPUS_IDS.factSheet);
    } finally {
      await unsetDocumentFact(db, CORPUS_IDS.factSheet, 'status', 'cli:test');
    }
    const back = await ask('What are the three lines of effort in the implementation plan?');
    expect(back.citations.map((c) => c.document.id)).toContain(CORPUS_IDS.factSheet);
  });
});

describe('status questions are answered from the catalog', () => {
  it('"is X still in effect": no, superseded by the revision, citing the facts and both documents', async () => {
    const a = await ask('Is the 2018 arms transfer policy still in effect?');
    expect(a.understood.kind).toBe('status');
    checkCitations(a);
    // What is in force now comes first: the current document, then the one asked about.
    expect(a.answer).toMatch(/^No\. "The U\.S\. Conventional Arms Transfer Policy" \(issued Feb 2023 \(catalog\)\) \[1\], which is current, supersedes "U\.S\. Conventional Arms Transfer Policy" \(dated Apr 19, 2018\) \[2\]\./);
    expect(a.citations.map((c) => c.document.id)).toEqual([CORPUS_IDS.policy2023, CORPUS_IDS.policy2018]);
    expect(a.facts).toContainEqual(expect.objectContaining({ documentId: CORPUS_IDS.policy2023, field: 'supersedes', setBy: 'catalog:ingest/corpus/catalog.yml' }));
    expect(a.facts).toContainEqual(expect.objectContaining({ documentId: CORPUS_IDS.policy2018, field: 'status', value: 'superseded', setBy: 'relation' }));
  });

  it('"which policy is current", "when was X issued", "what replaced X"', async () => {
    const current = await ask('Which policy is current?');
    checkCitations(current);
    expect(current.citations[0]!.document.id).toBe(CORPUS_IDS.policy2023);
    expect(current.answer).toContain('is current');

    const issued = await ask('When was the revised CAT policy issued?');
    checkCitations(issued);
    expect(issued.answer).toContain('the catalog gives its issue date as Feb 2023; its text states no date');
    expect(issued.facts).toContainEqual(expect.objectContaining({ field: 'issued', value: '2023-02' }));

    const dated = await ask('When was the 2018 policy issued?');
    expect(dated.answer).toContain('the document itself is dated Apr 19, 2018');
    expect(dated.citations[0]!.quote).toMatch(/April 19, 2018/);

    const replaced = await ask('What replaced the 2018 policy?');
    checkCitations(replaced);
    expect(replaced.answer).toMatch(/^"The U\.S\. Conventional Arms Transfer Policy" \(issued Feb 2023 \(catalog\)\) \[1\], which is current, superseded "U\.S\. Conventional Arms Transfer Policy" \(dated Apr 19, 2018\) \[2\]\./);
    expect(replaced.citations[0]!.document.id).toBe(CORPUS_IDS.policy2023);
  });

  it('a document with no recorded status is not said to be in force or replaced', async () => {
    const a = await ask('Is the ISN/CATR mission statement still in effect?');
    expect(a.understood.kind).toBe('status');
    expect(a.answer).toMatch(/records no status/);
    expect(a.answer).not.toMatch(/^(Yes|No)\b/);
  });
});

describe('comparisons are grouped by document', () => {
  it('"compare how A and B treat Z": each side quotes its own document, oldest first', async () => {
    const a = await ask('Compare how the 2018 policy and the 2023 revision treat human rights');
    expect(a.understood.kind).toBe('comparison');
    checkCitations(a);
    expect(a.comparison!.map((s) => s.document.id)).toEqual([CORPUS_IDS.policy2018, CORPUS_IDS.policy2023]);
    expect(a.comparison!.map((s) => [s.date, s.status])).toEqual([
      ['2018-04-19', 'superseded'],
      ['2023-02', 'current'],
    ]);
    for (const side of a.comparison!) {
      expect(side.silent).toBe(false);
      expect(side.citations.length).toBeGreaterThan(0);
      for (const c of side.citations) {
        expect(c.document.id).toBe(side.document.id);
        expect(c.quote.toLowerCase()).toContain('human rights');
        expect(a.citations[c.n - 1]).toEqual(c);
      }
    }
  });

  it('a side that says nothing on the topic says so outright', async () => {
    const a = await ask('What is the difference between the 2018 and 2023 CAT policy on economic security?');
    expect(a.comparison).toHaveLength(2);
    const silent = a.comparison!.find((s) => s.silent);
    expect(silent).toBeDefined();
    expect(silent!.citations).toEqual([]);
    expect(a.answer).toContain(`says nothing on economic security`);
  });

  it('"what changed" with no topic: the themes each version stresses that the other does not, each with a quote', async () => {
    const a = await ask('What changed between the 2018 and 2023 policies?');
    checkCitations(a);
    expect(a.comparison!.map((s) => s.document.id)).toEqual([CORPUS_IDS.policy2018, CORPUS_IDS.policy2023]);
    for (const side of a.comparison!) {
      expect(side.themes!.length).toBeGreaterThan(0);
      for (const t of side.themes!) {
        const c = a.citations[t.n - 1]!;
        expect(c.document.id).toBe(side.document.id);
        expect(t.theme.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('docs diff', () => {
  it('sections and themes with verbatim quotes from each side', async () => {
    const d = await diffDocuments(db, CORPUS_IDS.policy2018, CORPUS_IDS.policy2023);
    expect(d.old.document).toMatchObject({ id: CORPUS_IDS.policy2018, status: 'superseded', dateSource: 'text' });
    expect(d.new.document).toMatchObject({ id: CORPUS_IDS.policy2023, status: 'current', dateSource: 'catalog', date: '2023-02' });
    for (const [side, id] of [
      [d.old, CORPUS_IDS.policy2018],
      [d.new, CORPUS_IDS.policy2023],
    ] as const) {
      expect(side.themes.length).toBeGreaterThan(0);
      for (const t of side.themes) {
        const c = d.citations[t.n - 1]!;
        expect(c.document.id).toBe(id);
        expect(c.passage).toContain(c.quote);
      }
    }
    // A theme one side stresses is a word the other side's text never uses.
    const [oldBody] = await db.query<{ body: string }>('SELECT body FROM documents WHERE id = $1', [CORPUS_IDS.policy2023]);
    const [lexemes] = await db.query<{ l: string[] }>("SELECT tsvector_to_array(to_tsvector('english', $1)) AS l", [oldBody!.body]);
    expect(d.old.themes.some((t) => !lexemes!.l.includes(t.terms[0]!))).toBe(true);
    await expect(diffDocuments(db, CORPUS_IDS.policy2018, 'nope')).rejects.toThrow(/No document "nope"/);
  });
});
