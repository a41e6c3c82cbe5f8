/** Formats the loaders understand, by file extension. */
export type DocFormat = 'txt' | 'md' | 'html' | 'pdf' | 'docx';

/**
 * What a loader hands to cleaning. `text` is "markdown-lite": blocks separated by
 * blank lines; a heading is a line starting with 1-6 '#' and a space; a list item is
 * a line starting with '- '. Inline markdown (links, emphasis) may remain: cleaning
 * strips it. Plain .txt files pass through as they are.
 */
export interface LoadedDocument {
  path: string;
  format: DocFormat;
  text: string;
  /** Metadata the file format itself carries (HTML <title>, PDF info, DOCX core properties). Never guessed. */
  meta: { title?: string; author?: string; date?: string };
  /** Paged formats (PDF): the page count; `text` then carries PAGE_MARK (ingest/clean.ts) where each page starts. */
  pages?: number;
  /** Pages whose text was read by OCR (1-based), each with Tesseract's mean confidence (0-100). */
  ocr?: OcrPage[];
  /** What the person ingesting should hear about, e.g. a page OCR read with low confidence. */
  warnings?: string[];
}

export interface OcrPage {
  page: number;
  confidence: number;
}

/** How loaders may read a file beyond its bytes. */
export interface LoadOptions {
  /** Reads pages that have no text layer; null or absent: OCR is off and a scan is refused. */
  ocr?: import('./ocr.ts').OcrEngine | null;
  /** A page OCR reads with a mean confidence below this (0-100) is reported (default 60). */
  ocrMinConfidence?: number;
  /** Called after each page of a paged document is read: long scans show progress per page. */
  onPage?: (done: number, total: number) => void;
}
