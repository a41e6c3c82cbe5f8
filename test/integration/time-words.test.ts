import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR, ingestPaths, sourceFor } from '../../ingest/pipeline.ts';
import { answerExtractively } from '../../src/answer/compose.ts';
import { questionRetriever } from '../../src/answer/retriever.ts';
import { applyCatalogs } from '../../src/catalog/catalog-file.ts';
import type { Db } from '../../src/db/types.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { analyzeQuery, coverage, lexemesOf } from '../../src/search/query.ts';
import { CORPUS_IDS } from '../helpers/corpus.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/**
 * "original", "previous", "old", "revised", "new", "latest", "in force" choose a version; they are
 * not what the question is about. A passage on the topic covers the question without them.
 */

let db: Db;
const embedder = new HashingEmbedder();

beforeAll(async () => {
  db = await openTestDb();
  await ingestPaths({ db, embedder, chunking: { targetChars: 900, overlapChars: 150 } }, [BUNDLED_CORPUS_DIR]);
  await applyCatalogs(db, [BUNDLED_CORPUS_DIR], { sourceFor });
});

afterAll(async () => {
  await db?.close();
});

describe(`time words in analyzeQuery (${dbLabel})`, () => {
  it('are not topic words for coverage, but still rank', async () => {
    for (const [question, time] of [
      ['What does the original policy say about human rights?', 'origin'],
      ['What does the revised policy say about human rights?', 'revis'],
      ['What does the old policy say about human rights?', 'old'],
      ['What does the previous policy say about human rights?', 'previous'],
      ['What does the new policy say about human rights?', 'new'],
      ['What does the latest policy say about human rights?', 'latest'],
    ] as const) {
      const a = await analyzeQuery(db, question);
      const topic = a.terms.map((t) => t.lexeme);
      expect(topic, question).not.toContain(time);
      expect(topic, question).toEqual(expect.arrayContaining(['human', 'right']));
      expect(a.rankTerms.map((t) => t.lexeme), question).toContain(time);
      // A sentence on the point, without the version word, covers the question fully.
      const [lexemes] = await lexemesOf(db, ['The policy promotes respect for human rights.']);
      expect(coverage(a, lexemes!), question).toBe(1);
    }
  });

  it('an ordinary word beside them still counts', async () => {
    const a = await analyzeQuery(db, 'What does the policy say about new technologies and renewal?');
    const topic = a.terms.map((t) => t.lexeme);
    expect(topic).not.toContain('new');
    expect(topic).toEqual(expect.arrayContaining(['technolog', 'renew']));
    const plain = await analyzeQuery(db, 'Which transfers to New Zealand are covered?');
    expect(plain.terms.map((t) => t.lexeme)).toContain('new');
  });

  it('"in force" is not a topic: the answer is about the point, from the current document', async () => {
    const a = await analyzeQuery(db, 'What human rights rules are in force?');
    expect(a.terms.map((t) => t.lexeme)).not.toContain('forc');
    const answer = await answerExtractively('What does the latest policy say about civilian harm?', [], questionRetriever({ db, embedder, k: 5 }));
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]!.document.id).toBe(CORPUS_IDS.policy2023);
    expect(answer.citations[0]!.quote.toLowerCase()).toContain('civilian harm');
  });

  it('a comparison topic of time words and a topic: only the topic is quoted on each side', async () => {
    const answer = await answerExtractively(
      'Compare how the 2018 policy and the 2023 policy treat the latest human rights rules',
      [],
      questionRetriever({ db, embedder, k: 5 }),
    );
    expect(answer.query?.comparison?.topic).toBe('human rights rules');
    expect(answer.comparison?.map((s) => s.document.id)).toEqual([CORPUS_IDS.policy2018, CORPUS_IDS.policy2023]);
  });
});
