import { z } from 'zod';
import { toVector } from '../db/documents.ts';
import type { Db, Queryable } from '../db/types.ts';
import { AppError } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { analyzeQuery, type QueryAnalysis } from './query.ts';
import { STOPWORDS } from './tokens.ts';

/** RRF's k: 60 is the constant from Cormack et al. and what most hybrid search systems use. */
export const RRF_K = 60;
/** How many candidates each ranker contributes before fusion. */
const CANDIDATES = 50;
/** Full-text ranking scores at most this many matches, so a question of only common words stays cheap at scale. */
const FTS_RANK_CAP = 5000;
/** Sum of the document frequencies of the words full-text candidates are drawn from (see candidateLexemes). */
export const FTS_CANDIDATE_BUDGET = 2000;

/** A possibly partial date bound: YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date. */
const partialDate = z
  .string()
  .regex(/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/, 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD')
  .refine((d) => {
    const [y, m = 1, day = 1] = d.split('-').map(Number) as [number, number?, number?];
    const t = new Date(Date.UTC(y, m - 1, day));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
  }, 'not a calendar date');

/** The first day a partial date can mean ("2023" → 2023-01-01, "2023-02" → 2023-02-01). */
export function firstDayOf(d: string): string {
  return d.length === 4 ? `${d}-01-01` : d.length === 7 ? `${d}-01` : d;
}

/** The last day a partial date can mean ("2023" → 2023-12-31, "2023-02" → 2023-02-28). */
export function lastDayOf(d: string): string {
  if (d.length === 4) return `${d}-12-31`;
  if (d.length === 7) {
    const [y, m] = d.split('-').map(Number) as [number, number];
    return `${d}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  }
  return d;
}
export const searchFiltersSchema = z
  .object({
    documentIds: z.array(z.string().min(1)).optional(),
    /** Documents left out of answers (withdrawn ones: src/search/versions.ts). */
    excludeDocumentIds: z.array(z.string().min(1)).optional(),
    /** On or after (a partial bound means its first day). */
    from: partialDate.transform(firstDayOf).optional(),
    /** On or before (a partial bound means its last day). */
    to: partialDate.transform(lastDayOf).optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: '"from" must not be after "to"' });
export type SearchFilters = z.infer<typeof searchFiltersSchema>;

import type { Passage, PassageDocument } from '../domain/passage.ts';

export type { Passage, PassageDocument };

/**
 * Reciprocal rank fusion: each list votes 1/(k + position). Ties go to the passage with the
 * better single best position, then to the smaller id, so equal inputs always give equal output.
 */
export function reciprocalRankFusion(
  lists: string[][],
  k = RRF_K,
  weights: number[] = lists.map(() => 1),
): Array<{ id: string; score: number; best: number }> {
  const acc = new Map<string, { score: number; best: number }>();
  for (const [li, list] of lists.entries()) {
    const w = weights[li] ?? 1;
    list.forEach((id, i) => {
      const e = acc.get(id) ?? { score: 0, best: Number.POSITIVE_INFINITY };
      e.score += w / (k + i + 1);
      e.best = Math.min(e.best, i + 1);
      acc.set(id, e);
    });
  }
  return [...acc.entries()]
    .map(([id, e]) => ({ id, ...e }))
    .sort((a, b) => b.score - a.score || a.best - b.best || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Natural-language questions become an OR of their content words: websearch_to_tsquery would
 * otherwise AND them and miss every passage that lacks one word. Queries that already use
 * search syntax (quotes, OR, -exclusion) are passed through untouched.
 */
export function toWebsearchQuery(query: string): string {
  if (/"|\bOR\b|(^|\s)-[\p{L}\p{N}]/u.test(query)) return query;
  const words = (query.match(/[\p{L}\p{N}][\p{L}\p{N}'’./-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? []).filter(
    (w) => !STOPWORDS.has(w.toLowerCase()) && !['or', 'and', 'not'].includes(w.toLowerCase()),
  );
  return words.join(' or ');
}

function filterSql(filters: SearchFilters | undefined, params: unknown[]): string {
  const clauses: string[] = [];
  if (filters?.documentIds?.length) {
    params.push(filters.documentIds);
    clauses.push(`c.document_id = ANY($${params.length}::text[])`);
  }
  if (filters?.excludeDocumentIds?.length) {
    params.push(filters.excludeDocumentIds);
    clauses.push(`c.document_id <> ALL($${params.length}::text[])`);
  }
  // Dates are the documents' as answers show them (document_view): the catalog's issued date
  // where one is supplied, else the date the text states. A partial date ("2023-02") spans its
  // days and passes when any of them is within the bounds; an undated document never passes.
  if (filters?.from || filters?.to) {
    const bounds: string[] = [];
    if (filters.from) {
      params.push(filters.from);
      bounds.push(`date_to >= $${params.length}::date`);
    }
    if (filters.to) {
      params.push(filters.to);
      bounds.push(`date_from <= $${params.length}::date`);
    }
    clauses.push(`c.document_id = ANY(ARRAY(SELECT id FROM document_view WHERE ${bounds.join(' AND ')}))`);
  }
  return clauses.map((c) => ` AND ${c}`).join('');
}

/** BM25 saturation and length normalisation; b is low because chunks are already of similar size. */
const BM25_K1 = 1.2;
const BM25_B = 0.4;
const BM25_AVG_CHARS = 800;

/** A tsquery matching any of these lexemes exactly (quoted: no stemming, no operators inside). */
export function anyLexemeQuery(lexemes: string[]): string {
  return lexemes.map((l) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' | ');
}

/**
 * Which of the question's lexemes to draw full-text candidates from. Scoring costs about 50 µs a
 * matching chunk (its tsvector is unnested), and at 200,000 chunks a question's common words
 * ("approved", "policy") match tens of thousands; a plain LIMIT would then keep whichever matches
 * come first on disk, usually without the passage that has the rare words. So when the words'
 * document frequencies add up to more than the budget, candidates must contain at least one of
 * the rarest words, taken rarest first while their frequencies fit the budget (always at least
 * one). A chunk with only common words scores little in BM25 anyway. Under the budget (every
 * question on a small corpus) nothing is restricted, so results are exactly the unrestricted ones.
 * Returns null for no restriction.
 */
export function candidateLexemes(terms: Array<{ lexeme: string; df?: number }>, budget = FTS_CANDIDATE_BUDGET): string[] | null {
  if (terms.some((t) => t.df === undefined)) return null;
  const byRarity = [...terms].sort((a, b) => a.df! - b.df! || (a.lexeme < b.lexeme ? -1 : 1));
  if (byRarity.reduce((n, t) => n + t.df!, 0) <= budget) return null;
  const chosen: string[] = [];
  let sum = 0;
  for (const t of byRarity) {
    if (chosen.length > 0 && sum + t.df! > budget) break;
    chosen.push(t.lexeme);
    sum += t.df!;
  }
  return chosen;
}

/**
 * Full-text candidates: matches of websearch_to_tsquery (an OR of the question's words and
 * thesaurus additions), ranked by BM25 over the question's idf-weighted lexemes so a rare word
 * ("offsets") outweighs one every chunk has ("policy"); ts_rank_cd (cover density: the words
 * close together) breaks ties. Body words count fully, title/heading words (weight B) half.
 * The candidate set is bounded: see candidateLexemes, and at most FTS_RANK_CAP chunks are scored.
 */
export async function fullTextCandidates(
  db: Queryable,
  analysis: QueryAnalysis,
  filters?: SearchFilters,
  limit = CANDIDATES,
  options: { budget?: number } = {},
): Promise<string[]> {
  const text = analysis.searchText ?? analysis.question;
  const userSyntax = toWebsearchQuery(text) === text;
  const ws = userSyntax ? text : toWebsearchQuery([text, ...analysis.expansions.map((e) => e.add)].join(' '));
  if (!ws.trim() || analysis.rankTerms.length === 0) return [];
  const params: unknown[] = [ws, analysis.rankTerms.map((t) => t.lexeme), analysis.rankTerms.map((t) => t.weight)];
  const restrict = candidateLexemes(analysis.rankTerms, options.budget);
  let rare = '';
  if (restrict) {
    params.push(anyLexemeQuery(restrict));
    rare = ` AND c.tsv @@ $${params.length}::tsquery`;
  }
  const where = filterSql(filters, params);
  params.push(FTS_RANK_CAP, limit);
  const rows = await db.query<{ id: string }>(
    `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
          terms AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS t(lexeme, idf)),
          hits AS MATERIALIZED (
            SELECT c.id, c.tsv, length(c.body) AS len FROM chunks c, q
             WHERE c.tsv @@ q.q${rare}${where}
             LIMIT $${params.length - 1}),
          scored AS MATERIALIZED (
            SELECT h.id, sum(t.idf * u.tf * ${BM25_K1 + 1} / (u.tf + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * h.len / ${BM25_AVG_CHARS}.0))) AS bm25
              FROM hits h
              CROSS JOIN LATERAL (
                SELECT x.lexeme, (SELECT sum(CASE w WHEN 'A' THEN 1.0 ELSE 0.5 END) FROM unnest(x.weights) AS w) AS tf
                  FROM unnest(h.tsv) AS x) u
              JOIN terms t ON t.lexeme = u.lexeme
             GROUP BY h.id),
          -- ts_rank_cd only breaks ties, so it is computed only for rows that can still make the cut.
          cut AS (SELECT min(bm25) AS bm25 FROM (SELECT bm25 FROM scored ORDER BY bm25 DESC LIMIT $${params.length}) top)
     SELECT s.id FROM scored s JOIN hits h ON h.id = s.id, q, cut
      WHERE s.bm25 >= cut.bm25
      ORDER BY s.bm25 DESC, ts_rank_cd(h.tsv, q.q, 1) DESC, s.id
      LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => r.id);
}

/**
 * hnsw.ef_search on Postgres: how many candidates the HNSW search keeps. pgvector's default (40)
 * is below CANDIDATES, and an HNSW scan never returns more rows than ef_search, so the vector list
 * came back short. Measured at 209,000 chunks (bench/large-corpus.ts, README "Scale"): recall@10
 * against exact search 75% at 40, 86% at 100, 92% at 200, 96% at 400, for 3-11 ms a query.
 */
export const HNSW_EF_SEARCH = 200;

const pgvectorVersions = new WeakMap<object, Promise<number[]>>();
/** The server's pgvector version, asked once per store. */
function pgvectorVersion(db: Db): Promise<number[]> {
  let v = pgvectorVersions.get(db);
  if (!v) {
    v = db
      .query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")
      .then((rows) => (rows[0]?.v ?? '0').split('.').map((x) => Number.parseInt(x, 10) || 0));
    pgvectorVersions.set(db, v);
  }
  return v;
}

const isPostgresDb = (db: Queryable): db is Db => 'transaction' in db && (db as Db).kind === 'postgres';

export async function vectorCandidates(
  db: Queryable,
  vector: number[],
  filters?: SearchFilters,
  limit = CANDIDATES,
  options: { efSearch?: number } = {},
): Promise<Array<{ id: string; distance: number }>> {
  const dims = vector.length;
  if (!Number.isInteger(dims) || dims < 1) throw new AppError('internal', 'empty query vector');
  const params: unknown[] = [toVector(vector)];
  const where = filterSql(filters, params);
  params.push(limit);
  // The cast to vector(N) matches the per-dimension HNSW index expression on Postgres.
  const sql = `SELECT c.id, (c.embedding::vector(${dims}) <=> $1::vector(${dims}))::float8 AS distance
       FROM chunks c JOIN documents d ON d.id = c.document_id
      WHERE c.embedding IS NOT NULL AND vector_dims(c.embedding) = ${dims}${where}
      ORDER BY c.embedding::vector(${dims}) <=> $1::vector(${dims})
      LIMIT $${params.length}`;
  let rows: Array<{ id: string; distance: number }>;
  if (isPostgresDb(db)) {
    // Settings for this statement only (SET LOCAL in its own transaction), so a pooled
    // connection never carries them elsewhere. With filters, pgvector 0.8's iterative scan
    // keeps searching the graph until enough rows pass them, instead of filtering one
    // ef_search-sized batch down to a few; results are re-sorted below, so relaxed order is fine.
    const [major = 0, minor = 0] = where === '' ? [] : await pgvectorVersion(db);
    const iterative = major > 0 || minor >= 8;
    const ef = Math.min(1000, Math.max(limit, options.efSearch ?? HNSW_EF_SEARCH));
    rows = await db.transaction(async (tx) => {
      await tx.query(
        `SELECT set_config('hnsw.ef_search', $1, true)${iterative ? ", set_config('hnsw.iterative_scan', 'relaxed_order', true)" : ''}`,
        [String(ef)],
      );
      return tx.query<{ id: string; distance: number }>(sql, params);
    });
  } else {
    rows = await db.query<{ id: string; distance: number }>(sql, params);
  }
  return rows
    .map((r) => ({ id: r.id, distance: Number(r.distance) }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
}

export async function loadPassages(db: Queryable, ids: string[]): Promise<Map<string, Omit<Passage, 'score' | 'ftsRank' | 'vectorRank' | 'vectorDistance'>>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{
    chunkId: string;
    documentId: string;
    ordinal: number;
    headingPath: string[];
    text: string;
    start: number;
    end: number;
    pageStart: number | null;
    pageEnd: number | null;
    pageBreaks: number[];
    ocrPages: number[];
    title: string;
    date: string | null;
    source: string;
    kind: string;
    issuingOffice: string | null;
  }>(
    `SELECT c.id AS "chunkId", c.document_id AS "documentId", c.ordinal, c.heading_path AS "headingPath", c.body AS text,
            c.start_offset AS start, c.end_offset AS "end", c.page_start AS "pageStart", c.page_end AS "pageEnd",
            c.page_breaks AS "pageBreaks", c.ocr_pages AS "ocrPages", d.title, d.published_on::text AS date, d.source, d.kind,
            d.issuing_office AS "issuingOffice"
       FROM chunks c JOIN documents d ON d.id = c.document_id
      WHERE c.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.chunkId,
      {
        chunkId: r.chunkId,
        documentId: r.documentId,
        ordinal: r.ordinal,
        headingPath: r.headingPath,
        text: r.text,
        start: r.start,
        end: r.end,
        pages: r.pageStart === null ? null : { first: r.pageStart, last: r.pageEnd ?? r.pageStart, breaks: r.pageBreaks, ocr: r.ocrPages },
        document: { id: r.documentId, title: r.title, date: r.date, source: r.source, kind: r.kind, issuingOffice: r.issuingOffice },
      },
    ]),
  );
}

export interface SearchOptions {
  k: number;
  filters?: SearchFilters;
}

/**
 * Hybrid retrieval: full-text and vector candidates fused by RRF, best first. An embedder whose
 * list has no vote (the hashing embedder: see its fusionWeight) cannot reorder the full-text
 * candidates, only follow them, so its search runs only when full-text search found fewer than k:
 * an exact vector scan is most of a question's time on PGlite (255 of 404 ms at 20,880 chunks).
 */
export async function hybridSearch(
  db: Queryable,
  embedder: Embedder,
  query: string | QueryAnalysis,
  options: SearchOptions,
): Promise<Passage[]> {
  const filters = options.filters ? searchFiltersSchema.parse(options.filters) : undefined;
  const analysis = typeof query === 'string' ? await analyzeQuery(db, query) : query;
  const vectorSearch = async () => vectorCandidates(db, (await embedder.embed([analysis.embedText]))[0]!, filters);
  let fts: string[];
  let vec: Array<{ id: string; distance: number }>;
  if (embedder.fusionWeight === 0) {
    fts = await fullTextCandidates(db, analysis, filters);
    vec = fts.length >= options.k ? [] : await vectorSearch();
  } else {
    [fts, vec] = await Promise.all([fullTextCandidates(db, analysis, filters), vectorSearch()]);
  }
  const fused = reciprocalRankFusion([fts, vec.map((v) => v.id)], RRF_K, [1, embedder.fusionWeight]).slice(0, options.k);
  const rows = await loadPassages(db, fused.map((f) => f.id));
  const out: Passage[] = [];
  for (const f of fused) {
    const row = rows.get(f.id);
    if (!row) continue;
    const vi = vec.findIndex((v) => v.id === f.id);
    const fi = fts.indexOf(f.id);
    out.push({
      ...row,
      score: f.score,
      ftsRank: fi === -1 ? null : fi + 1,
      vectorRank: vi === -1 ? null : vi + 1,
      vectorDistance: vi === -1 ? null : vec[vi]!.distance,
    });
  }
  return out;
}
