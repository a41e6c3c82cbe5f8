import { PDFParse } from 'pdf-parse';
import { normalizeDate, type DocumentMeta } from './html.ts';
import type { Extracted } from './txt.ts';

const SENTENCE_END = /[.!?:]["'”’)\]]*$/;
const BULLET = /^(?:[•●○◦▪▫■□‣⁃∙·]\s*|[-*–]\s+)(?=\S)/;
const NUMBERED_ITEM = /^(?:\d{1,3}[.)]|[a-z][.)]|\((?:\d{1,3}|[a-z]|[ivx]{1,4})\))\s+\S/;
const PAGE_NUMBER = /^(?:page\s+\d{1,4}|[-–—]?\s*\d{1,3}\s*[-–—]?)(?:\s*(?:of|\/)\s*\d{1,4})?$/i;
const ROMAN_PAGE_NUMBER = /^[ivxlc]{1,7}$/;
/** How many lines at the top and bottom of a page may be running headers, footers or page numbers. */
const EDGE_LINES = 3;

export async function extractPdf(buffer: Uint8Array): Promise<Extracted> {
  // Copy: pdf.js may transfer (detach) the array it is given, and the caller may still need its buffer.
  const parser = new PDFParse({ data: new Uint8Array(buffer) });
  try {
    const info = await parser.getInfo();
    const result = await parser.getText();
    return { text: reflowPdfPages(result.pages.map((p) => p.text)), meta: pdfMeta(info.info) };
  } catch (err) {
    throw describePdfError(err);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

function describePdfError(err: unknown): Error {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') return new Error('the PDF is password-protected', { cause: err });
  if (name === 'InvalidPDFException' || name === 'FormatError') {
    return new Error(`not a valid PDF (${message})`, { cause: err });
  }
  return err instanceof Error ? err : new Error(message);
}

function pdfMeta(info: unknown): DocumentMeta {
  const meta: DocumentMeta = {};
  if (typeof info !== 'object' || info === null) return meta;
  const record = info as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() : '');

  const title = str(record.Title);
  if (title) meta.title = title;
  const author = str(record.Author);
  if (author) meta.author = author;
  const created = /^(?:D:)?(\d{4})(\d{2})(\d{2})/.exec(str(record.CreationDate));
  const date = created ? normalizeDate(`${created[1]}-${created[2]}-${created[3]}`) : undefined;
  if (date) meta.date = date;
  return meta;
}

/**
 * Turns per-page PDF text (one visual line per line) into markdown-lite paragraphs:
 * drops running headers/footers and page numbers, re-flows hard-wrapped lines,
 * de-hyphenates words split across lines, and turns bullets into '- ' items.
 */
export function reflowPdfPages(pages: string[]): string {
  const pageLines = stripPageFurniture(
    pages.map((page) =>
      page
        .split(/\r\n?|\n/)
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .filter((l) => l !== ''),
    ),
  );

  const lengths = pageLines.flat().map((l) => l.length);
  const typical = percentile(lengths, 0.75);
  const vocabulary = new Set(
    pageLines
      .flat()
      .join(' ')
      .toLowerCase()
      .match(/[a-z]+(?:-[a-z]+)*/g) ?? [],
  );

  const blocks: string[] = [];
  let current = '';
  let previous = '';
  const breakParagraph = (): void => {
    if (current) blocks.push(current);
    current = '';
  };

  pageLines.forEach((lines, pageIndex) => {
    for (const raw of lines) {
      const line = raw.replace(BULLET, '- ');
      const isItem = line.startsWith('- ') || NUMBERED_ITEM.test(line);
      if (current && !isItem && !endsBlock(previous, line, typical)) {
        current = joinLines(current, line, vocabulary);
      } else {
        breakParagraph();
        current = line;
      }
      previous = line;
    }
    // A paragraph runs on to the next page only when it visibly stops mid-sentence.
    const nextFirst = pageLines[pageIndex + 1]?.[0];
    if (!(current && nextFirst && !SENTENCE_END.test(previous) && /^[a-z]/.test(nextFirst))) breakParagraph();
  });
  breakParagraph();

  return blocks
    .map((block, i) => (i === 0 ? block : `${isListLine(block) && isListLine(blocks[i - 1]) ? '\n' : '\n\n'}${block}`))
    .join('');
}

function isListLine(block: string | undefined): boolean {
  return block?.startsWith('- ') ?? false;
}

function endsBlock(line: string, next: string, typical: number): boolean {
  if (SENTENCE_END.test(line) && line.length < typical * 0.8) return true;
  // A short line without closing punctuation followed by a capitalised line reads as a heading.
  return line.length < typical * 0.6 && !/[,;\-–—]$/.test(line) && /^[A-Z0-9"“‘(]/.test(next);
}

function joinLines(current: string, next: string, vocabulary: Set<string>): string {
  if (current.endsWith('\u00ad')) return current.slice(0, -1) + next;
  const split = /([A-Za-z]+)-$/.exec(current);
  const rest = /^([a-z]+)/.exec(next);
  if (split && rest) {
    const hyphenated = `${split[1]}-${rest[1]}`.toLowerCase();
    const joined = `${split[1]}${rest[1]}`.toLowerCase();
    // Keep the hyphen only for compounds the document itself writes with one ("well-known").
    if (vocabulary.has(hyphenated) && !vocabulary.has(joined)) return current + next;
    return current.slice(0, -1) + next;
  }
  if (/[—–]$/.test(current)) return current + next;
  return `${current} ${next}`;
}

function stripPageFurniture(pages: string[][]): string[][] {
  const key = (line: string): string => line.toLowerCase().replace(/\d+/g, '#');
  const edges = (lines: string[]): number[] => {
    const idx = lines.map((_, i) => i);
    return [...new Set([...idx.slice(0, EDGE_LINES), ...idx.slice(-EDGE_LINES)])];
  };

  const repeated = new Set<string>();
  if (pages.length >= 2) {
    const counts = new Map<string, number>();
    for (const lines of pages) {
      for (const k of new Set(edges(lines).map((i) => key(lines[i] ?? '')))) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [k, n] of counts) if (n >= 2 && n > pages.length / 2) repeated.add(k);
  }

  return pages.map((lines) => {
    const drop = new Set(
      edges(lines).filter((i) => {
        const line = lines[i] ?? '';
        return repeated.has(key(line)) || PAGE_NUMBER.test(line) || ROMAN_PAGE_NUMBER.test(line);
      }),
    );
    return lines.filter((_, i) => !drop.has(i));
  });
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}
