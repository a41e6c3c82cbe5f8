import type { DateSource, DocumentStatus } from './document.ts';

/** A retrieved passage: what search returns and the answer layer quotes from. */
export interface PassageDocument {
  id: string;
  title: string;
  date: string | null;
  source: string;
  kind: string;
  issuingOffice: string | null;
  /** Catalog facts (src/search/versions.ts fills them): the document's status, where `date` came from, its supersession. */
  status?: DocumentStatus | null;
  dateSource?: DateSource | null;
  supersedes?: string[];
  supersededBy?: string[];
}

export interface PassagePages {
  /** The page of the passage's first and last characters. */
  first: number;
  last: number;
  /** Offsets into the document body (like start/end) inside the passage where a later page begins. */
  breaks: number[];
  /** The passage's pages that were read by OCR. */
  ocr: number[];
}

export interface Passage {
  chunkId: string;
  documentId: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  start: number;
  end: number;
  /** Paged documents (PDF): where the passage sits among the pages; null for unpaged formats. */
  pages: PassagePages | null;
  document: PassageDocument;
  /** Fused RRF score. */
  score: number;
  /** 1-based positions in each ranking; null when the passage was not among its candidates. */
  ftsRank: number | null;
  vectorRank: number | null;
  vectorDistance: number | null;
}
