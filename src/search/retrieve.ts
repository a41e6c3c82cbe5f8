import { z } from 'zod';
import { toVector } from '../db/documents.ts';
import type { Queryable } from '../db/types.ts';
import { AppError } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { analyzeQuery, type QueryAnalysis } from './query.ts';
import { STOPWORDS } from './tokens.ts';

/** RRF's k: 60 is the constant from Cormack et al. and what most hybrid search systems use. */
export const RRF_K = 60;
/** How many candidates each ranker contributes before fusion. */
const CANDIDATES = 50;
/** Full-text ranking looks at most this many matches, so a very common word stays cheap at scale. */
const FTS_RANK_CAP = 5000;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
export const searchFiltersSchema = z
  .object({
    documentIds: z.array(z.string().min(1)).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: '"from" must not be after "to"' });
export type SearchFilters = z.infer<typeof searchFiltersSchema>;

export interface PassageDocument {
  id: string;
  title: string;
  date: string | null;
  source: string;
  kind: string;
  issuingOffice: string | null;
}

export interface Passage {
  chunkId: string;
  documentId: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  start: number;
  end: number;
  document: PassageDocument;
  /** Fused RRF score. */
  score: number;
  /** 1-based positions in each ranking; null when the passage was not among its candidates. */
  ftsRank: number | null;
  vectorRank: number | null;
  vectorDistance: number | null;
}

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
  if (filters?.from) {
    params.push(filters.from);
    clauses.push(`d.published_on >= $${params.length}::date`);
  }
  if (filters?.to) {
    params.push(filters.to);
    clauses.push(`d.published_on <= $${params.length}::date`);
  }
  return clauses.map((c) => ` AND ${c}`).join('');
}

/** BM25 saturation and length normalisation; b is low because chunks are already of similar size. */
const BM25_K1 = 1.2;
const BM25_B = 0.4;
const BM25_AVG_CHARS = 800;

/**
 * Full-text candidates: matches of websearch_to_tsquery (an OR of the question's words and
 * thesaurus additions), ranked by BM25 over the question's idf-weighted lexemes so a rare word
 * ("offsets") outweighs one every chunk has ("policy"); ts_rank_cd (cover density: the words
 * close together) breaks ties. Body words count fully, title/heading words (weight B) half.
 */
export async function fullTextCandidates(
  db: Queryable,
  analysis: QueryAnalysis,
  filters?: SearchFilters,
  limit = CANDIDATES,
): Promise<string[]> {
  const userSyntax = toWebsearchQuery(analysis.question) === analysis.question;
  const ws = userSyntax ? analysis.question : toWebsearchQuery([analysis.question, ...analysis.expansions.map((e) => e.add)].join(' '));
  if (!ws.trim() || analysis.rankTerms.length === 0) return [];
  const params: unknown[] = [ws, analysis.rankTerms.map((t) => t.lexeme), analysis.rankTerms.map((t) => t.weight)];
  const where = filterSql(filters, params);
  params.push(FTS_RANK_CAP, limit);
  const rows = await db.query<{ id: string }>(
    `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
          terms AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS t(lexeme, idf)),
          hits AS (
            SELECT c.id, c.tsv, length(c.body) AS len FROM chunks c JOIN documents d ON d.id = c.document_id, q
             WHERE c.tsv @@ q.q${where}
             LIMIT $${params.length - 1}),
          scored AS (
            SELECT h.id, sum(t.idf * u.tf * ${BM25_K1 + 1} / (u.tf + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * h.len / ${BM25_AVG_CHARS}.0))) AS bm25
              FROM hits h
              CROSS JOIN LATERAL (
                SELECT x.lexeme, (SELECT sum(CASE w WHEN 'A' THEN 1.0 ELSE 0.5 END) FROM unnest(x.weights) AS w) AS tf
                  FROM unnest(h.tsv) AS x) u
              JOIN terms t ON t.lexeme = u.lexeme
             GROUP BY h.id)
     SELECT s.id FROM scored s JOIN hits h ON h.id = s.id, q
      ORDER BY s.bm25 DESC, ts_rank_cd(h.tsv, q.q, 1) DESC, s.id
      LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => r.id);
}

export async function vectorCandidates(
  db: Queryable,
  vector: number[],
  filters?: SearchFilters,
  limit = CANDIDATES,
): Promise<Array<{ id: string; distance: number }>> {
  const dims = vector.length;
  if (!Number.isInteger(dims) || dims < 1) throw new AppError('internal', 'empty query vector');
  const params: unknown[] = [toVector(vector)];
  const where = filterSql(filters, params);
  params.push(limit);
  // The cast to vector(N) matches the per-dimension HNSW index expression on Postgres.
  const rows = await db.query<{ id: string; distance: number }>(
    `SELECT c.id, (c.embedding::vector(${dims}) <=> $1::vector(${dims}))::float8 AS distance
       FROM chunks c JOIN documents d ON d.id = c.document_id
      WHERE c.embedding IS NOT NULL AND vector_dims(c.embedding) = ${dims}${where}
      ORDER BY c.embedding::vector(${dims}) <=> $1::vector(${dims})
      LIMIT $${params.length}`,
    params,
  );
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
    title: string;
    date: string | null;
    source: string;
    kind: string;
    issuingOffice: string | null;
  }>(
    `SELECT c.id AS "chunkId", c.document_id AS "documentId", c.ordinal, c.heading_path AS "headingPath", c.body AS text,
            c.start_offset AS start, c.end_offset AS "end", d.title, d.published_on::text AS date, d.source, d.kind,
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
        document: { id: r.documentId, title: r.title, date: r.date, source: r.source, kind: r.kind, issuingOffice: r.issuingOffice },
      },
    ]),
  );
}

export interface SearchOptions {
  k: number;
  filters?: SearchFilters;
}

/** Hybrid retrieval: full-text and vector candidates fused by RRF, best first. */
export async function hybridSearch(
  db: Queryable,
  embedder: Embedder,
  query: string | QueryAnalysis,
  options: SearchOptions,
): Promise<Passage[]> {
  const filters = options.filters ? searchFiltersSchema.parse(options.filters) : undefined;
  const analysis = typeof query === 'string' ? await analyzeQuery(db, query) : query;
  const [vector] = await embedder.embed([analysis.embedText]);
  const [fts, vec] = await Promise.all([
    fullTextCandidates(db, analysis, filters),
    vectorCandidates(db, vector!, filters),
  ]);
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
