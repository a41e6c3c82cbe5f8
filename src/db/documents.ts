import pgvector from 'pgvector';
import type { Queryable } from './types.ts';

/** The document fields ingestion writes and listings read. */
export interface DocumentFields {
  id: string;
  title: string;
  kind: string;
  issuingOffice: string | null;
  publishedOn: string | null;
  source: string;
  sourceUrl: string | null;
  format: string;
  contacts: string[];
}

export interface DocumentRow extends DocumentFields {
  chunks: number;
  ingestedAt: Date;
}

export interface NewChunk {
  ordinal: number;
  headingPath: string[];
  context: string;
  text: string;
  start: number;
  end: number;
  embedding: number[];
}

export const toVector = (v: number[]): string => pgvector.toSql(v.map((x) => Math.round(x * 1e6) / 1e6));

export async function listDocuments(db: Queryable): Promise<DocumentRow[]> {
  return db.query<DocumentRow>(
    `SELECT d.id, d.title, d.kind, d.issuing_office AS "issuingOffice", d.published_on::text AS "publishedOn",
            d.source, d.source_url AS "sourceUrl", d.format, d.contacts, d.ingested_at AS "ingestedAt",
            (SELECT count(*)::int FROM chunks c WHERE c.document_id = d.id) AS chunks
       FROM documents d ORDER BY d.published_on NULLS LAST, d.title`,
  );
}

export async function countChunks(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks');
  return rows[0]?.n ?? 0;
}

export interface StoredVersion {
  id: string;
  contentHash: string;
  pipelineVersion: string;
}

export async function findBySource(db: Queryable, source: string): Promise<StoredVersion | null> {
  return (await findBySources(db, [source])).get(source) ?? null;
}

/** What the store holds for many sources at once: one round trip per ingest batch instead of one per file. */
export async function findBySources(db: Queryable, sources: string[]): Promise<Map<string, StoredVersion>> {
  if (sources.length === 0) return new Map();
  const rows = await db.query<StoredVersion & { source: string }>(
    `SELECT source, id, content_hash AS "contentHash", pipeline_version AS "pipelineVersion" FROM documents WHERE source = ANY($1::text[])`,
    [sources],
  );
  return new Map(rows.map(({ source, ...v }) => [source, v]));
}

export async function idTaken(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM documents WHERE id = $1', [id])).length > 0;
}

const CHUNK_COLUMNS = 9;
/** Rows per multi-row INSERT: 1,800 parameters, well under the protocol's 65,535. */
export const CHUNK_INSERT_ROWS = 200;

export type DocumentWrite = DocumentFields & { contentHash: string; pipelineVersion: string; body: string };

/** Replaces a document and all its chunks; call inside a transaction so readers never see half. */
export async function replaceDocument(tx: Queryable, doc: DocumentWrite, chunks: NewChunk[]): Promise<void> {
  await replaceDocuments(tx, [{ doc, chunks }]);
}

/**
 * Replaces several documents and all their chunks with as few statements as possible: one
 * upsert per document, one DELETE for the old chunks of all of them, then the new chunks of all
 * of them in multi-row INSERTs. Call inside a transaction so readers never see half a document.
 */
export async function replaceDocuments(tx: Queryable, writes: Array<{ doc: DocumentWrite; chunks: NewChunk[] }>): Promise<void> {
  for (const { doc } of writes) {
    await tx.query(
      `INSERT INTO documents (id, title, kind, issuing_office, published_on, source, source_url, format, content_hash,
                              pipeline_version, contacts, body, ingested_at)
       VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11, $12, now())
       ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind, issuing_office = EXCLUDED.issuing_office,
         published_on = EXCLUDED.published_on, source = EXCLUDED.source, source_url = EXCLUDED.source_url,
         format = EXCLUDED.format, content_hash = EXCLUDED.content_hash, pipeline_version = EXCLUDED.pipeline_version,
         contacts = EXCLUDED.contacts, body = EXCLUDED.body, ingested_at = now()`,
      [
        doc.id,
        doc.title,
        doc.kind,
        doc.issuingOffice,
        doc.publishedOn,
        doc.source,
        doc.sourceUrl,
        doc.format,
        doc.contentHash,
        doc.pipelineVersion,
        doc.contacts,
        doc.body,
      ],
    );
  }
  await tx.query('DELETE FROM chunks WHERE document_id = ANY($1::text[])', [writes.map((w) => w.doc.id)]);
  const rows = writes.flatMap(({ doc, chunks }) => chunks.map((c) => ({ documentId: doc.id, c })));
  for (let i = 0; i < rows.length; i += CHUNK_INSERT_ROWS) {
    const batch = rows.slice(i, i + CHUNK_INSERT_ROWS);
    const values: string[] = [];
    const params: unknown[] = [];
    batch.forEach(({ documentId, c }, j) => {
      const p = j * CHUNK_COLUMNS;
      values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, $${p + 9}::vector)`);
      params.push(`${documentId}#${c.ordinal}`, documentId, c.ordinal, c.headingPath, c.context, c.text, c.start, c.end, toVector(c.embedding));
    });
    await tx.query(
      `INSERT INTO chunks (id, document_id, ordinal, heading_path, context, body, start_offset, end_offset, embedding)
       VALUES ${values.join(', ')}`,
      params,
    );
  }
}
