import type { Citation } from './answer.ts';

/**
 * What a document is beyond its text, shared by the catalog, retrieval, answers and every front
 * end: its status, where its date came from, and how a date is shown. Facts the text does not
 * state come from the catalog (catalog.yml, `docs set`, Slack) and are shown as supplied.
 */
export const DOCUMENT_STATUSES = ['current', 'superseded', 'draft', 'withdrawn'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Where a document's date came from: the text itself, or supplied by the catalog. */
export type DateSource = 'text' | 'catalog';

/** A document as answers name it: what a citation's `document` and a comparison side carry. */
export interface CitedDocument {
  id: string;
  title: string;
  /** A possibly partial date (2023, 2023-02, 2023-02-23), or null when neither the text nor the catalog gives one. */
  date: string | null;
  source: string;
  status?: DocumentStatus | null;
  dateSource?: DateSource | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2023" → "2023", "2023-02" → "Feb 2023", "2018-04-19" → "Apr 19, 2018"; anything else as it is. */
export function formatPartialDate(date: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (!m) return date;
  const [, y, mo, d] = m;
  if (!mo) return y!;
  const month = MONTHS[Number(mo) - 1] ?? mo;
  return d ? `${month} ${Number(d)}, ${y}` : `${month} ${y}`;
}

/**
 * A document's date as every front end shows it: supplied dates are marked as supplied
 * ("Feb 2023 (catalog)"), dates the text states are shown plainly, and no date says so.
 */
export function describeDate(date: string | null | undefined, source: DateSource | null | undefined, none = 'date not stated'): string {
  if (!date) return none;
  return source === 'catalog' ? `${formatPartialDate(date)} (catalog)` : formatPartialDate(date);
}

/** "issued Feb 2023 (catalog)" / "dated Apr 19, 2018" / null: the phrase an answer uses after a title. */
export function datePhrase(doc: Pick<CitedDocument, 'date' | 'dateSource'>): string | null {
  if (!doc.date) return null;
  return doc.dateSource === 'catalog' ? `issued ${describeDate(doc.date, 'catalog')}` : `dated ${formatPartialDate(doc.date)}`;
}

/** The year range a partial date covers. */
export function yearOf(date: string | null | undefined): number | null {
  const m = /^(\d{4})/.exec(date ?? '');
  return m ? Number(m[1]) : null;
}

/** A citation's document from a retrieved passage's: status and dateSource always present. */
export function citedDocument(d: {
  id: string;
  title: string;
  date: string | null;
  source: string;
  status?: DocumentStatus | null;
  dateSource?: DateSource | null;
}): CitedDocument {
  return { id: d.id, title: d.title, date: d.date, source: d.source, status: d.status ?? null, dateSource: d.dateSource ?? (d.date ? 'text' : null) };
}

// `docs diff` (src/answer/compare.ts builds it; the terminal, Slack and JSON show it).

export interface DiffTheme {
  /** The theme's words as the document writes them ("human rights, civilian harm"). */
  theme: string;
  /** Its lexemes (Postgres english stems). */
  terms: string[];
  /** The quote's citation number in the diff's citations. */
  n: number;
}

export interface DiffSide {
  document: CitedDocument;
  /** Headings only this document has. */
  sections: string[];
  /** Themes this document stresses that the other does not, strongest first. */
  themes: DiffTheme[];
}

export interface DocumentDiff {
  old: DiffSide;
  new: DiffSide;
  /** Headings both have. */
  sharedSections: string[];
  citations: Citation[];
}

