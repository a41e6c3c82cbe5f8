import { acronymKey, mineAcronyms } from '../text/acronyms.ts';
import type { Db, Queryable } from './types.ts';

/** Documents mined per transaction when catching up. */
const BATCH = 100;

/**
 * Mines the acronyms of every document whose stored version has not been mined yet (new,
 * changed, or stored before acronyms were kept) and replaces that document's rows. Deleted
 * documents lose theirs by cascade. Returns how many documents were mined.
 */
export async function refreshAcronyms(db: Db): Promise<number> {
  let mined = 0;
  for (;;) {
    const docs = await db.query<{ id: string; body: string; hash: string }>(
      `SELECT d.id, d.body, d.content_hash AS hash FROM documents d
         LEFT JOIN acronym_sources s ON s.document_id = d.id
        WHERE s.document_id IS NULL OR s.content_hash <> d.content_hash
        ORDER BY d.id LIMIT $1`,
      [BATCH],
    );
    if (docs.length === 0) return mined;
    await db.transaction(async (tx) => {
      const ids = docs.map((d) => d.id);
      await tx.query('DELETE FROM acronyms WHERE document_id = ANY($1::text[])', [ids]);
      const rows = docs.flatMap((d) => mineAcronyms(d.body).map((a) => ({ id: d.id, key: acronymKey(a.short), short: a.short, long: a.long })));
      if (rows.length > 0) {
        await tx.query(
          `INSERT INTO acronyms (document_id, key, short, long)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
          [rows.map((r) => r.id), rows.map((r) => r.key), rows.map((r) => r.short), rows.map((r) => r.long)],
        );
      }
      await tx.query(
        `INSERT INTO acronym_sources (document_id, content_hash) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (document_id) DO UPDATE SET content_hash = EXCLUDED.content_hash`,
        [ids, docs.map((d) => d.hash)],
      );
    });
    mined += docs.length;
  }
}

export interface StoredAcronym {
  key: string;
  short: string;
  long: string;
  /** How many documents define it so. */
  documents: number;
}

/**
 * Acronyms a question names, either way round: by short form (normalised keys) or by long form
 * (the expansion appears in the text, case and spacing aside).
 */
export async function acronymsFor(db: Queryable, keys: string[], text: string): Promise<StoredAcronym[]> {
  const rows = await db.query<StoredAcronym>(
    `SELECT key, min(short) AS short, long, count(DISTINCT document_id)::int AS documents FROM acronyms
      WHERE key = ANY($1::text[]) OR strpos($2, lower(regexp_replace(long, '\\s+', ' ', 'g'))) > 0
      GROUP BY key, long ORDER BY key, count(DISTINCT document_id) DESC, long`,
    [keys, text.toLowerCase().replace(/\s+/g, ' ')],
  );
  return rows;
}

/** Every stored acronym: for `doctor`-style listings and tests. */
export async function listAcronyms(db: Queryable): Promise<StoredAcronym[]> {
  return db.query<StoredAcronym>(
    `SELECT key, min(short) AS short, long, count(DISTINCT document_id)::int AS documents FROM acronyms
      GROUP BY key, long ORDER BY key, long`,
  );
}
