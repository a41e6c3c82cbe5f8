import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR, ingestPaths } from '../../ingest/pipeline.ts';
import type { Db, Queryable } from '../../src/db/index.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { readEvalSet } from '../../src/app/evaluate.ts';
import { analyzeQuery, type QueryAnalysis } from '../../src/search/query.ts';
import { anyLexemeQuery, candidateLexemes, fullTextCandidates, toWebsearchQuery, vectorCandidates } from '../../src/search/retrieve.ts';
import { CORPUS_IDS } from '../helpers/corpus.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

const embedder = new HashingEmbedder(384);
/** Small chunks: the bundled corpus then makes well over the 50 candidates a ranking returns. */
const CHUNKING = { targetChars: 200, overlapChars: 0 };

let db: Db & { label: string };
let questions: string[];

beforeAll(async () => {
  db = await openTestDb();
  await ingestPaths({ db, embedder, chunking: CHUNKING }, [BUNDLED_CORPUS_DIR]);
  questions = (await readEvalSet(path.join(import.meta.dirname, '..', 'fixtures', 'eval', 'questions.jsonl'))).map((q) => q.question);
});

afterAll(async () => {
  await db?.close();
});

/** The statistics against a recount from the chunks themselves: lexemes whose counts differ, and the chunk total. */
async function statsDrift(): Promise<{ differing: number; chunks: number; counted: number }> {
  const [r] = await db.query<{ differing: number; chunks: number; counted: number }>(
    `SELECT (SELECT count(*)::int FROM (SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks')) t
               FULL JOIN (SELECT * FROM lexeme_stats WHERE df <> 0) s ON s.lexeme = t.word
              WHERE coalesce(t.ndoc, 0) <> coalesce(s.df, 0)) AS differing,
            (SELECT chunks::int FROM chunk_stats) AS chunks,
            (SELECT count(*)::int FROM chunks) AS counted`,
  );
  return r!;
}

describe('document-frequency statistics', () => {
  it('match a recount after ingest', async () => {
    const drift = await statsDrift();
    expect(drift.counted).toBeGreaterThan(60);
    expect(drift).toEqual({ differing: 0, chunks: drift.counted, counted: drift.counted });
  });

  it('give every question the idf weights that counting matching chunks gives', async () => {
    const counted = async (a: QueryAnalysis) => {
      const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks')) as [{ n: number }];
      const out: number[] = [];
      for (const t of a.rankTerms) {
        const [{ df }] = (await db.query<{ df: number }>(
          'SELECT count(*)::int AS df FROM chunks WHERE tsv @@ quote_literal($1)::tsquery',
          [t.lexeme],
        )) as [{ df: number }];
        out.push(df);
        expect(t.df).toBe(df);
      }
      return { n, df: out };
    };
    for (const q of questions) {
      const a = await analyzeQuery(db, q);
      const { n, df } = await counted(a);
      const own = a.rankTerms.slice(0, a.terms.length);
      own.forEach((t, i) => expect(t.weight).toBeCloseTo(Math.log((n + 1) / (df[i]! + 0.5)), 12));
    }
  });

  it('follow replaced, updated and deleted chunks, in the writing transaction', async () => {
    const changed = { db, embedder, chunking: { targetChars: 350, overlapChars: 0 } };
    await ingestPaths(changed, [path.join(BUNDLED_CORPUS_DIR, '2018-07-16-cat-policy-implementation-fact-sheet.txt')]);
    expect((await statsDrift()).differing).toBe(0);

    await db.query(`UPDATE chunks SET body = body || ' zebraquagga' WHERE document_id = $1 AND ordinal = 0`, [CORPUS_IDS.mission]);
    expect(await db.query('SELECT df FROM lexeme_stats WHERE lexeme = $1', ['zebraquagga'])).toEqual([{ df: 1 }]);
    expect((await statsDrift()).differing).toBe(0);

    // A rolled-back write leaves them as they were.
    await expect(
      db.transaction(async (tx) => {
        await tx.query('DELETE FROM documents WHERE id = $1', [CORPUS_IDS.csis]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await statsDrift()).toMatchObject({ differing: 0 });

    await db.query('DELETE FROM documents WHERE id = $1', [CORPUS_IDS.csis]);
    const drift = await statsDrift();
    expect(drift).toEqual({ differing: 0, chunks: drift.counted, counted: drift.counted });
    expect(await db.query('SELECT df FROM lexeme_stats WHERE lexeme = $1', ['zebraquagga'])).toEqual([{ df: 1 }]);

    // Put the corpus back as the other tests expect it.
    await ingestPaths({ db, embedder, chunking: CHUNKING }, [BUNDLED_CORPUS_DIR]);
    await db.query(`UPDATE chunks SET body = replace(body, ' zebraquagga', '')`);
    expect(await statsDrift()).toMatchObject({ differing: 0 });
  });
});

describe('bounded full-text candidates', () => {
  it('quote lexemes so that each matches itself exactly, whatever its characters', async () => {
    for (const lexeme of ["it's", 'a\\b', 'x:y', 'u.s', 'end-us', '(and)', '&|!']) {
      const [r] = await db.query<{ self: boolean; other: boolean }>(
        `SELECT array_to_tsvector(ARRAY[$2]) @@ $1::tsquery AS self, array_to_tsvector(ARRAY['other']) @@ $1::tsquery AS other`,
        [anyLexemeQuery([lexeme]), lexeme],
      );
      expect(r, lexeme).toEqual({ self: true, other: false });
    }
  });

  /** The ranking as it was before bounding (no restriction, ts_rank_cd on every row): the reference. */
  async function reference(q: Queryable, a: QueryAnalysis): Promise<string[]> {
    const ws = toWebsearchQuery([a.question, ...a.expansions.map((e) => e.add)].join(' '));
    if (!ws.trim() || a.rankTerms.length === 0) return [];
    const rows = await q.query<{ id: string }>(
      `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
            terms AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS t(lexeme, idf)),
            hits AS (SELECT c.id, c.tsv, length(c.body) AS len FROM chunks c JOIN documents d ON d.id = c.document_id, q WHERE c.tsv @@ q.q),
            scored AS (
              SELECT h.id, sum(t.idf * u.tf * 2.2 / (u.tf + 1.2 * (1 - 0.4 + 0.4 * h.len / 800.0))) AS bm25
                FROM hits h CROSS JOIN LATERAL (
                  SELECT x.lexeme, (SELECT sum(CASE w WHEN 'A' THEN 1.0 ELSE 0.5 END) FROM unnest(x.weights) AS w) AS tf FROM unnest(h.tsv) AS x) u
                JOIN terms t ON t.lexeme = u.lexeme GROUP BY h.id)
       SELECT s.id FROM scored s JOIN hits h ON h.id = s.id, q ORDER BY s.bm25 DESC, ts_rank_cd(h.tsv, q.q, 1) DESC, s.id LIMIT 50`,
      [ws, a.rankTerms.map((t) => t.lexeme), a.rankTerms.map((t) => t.weight)],
    );
    return rows.map((r) => r.id);
  }

  it('under the budget rank exactly as the unbounded query did', async () => {
    for (const q of questions) {
      const a = await analyzeQuery(db, q);
      expect(candidateLexemes(a.rankTerms)).toBeNull();
      expect(await fullTextCandidates(db, a), q).toEqual(await reference(db, a));
    }
  });

  it('over the budget keep only chunks with one of the rarest words, in the same order as the full ranking', async () => {
    let restricted = 0;
    for (const q of questions) {
      const a = await analyzeQuery(db, q);
      const rare = candidateLexemes(a.rankTerms, 8);
      if (!rare) continue;
      restricted++;
      const full = await fullTextCandidates(db, a, undefined, 1000, { budget: Number.POSITIVE_INFINITY });
      const bounded = await fullTextCandidates(db, a, undefined, 1000, { budget: 8 });
      const withRare = new Set(
        (await db.query<{ id: string }>('SELECT id FROM chunks WHERE tsv @@ $1::tsquery', [anyLexemeQuery(rare)])).map((r) => r.id),
      );
      expect(bounded.length).toBeGreaterThan(0);
      expect(bounded, q).toEqual(full.filter((id) => withRare.has(id)));
    }
    expect(restricted).toBeGreaterThan(questions.length / 2);
  });
});

describe('vector candidates on Postgres', () => {
  /**
   * The store with sequential scans priced out, so the planner takes the HNSW index even on this
   * small table; it also records the HNSW settings each transaction ran with.
   */
  const settings: Array<{ ef: string; iterative: string }> = [];
  const viaIndex = (): Db => ({
    ...db,
    kind: db.kind,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    close: db.close.bind(db),
    transaction: (fn) =>
      db.transaction(async (tx) => {
        await tx.exec('SET LOCAL enable_seqscan = off');
        const result = await fn(tx);
        const [s] = await tx.query<{ ef: string; iterative: string }>(
          "SELECT current_setting('hnsw.ef_search') AS ef, current_setting('hnsw.iterative_scan') AS iterative",
        );
        settings.push(s!);
        return result;
      }),
  });

  it.runIf(dbLabel === 'postgres')('return all the candidates asked for through the HNSW index (pgvector stops at ef_search rows)', async () => {
    const [v] = await embedder.embed(['three lines of effort in the implementation plan']);
    const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks')) as [{ n: number }];
    expect(n).toBeGreaterThan(60);
    const plan = await viaIndex().transaction((tx) =>
      tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.embedding IS NOT NULL
          AND vector_dims(c.embedding) = 384 ORDER BY c.embedding::vector(384) <=> $1::vector(384) LIMIT 50`,
        [JSON.stringify(v)],
      ),
    );
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('Index Scan using chunks_embedding_hnsw_384');
    // pgvector's default ef_search (40) gave 40 here.
    expect(await vectorCandidates(viaIndex(), v!, undefined, 50)).toHaveLength(50);
    expect(settings.at(-1)).toEqual({ ef: '200', iterative: 'off' });
    await vectorCandidates(viaIndex(), v!, undefined, 50, { efSearch: 400 });
    expect(settings.at(-1)).toEqual({ ef: '400', iterative: 'off' });
  });

  it.runIf(dbLabel === 'postgres')('with a filter, use an iterative scan: keep searching the graph until enough rows pass it', async () => {
    const [v] = await embedder.embed(['three lines of effort in the implementation plan']);
    const [{ n }] = (await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.published_on >= '2018-07-01'`,
    )) as [{ n: number }];
    expect(n).toBeGreaterThan(10);
    const rows = await vectorCandidates(viaIndex(), v!, { from: '2018-07-01' }, 50);
    expect(rows).toHaveLength(Math.min(50, n));
    expect(settings.at(-1)).toEqual({ ef: '200', iterative: 'relaxed_order' });
    expect(new Set(rows.map((r) => r.id.split('#')[0]))).toEqual(new Set([CORPUS_IDS.factSheet]));
  });

  it('rank by exact cosine distance without an index (PGlite) and agree with it on Postgres', async () => {
    const [v] = await embedder.embed(['drones and missile technology control regime']);
    const rows = await vectorCandidates(db, v!, undefined, 10);
    const exact = await db.query<{ id: string }>(
      `SELECT id FROM chunks ORDER BY (embedding::vector(384) <=> $1::vector(384)), id LIMIT 10`,
      [JSON.stringify(v)],
    );
    expect(rows.map((r) => r.id)).toEqual(exact.map((r) => r.id));
  });
});
