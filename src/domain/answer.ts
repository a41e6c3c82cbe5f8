import type { CitedDocument, DocumentStatus } from './document.ts';
import type { UnderstoodQuery } from './query.ts';

/** The one answer model every front end renders: CLI --json, console, Slack blocks. */
export interface Citation {
  n: number;
  /** id, title, date (possibly partial), source, status and dateSource ("text" | "catalog" | null). */
  document: CitedDocument;
  quote: string;
  passage: string;
  chunkId: string;
  score: number;
  /** The page where the quote starts (PDF); null for unpaged formats. */
  page: number | null;
  /** The page where the quote ends: equal to `page` on one page, later when it runs on; null when `page` is. */
  pageEnd: number | null;
  /** The heading path of the passage below the document title ("Annex C: End-use monitoring"), or null. */
  section: string | null;
  /** The quote is (partly) text read by OCR from a scan: only as good as the scan. */
  ocr: boolean;
}

export interface Answer {
  question: string;
  answer: string;
  mode: 'extractive' | 'llm';
  abstained: boolean;
  citations: Citation[];
  /** Present when something the user should know happened, e.g. the model was unavailable. */
  note?: string;
  /** A follow-up rewritten into the question that was actually searched for; absent when the question was used as asked. */
  standaloneQuestion?: string;
  /** How the question was read before retrieval (kind, time scope, corrected words, expansions): for debugging and the feedback export. */
  query?: UnderstoodQuery;
  /** Cited documents that are superseded (or drafts), what supersedes them, and what the answer added from the current one. */
  versions?: VersionNote[];
  /** Status questions: the catalog facts the answer rests on. */
  facts?: FactCitation[];
  /** Comparison questions: the answer grouped by document, oldest first. */
  comparison?: ComparisonSideAnswer[];
}

/** A warning the code adds (never the model) when an answer cites a document that is not current. */
export interface VersionNote {
  document: CitedDocument;
  /** The citations (n) from that document. */
  cited: number[];
  /** The documents that supersede it (the current end of the chain). */
  supersededBy: CitedDocument[];
  /** Citations (n) added from the current document on the same point; empty when it says nothing on it. */
  added: number[];
  text: string;
}

/** A catalog fact an answer rests on, with who or what set it and when. */
export interface FactCitation {
  documentId: string;
  field: string;
  value: string | string[] | null;
  /** "catalog:<file>", "cli:<user>", "slack:<user>", or "relation" for a status that follows from another document's supersedes. */
  setBy: string;
  setAt: string | null;
}

/** One document's side of a comparison: its quotes on the topic, or that it says nothing on it. */
export interface ComparisonSideAnswer {
  document: CitedDocument;
  date: string | null;
  status: DocumentStatus | null;
  /** Quotes from this document only (the same citations as in the answer's list, same n). */
  citations: Citation[];
  /** True when the document says nothing on the topic. */
  silent: boolean;
  /** Without a topic: the themes this version stresses that the other does not, each with the citation (n) of its quote. */
  themes?: Array<{ theme: string; n: number }>;
}

/** One prior turn of a conversation (a Slack thread, a console session), oldest first. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  text: string;
}

export const ABSTAIN_MESSAGE =
  "The documents don't answer this. I found no passage in the ingested policy documents that addresses the question.";

/** "p. 3", or "pp. 3–4" when the quote runs onto later pages; null for unpaged documents. */
export function pageLabel(c: Pick<Citation, 'page' | 'pageEnd'>): string | null {
  // Answers stored before pages existed lack the fields: undefined reads as unpaged.
  if (c.page === null || c.page === undefined) return null;
  return c.pageEnd !== null && c.pageEnd !== undefined && c.pageEnd > c.page ? `pp. ${c.page}–${c.pageEnd}` : `p. ${c.page}`;
}

/** Where a citation's quote sits, as front ends show it: "p. 3 · Annex C: End-use monitoring (OCR)"; null when nothing is known. */
export function citationPlace(c: Pick<Citation, 'page' | 'pageEnd' | 'section' | 'ocr'>): string | null {
  const place = [pageLabel(c), c.section ?? null].filter((s): s is string => Boolean(s)).join(' · ');
  if (c.ocr) return place ? `${place} (OCR)` : '(OCR)';
  return place || null;
}
