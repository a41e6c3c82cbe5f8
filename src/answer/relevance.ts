import type { Queryable } from '../db/types.ts';

/**
 * Term weights for a question, from the store itself: Postgres' english stemmer (the same one
 * full-text search uses) turns text into lexemes, and document frequency over chunks gives an
 * idf. A lexeme no chunk contains gets the highest weight, so a question about something the
 * corpus never mentions ("baklava") cannot look answered by its common words ("good").
 */
export interface TermWeights {
  weights: Map<string, number>;
  total: number;
}

export async function questionTermWeights(db: Queryable, question: string): Promise<TermWeights> {
  const rows = await db.query<{ lexeme: string; df: number; n: number }>(
    `WITH l AS (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $1))) AS lexeme)
     SELECT l.lexeme,
            (SELECT count(*)::int FROM chunks c WHERE c.tsv @@ quote_literal(l.lexeme)::tsquery) AS df,
            (SELECT count(*)::int FROM chunks) AS n
       FROM l`,
    [question],
  );
  const weights = new Map<string, number>();
  for (const r of rows) weights.set(r.lexeme, Math.log((r.n + 1) / (r.df + 0.5)));
  return { weights, total: [...weights.values()].reduce((a, b) => a + b, 0) };
}

/** Lexemes of many texts in one round trip, in order. */
export async function lexemesOf(db: Queryable, texts: string[]): Promise<Array<Set<string>>> {
  if (texts.length === 0) return [];
  const rows = await db.query<{ i: number; lexemes: string[] }>(
    `SELECT (t.i - 1)::int AS i, tsvector_to_array(to_tsvector('english', t.body)) AS lexemes
       FROM unnest($1::text[]) WITH ORDINALITY AS t(body, i)`,
    [texts],
  );
  const out = texts.map(() => new Set<string>());
  for (const r of rows) out[r.i] = new Set(r.lexemes);
  return out;
}

/** Share of the question's weight that a text covers: 1 when it has every question term. */
export function coverage(terms: TermWeights, lexemes: Set<string>): number {
  if (terms.total <= 0) return 0;
  let hit = 0;
  for (const [lexeme, w] of terms.weights) if (lexemes.has(lexeme)) hit += w;
  return hit / terms.total;
}
