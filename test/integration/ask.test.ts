import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/domain/answer.ts';
import { loadConfig } from '../../src/config.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { analyzeQuery } from '../../src/search/query.ts';
import { understandQuestion } from '../../src/search/understand.ts';
import { fullTextCandidates, hybridSearch } from '../../src/search/retrieve.ts';
import { ask, createServices, ensureCorpus, type Services } from '../../src/app/services.ts';
import { BAKLAVA_QUESTION, CORPUS_FILES, CORPUS_IDS, THREE_LINES, THREE_LINES_QUESTION } from '../helpers/corpus.ts';
import { openTestDb } from '../helpers/db.ts';

let services: Services;

beforeAll(async () => {
  const db = await openTestDb();
  // An empty environment: extractive answers, default chunking and top-k, whatever the shell has set.
  services = await createServices(loadConfig({}), { db, embedder: new HashingEmbedder() });
});

afterAll(async () => {
  await services?.close();
});

/** Every citation must quote its passage verbatim, and the passage must be a stored chunk of the cited document. */
async function checkCitations(answer: Answer): Promise<void> {
  expect(answer.citations.map((c) => c.n)).toEqual(answer.citations.map((_, i) => i + 1));
  for (const c of answer.citations) {
    expect(c.quote.length).toBeGreaterThan(0);
    expect(c.passage).toContain(c.quote);
    const [row] = await services.db.query<{ body: string; documentId: string; title: string; date: string | null; source: string }>(
      `SELECT c.body, c.document_id AS "documentId", d.title, d.published_on::text AS date, d.source
         FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = $1`,
      [c.chunkId],
    );
    expect(row, `chunk ${c.chunkId} not stored`).toBeDefined();
    expect(row!.body).toBe(c.passage);
    // Title and date as the catalog gives them where it supplies them (dateSource says which).
    expect(c.document).toMatchObject({ id: row!.documentId, source: row!.source });
    expect(c.document.dateSource === 'catalog' || (c.document.date === row!.date && c.document.title === row!.title)).toBe(true);
    expect(answer.answer).toContain(`[${c.n}]`);
  }
}

describe('ingest → ask', () => {
  it('ingests the bundled corpus into an empty store and says so', async () => {
    const note = await ensureCorpus(services);
    expect(note).toMatch(/^The store was empty, so the bundled policy corpus was ingested first\. Ingested 5 document\(s\), \d+ chunk\(s\); 0 unchanged \(skipped\), 0 failed, in [\d.]+ s\.$/);
  });

  it('does nothing the second time', async () => {
    expect(await ensureCorpus(services)).toBeNull();
    const [row] = await services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
    expect(row!.n).toBe(5);
  });

  it('answers the three-lines-of-effort question from the July 2018 fact sheet, quoting all three lines', async () => {
    const answer = await ask(services, THREE_LINES_QUESTION);
    expect(answer.abstained).toBe(false);
    expect(answer.mode).toBe('extractive');
    expect(answer.question).toBe(THREE_LINES_QUESTION);
    expect(answer.citations.length).toBeGreaterThan(0);
    const fromFactSheet = answer.citations.filter((c) => c.document.id === CORPUS_IDS.factSheet);
    expect(fromFactSheet.length).toBeGreaterThan(0);
    expect(fromFactSheet[0]!.document).toEqual({
      id: CORPUS_IDS.factSheet,
      title: 'Implementation of the Conventional Arms Transfer (CAT) Policy',
      date: '2018-07-16',
      source: `ingest/corpus/${CORPUS_FILES.factSheet}`,
      status: null,
      dateSource: 'text',
    });
    const withLines = fromFactSheet.find((c) => THREE_LINES.every((l) => c.quote.includes(l)));
    expect(withLines, JSON.stringify(answer.citations.map((c) => c.quote))).toBeDefined();
    for (const l of THREE_LINES) expect(answer.answer).toContain(l);
    await checkCitations(answer);
  });

  it('abstains on a question the documents do not answer, with no citations', async () => {
    const answer = await ask(services, BAKLAVA_QUESTION);
    expect(answer).toEqual({
      question: BAKLAVA_QUESTION,
      answer: "The documents don't answer this. I found no passage in the ingested policy documents that addresses the question.",
      mode: 'extractive',
      abstained: true,
      citations: [],
      // How the question was read travels with every answer (ask --json shows it).
      query: expect.objectContaining({ text: BAKLAVA_QUESTION }),
    });
  });

  it('cites verbatim quotes of stored passages for other answerable questions', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['Where should stakeholders email comments on the 2018 arms transfer policy?', CORPUS_IDS.policy2018, /ArmsTransferProcess@state\.gov/i],
      ['Who is the Director of ISN/CATR?', CORPUS_IDS.mission, /^Director: Chris Kessler$/],
    ];
    for (const [question, documentId, expected] of cases) {
      const answer = await ask(services, question);
      expect(answer.abstained, question).toBe(false);
      expect(answer.citations.some((c) => c.document.id === documentId && expected.test(c.quote)), question).toBe(true);
      await checkCitations(answer);
    }
  });

  it('honours k and the document filter', async () => {
    const answer = await ask(services, THREE_LINES_QUESTION, { k: 3, filters: { documentIds: [CORPUS_IDS.factSheet] } });
    expect(answer.abstained).toBe(false);
    expect(answer.citations.every((c) => c.document.id === CORPUS_IDS.factSheet)).toBe(true);
    const elsewhere = await ask(services, THREE_LINES_QUESTION, { filters: { documentIds: [CORPUS_IDS.csis] } });
    expect(elsewhere.citations.some((c) => THREE_LINES.every((l) => c.quote.includes(l)))).toBe(false);
  });

  it('has exactly the JSON shape the front ends render', async () => {
    const answer = await ask(services, THREE_LINES_QUESTION);
    const json = JSON.parse(JSON.stringify(answer)) as Record<string, unknown>;
    expect(json).toEqual(answer);
    expect(Object.keys(json).sort()).toEqual(['abstained', 'answer', 'citations', 'mode', 'query', 'question']);
    expect(typeof json.answer).toBe('string');
    for (const c of answer.citations) {
      expect(Object.keys(c).sort()).toEqual(['chunkId', 'document', 'n', 'ocr', 'page', 'pageEnd', 'passage', 'quote', 'score', 'section']);
      expect(Object.keys(c.document).sort()).toEqual(['date', 'dateSource', 'id', 'source', 'status', 'title']);
      expect(typeof c.score).toBe('number');
      expect(c.score).toBeGreaterThan(0);
      expect(c.document.date === null || /^\d{4}(-\d{2}(-\d{2})?)?$/.test(c.document.date)).toBe(true);
      expect(c.chunkId).toMatch(new RegExp(`^${c.document.id}#\\d+$`));
    }
  });

  it('falls back to the vector list, in its order, where full-text search finds too little (misspellings)', async () => {
    const question = 'implementaton plann: thre linez of efort?';
    // Uncorrected: typo correction (understandQuestion) would let full-text search find most of them.
    const analysis = await analyzeQuery(services.db, await understandQuestion(services.db, question, { corrections: false }));
    const fts = await fullTextCandidates(services.db, analysis);
    expect(fts.length).toBeLessThan(5);
    const hits = await hybridSearch(services.db, services.embedder, analysis, { k: 5 });
    expect(hits).toHaveLength(5);
    const vectorOnly = hits.filter((h) => h.ftsRank === null);
    expect(vectorOnly.length).toBe(5 - fts.length);
    const ranks = vectorOnly.map((h) => h.vectorRank!);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // Character grams meet the misspelled words: the fact sheet's three lines of effort come up.
    expect(hits.some((h) => h.documentId === CORPUS_IDS.factSheet)).toBe(true);
  });

  it('answers the same question the same way twice', async () => {
    expect(await ask(services, THREE_LINES_QUESTION)).toEqual(await ask(services, THREE_LINES_QUESTION));
  });
});
