import type { Queryable } from './types.ts';

/** What a server said about the copy of a URL document the store holds (migration 012). */
export interface FetchState {
  documentId: string;
  source: string;
  sourceUrl: string;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: Date | null;
}

const COLUMNS = `id AS "documentId", source, source_url AS "sourceUrl", fetch_etag AS etag, fetch_last_modified AS "lastModified", fetched_at AS "fetchedAt"`;

/** Every document that came from a web URL (its source is the URL), oldest fetch first. */
export async function listFetchedDocuments(db: Queryable): Promise<FetchState[]> {
  return db.query<FetchState>(
    `SELECT ${COLUMNS} FROM documents WHERE source ~ '^https?://' AND source_url IS NOT NULL ORDER BY fetched_at NULLS FIRST, source`,
  );
}

export async function fetchStates(db: Queryable, sources: string[]): Promise<Map<string, FetchState>> {
  if (sources.length === 0) return new Map();
  const rows = await db.query<FetchState>(`SELECT ${COLUMNS} FROM documents WHERE source = ANY($1::text[])`, [sources]);
  return new Map(rows.map((r) => [r.source, r]));
}

/** Records a fetch's validators after its document was written (or found unchanged). */
export async function recordFetch(db: Queryable, documentId: string, facts: { etag: string | null; lastModified: string | null }): Promise<void> {
  await db.query('UPDATE documents SET fetch_etag = $2, fetch_last_modified = $3, fetched_at = now() WHERE id = $1', [
    documentId,
    facts.etag,
    facts.lastModified,
  ]);
}

/** Who added a document from Slack ("slack:U…"), kept across re-ingests. */
export async function recordAddedBy(db: Queryable, documentId: string, addedBy: string): Promise<void> {
  await db.query('UPDATE documents SET added_by = $2 WHERE id = $1', [documentId, addedBy]);
}
