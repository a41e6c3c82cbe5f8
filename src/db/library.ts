import type { DateSource, DocumentStatus } from '../domain/document.ts';
import type { Queryable } from './types.ts';

/** A document as `/library` lists it: catalog status and date (with where the date came from), pages, chunks. */
export interface LibraryEntry {
  id: string;
  title: string;
  status: DocumentStatus | null;
  publishedOn: string | null;
  dateSource: DateSource | null;
  format: string;
  source: string;
  sourceUrl: string | null;
  /** Paged formats only. */
  pages: number | null;
  ocrPages: number[];
  chunks: number;
  supersedes: string[];
  addedBy: string | null;
}

const SELECT = `SELECT v.id, v.title, v.status, v.published_on AS "publishedOn", v.date_source AS "dateSource", v.format, v.source,
         v.source_url AS "sourceUrl", d.page_count AS pages, d.ocr_pages AS "ocrPages", v.supersedes, d.added_by AS "addedBy",
         (SELECT count(*)::int FROM chunks c WHERE c.document_id = v.id) AS chunks
    FROM document_view v JOIN documents d ON d.id = v.id`;

export async function listLibrary(db: Queryable): Promise<LibraryEntry[]> {
  return db.query<LibraryEntry>(`${SELECT} ORDER BY v.date_from NULLS LAST, v.title, v.id`);
}

export async function libraryEntry(db: Queryable, id: string): Promise<LibraryEntry | null> {
  return (await db.query<LibraryEntry>(`${SELECT} WHERE v.id = $1`, [id]))[0] ?? null;
}
