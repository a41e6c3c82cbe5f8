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
}
