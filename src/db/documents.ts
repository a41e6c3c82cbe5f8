import pgvector from 'pgvector';
import { DOCUMENT_FACT_COLUMNS, type DocumentFacts } from './catalog.ts';
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

/**
 * A listed document: what the text states and what the catalog adds (migration 010). `title` and
 * `publishedOn` read the catalog's title and issued date when it supplies them (`dateSource` says
 * which); `status`, `supersedes`, `supersededBy`, `implements` come from the catalog and relations.
 */
export interface DocumentRow extends DocumentFields, Omit<DocumentFacts, 'id' | 'title' | 'publishedOn' | 'source'> {
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
  /** Paged documents (migration 011): the pages the chunk covers, offsets where later pages begin in it, its OCR'd pages. */
  pageStart?: number | null;
  pageEnd?: number | null;
  pageBreaks?: number[];
  ocrPages?: number[];
}

export const toVector = (v: number[]): string => pgvector.toSql(v.map((x) => Math.round(x * 1e6) / 1e6));

export async function listDocuments(db: Queryable): Promise<DocumentRow[]> {
  return db.query<DocumentRow>(
    `SELECT ${DOCUMENT_FACT_COLUMNS}, v.kind, v.issuing_office AS "issuingOffice",
            v.source_url AS "sourceUrl", v.format, v.contacts, v.ingested_at AS "ingestedAt",
            (SELECT count(*)::int FROM chunks c WHERE c.document_id = v.id) AS chunks
       FROM document_view v ORDER BY v.date_from NULLS LAST, v.title`,
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

const CHUNK_COLUMNS = 13;
/** Rows per multi-row INSERT: 2,600 parameters, well under the protocol's 65,535. */
export const CHUNK_INSERT_ROWS = 200;

export type DocumentWrite = DocumentFields & {
  contentHash: string;
  pipelineVersion: string;
  body: string;
  /** Paged documents (migration 011): page count, page starts as offsets into body, OCR'd pages and their mean confidence. */
  pageCount?: number | null;
  pageStarts?: number[] | null;
  ocrPages?: number[];
  ocrConfidence?: number[];
};

/** The pages of the paged documents among `ids` (for listings): page count and OCR'd pages with confidence. */
export async function documentPages(
  db: Queryable,
  ids: string[],
): Promise<Map<string, { pageCount: number; ocrPages: number[]; ocrConfidence: number[] }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; pageCount: number; ocrPages: number[]; ocrConfidence: number[] }>(
    `SELECT id, page_count AS "pageCount", ocr_pages AS "ocrPages", ocr_confidence AS "ocrConfidence"
       FROM documents WHERE id = ANY($1::text[]) AND page_count IS NOT NULL`,
    [ids],
  );
  return new Map(rows.map(({ id, ...rest }) => [id, { ...rest, ocrConfidence: rest.ocrConfidence.map(Number) }]));
}

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
                              pipeline_version, contacts, body, page_count, page_starts, ocr_pages, ocr_confidence, ingested_at)
       VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11, $12, $13, $14::integer[], $15::integer[], $16::real[], now())
       ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind, issuing_office = EXCLUDED.issuing_office,
         published_on = EXCLUDED.published_on, source = EXCLUDED.source, source_url = EXCLUDED.source_url,
         format = EXCLUDED.format, content_hash = EXCLUDED.content_hash, pipeline_version = EXCLUDED.pipeline_version,
         contacts = EXCLUDED.contacts, body = EXCLUDED.body, page_count = EXCLUDED.page_count, page_starts = EXCLUDED.page_starts,
         ocr_pages = EXCLUDED.ocr_pages, ocr_confidence = EXCLUDED.ocr_confidence, ingested_at = now()`,
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
        doc.pageCount ?? null,
        doc.pageStarts ?? null,
        doc.ocrPages ?? [],
        doc.ocrConfidence ?? [],
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
      values.push(
        `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, $${p + 9}::vector, ` +
          `$${p + 10}::integer, $${p + 11}::integer, $${p + 12}::integer[], $${p + 13}::integer[])`,
      );
      params.push(
        `${documentId}#${c.ordinal}`,
        documentId,
        c.ordinal,
        c.headingPath,
        c.context,
        c.text,
        c.start,
        c.end,
        toVector(c.embedding),
        c.pageStart ?? null,
        c.pageEnd ?? null,
        c.pageBreaks ?? [],
        c.ocrPages ?? [],
      );
    });
    await tx.query(
      `INSERT INTO chunks (id, document_id, ordinal, heading_path, context, body, start_offset, end_offset, embedding,
                           page_start, page_end, page_breaks, ocr_pages)
       VALUES ${values.join(', ')}`,
      params,
    );
  }
}
