import type { DateSource, DocumentStatus } from '../domain/document.ts';
import type { Queryable } from './types.ts';

/** The facts a catalog (catalog.yml, `docs set`, Slack) can state about a document. */
export const FACT_FIELDS = ['title', 'issued', 'status', 'supersedes', 'implements', 'note'] as const;
export type FactField = (typeof FACT_FIELDS)[number];

export { DOCUMENT_STATUSES, type DateSource, type DocumentStatus } from '../domain/document.ts';

export interface FactValues {
  title?: string;
  /** A partial date: 2023, 2023-02 or 2023-02-23. */
  issued?: string;
  status?: DocumentStatus;
  supersedes?: string[];
  implements?: string[];
  note?: string;
}

export interface StoredFact {
  documentId: string;
  field: FactField;
  value: string | string[];
  setBy: string;
  setAt: Date;
}

/**
 * A document as the catalog and the text together describe it (migration 010's document_view):
 * what listings, retrieval and answers show.
 */
export interface DocumentFacts {
  id: string;
  title: string;
  /** The title the text gives, when the catalog supplied another. */
  textTitle: string;
  /** Where the document came from (a path in the project, a URL). */
  source: string;
  /** A possibly partial date (2023, 2023-02, 2023-02-23): the catalog's issued date, else the text's. */
  publishedOn: string | null;
  dateSource: DateSource | null;
  /** The date the text states, when there is one (a catalog date may contradict it: `doctor`). */
  textDate: string | null;
  status: DocumentStatus | null;
  /** "catalog" when a catalog entry or a person set it, "relation" when it follows from another document superseding this one. */
  statusSource: 'catalog' | 'relation' | null;
  supersedes: string[];
  supersededBy: string[];
  implements: string[];
  implementedBy: string[];
  note: string | null;
}

/** Columns of document_view as DocumentFacts, for queries that join it as `v`. */
export const DOCUMENT_FACT_COLUMNS = `v.id, v.title, v.text_title AS "textTitle", v.source, v.published_on AS "publishedOn", v.date_source AS "dateSource",
  v.text_date::text AS "textDate", v.status, v.status_source AS "statusSource", v.supersedes, v.superseded_by AS "supersededBy",
  v.implements, v.implemented_by AS "implementedBy", v.note`;

/** The facts of these documents (all documents when `ids` is omitted), by id. */
export async function documentFacts(db: Queryable, ids?: readonly string[]): Promise<Map<string, DocumentFacts>> {
  const rows = ids
    ? await db.query<DocumentFacts>(`SELECT ${DOCUMENT_FACT_COLUMNS} FROM document_view v WHERE v.id = ANY($1::text[])`, [ids])
    : await db.query<DocumentFacts>(`SELECT ${DOCUMENT_FACT_COLUMNS} FROM document_view v`);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The stored facts (with who set them and when) of one document, or of all documents. */
export async function storedFacts(db: Queryable, documentId?: string): Promise<StoredFact[]> {
  const rows = await db.query<{ documentId: string; field: FactField; value: unknown; setBy: string; setAt: Date }>(
    `SELECT document_id AS "documentId", field, value, set_by AS "setBy", set_at AS "setAt"
       FROM document_facts ${documentId === undefined ? '' : 'WHERE document_id = $1'} ORDER BY document_id, field`,
    documentId === undefined ? [] : [documentId],
  );
  return rows.map((r) => ({ ...r, value: r.value as string | string[] }));
}

export interface FactChange {
  documentId: string;
  field: FactField;
  /** undefined unsets the field. */
  value: string | string[] | undefined;
}

/**
 * Writes fact changes and their history rows; call inside a transaction so a set of changes
 * lands whole or not at all. A change to the value a field already has is not recorded again.
 * Returns the changes that changed something.
 */
export async function writeFacts(tx: Queryable, changes: readonly FactChange[], actor: string): Promise<FactChange[]> {
  const done: FactChange[] = [];
  for (const c of changes) {
    const [current] = await tx.query<{ value: unknown }>('SELECT value FROM document_facts WHERE document_id = $1 AND field = $2', [c.documentId, c.field]);
    const before = current ? JSON.stringify(current.value) : undefined;
    const after = c.value === undefined ? undefined : JSON.stringify(c.value);
    if (before === after) continue;
    if (after === undefined) {
      await tx.query('DELETE FROM document_facts WHERE document_id = $1 AND field = $2', [c.documentId, c.field]);
    } else {
      await tx.query(
        `INSERT INTO document_facts (document_id, field, value, set_by, set_at) VALUES ($1, $2, $3::jsonb, $4, now())
         ON CONFLICT (document_id, field) DO UPDATE SET value = EXCLUDED.value, set_by = EXCLUDED.set_by, set_at = now()`,
        [c.documentId, c.field, after, actor],
      );
    }
    await tx.query(
      'INSERT INTO document_fact_history (document_id, field, value, previous, set_by) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)',
      [c.documentId, c.field, after ?? null, before ?? null, actor],
    );
    done.push(c);
  }
  return done;
}

export interface FactHistoryEntry {
  documentId: string;
  field: FactField;
  value: string | string[] | null;
  previous: string | string[] | null;
  setBy: string;
  setAt: Date;
}

export async function factHistory(db: Queryable, documentId: string): Promise<FactHistoryEntry[]> {
  return db.query<FactHistoryEntry>(
    `SELECT document_id AS "documentId", field, value, previous, set_by AS "setBy", set_at AS "setAt"
       FROM document_fact_history WHERE document_id = $1 ORDER BY id`,
    [documentId],
  );
}

/** Which of these ids are stored documents. */
export async function existingDocumentIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>('SELECT id FROM documents WHERE id = ANY($1::text[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Documents by source path (as ingest records it), for matching catalog entries by file name. */
export async function documentIdsBySource(db: Queryable, sources: readonly string[]): Promise<Map<string, string>> {
  if (sources.length === 0) return new Map();
  const rows = await db.query<{ id: string; source: string }>('SELECT id, source FROM documents WHERE source = ANY($1::text[])', [sources]);
  return new Map(rows.map((r) => [r.source, r.id]));
}

/** Documents whose stated date the catalog's issued date contradicts (`doctor` reports them). */
export async function dateConflicts(db: Queryable): Promise<Array<{ id: string; textDate: string; issued: string; setBy: string }>> {
  return db.query(
    `SELECT d.id, d.published_on::text AS "textDate", f.value #>> '{}' AS issued, f.set_by AS "setBy"
       FROM documents d JOIN document_facts f ON f.document_id = d.id AND f.field = 'issued'
      WHERE d.published_on IS NOT NULL AND left(d.published_on::text, length(f.value #>> '{}')) <> (f.value #>> '{}')
      ORDER BY d.id`,
  );
}

/** Store-level record of what a catalog file last stated, so a re-ingest only applies what it changed. */
export async function readCatalogRecord(db: Queryable, source: string): Promise<Record<string, Record<string, unknown>> | null> {
  const [row] = await db.query<{ value: { facts?: Record<string, Record<string, unknown>> } }>('SELECT value FROM store_meta WHERE key = $1', [
    `catalog:${source}`,
  ]);
  return row?.value?.facts ?? null;
}

/** The hash of the catalog text last applied from `source`, or null when none was. */
export async function readCatalogHash(db: Queryable, source: string): Promise<string | null> {
  const [row] = await db.query<{ hash: string | null }>("SELECT value->>'hash' AS hash FROM store_meta WHERE key = $1", [`catalog:${source}`]);
  return row?.hash ?? null;
}

export async function writeCatalogRecord(tx: Queryable, source: string, hash: string, facts: Record<string, Record<string, unknown>>): Promise<void> {
  await tx.query(
    `INSERT INTO store_meta (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [`catalog:${source}`, JSON.stringify({ hash, facts })],
  );
}
