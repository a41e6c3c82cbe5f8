import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../src/errors.ts';
import { PAGE_MARK } from '../clean.ts';
import type { LoadOptions, OcrPage } from '../types.ts';
import { normalizeDate, type DocumentMeta } from './html.ts';
import type { Extracted } from './txt.ts';

const SENTENCE_END = /[.!?:]["'”’)\]]*$/;
const BULLET = /^(?:[•●○◦▪▫■□‣⁃∙·]\s*|[-*–]\s+)(?=\S)/;
const NUMBERED_ITEM = /^(?:\d{1,3}[.)]|[a-z][.)]|\((?:\d{1,3}|[a-z]|[ivx]{1,4})\))\s+\S/;
const PAGE_NUMBER = /^(?:page\s+\d{1,4}|[-–—]?\s*\d{1,3}\s*[-–—]?)(?:\s*(?:of|\/)\s*\d{1,4})?$/i;
const ROMAN_PAGE_NUMBER = /^[ivxlc]{1,7}$/;
/** How many lines at the top and bottom of a page may be running headers, footers or page numbers. */
const EDGE_LINES = 3;
/** A running header or footer is at most this long ("Guidance on Retransfer and End-Use Controls, March 2024 · UNCLASSIFIED"). */
const FURNITURE_MAX_CHARS = 72;
/**
 * A heading a line's words announce, whatever its font: "Annex C: End-use monitoring",
 * "Section 4. Reporting", "Part II - Review", "3.2 Retransfers". Numbered forms must be short and
 * unpunctuated, or numbered list items ("1. The office will ...") would read as headings.
 */
const NAMED_HEADING = /^(?:annex|appendix|attachment|enclosure|part|chapter|section|article|tab)\s+(?:[A-Z]|[0-9]{1,3}|[IVXLC]{1,6})(?:[.:)]|\s+[-–—])?\s+\S/i;
const NUMBERED_HEADING = /^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z][^.;,!?]*$/;
/** A page with fewer visible characters than this in its text layer reads as a scan (a stamp or a Bates number aside). */
export const SCANNED_PAGE_CHARS = 25;
/** A page OCR reads with a mean confidence below this is reported at ingest. */
export const DEFAULT_OCR_MIN_CONFIDENCE = 60;

const require = createRequire(import.meta.url);
const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'));
/** pdf.js reads its CMaps, standard fonts and image decoders (wasm) from these; in Node, from disk, never fetched. */
const assetDir = (name: string): string => `${path.join(PDFJS_DIR, name)}${path.sep}`;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<PdfJs> | null = null;
const pdfjs = (): Promise<PdfJs> => (pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

/** One visual line of a page: its text and the height of its largest glyphs (0 for OCR text). */
export interface PdfLine {
  text: string;
  size: number;
  /** Set by heading detection: markdown heading level. */
  heading?: number;
}

/**
 * PDF text page by page with pdf.js (pdfjs-dist), the parser pdf-parse wraps: one library gives
 * the text items with their font sizes (for headings), renders the pages that have no text
 * layer (for OCR), and frees each page after reading it, so a long PDF is read in bounded memory.
 * The text carries PAGE_MARK where each page starts; ingest turns the marks into page offsets.
 */
export async function extractPdf(buffer: Uint8Array, options: LoadOptions = {}): Promise<Extracted> {
  assertComplete(buffer);
  const lib = await pdfjs();
  const task = lib.getDocument({
    // Copy: pdf.js transfers (detaches) the array it is given, and the caller may still need its buffer.
    data: new Uint8Array(buffer),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    cMapUrl: assetDir('cmaps'),
    cMapPacked: true,
    standardFontDataUrl: assetDir('standard_fonts'),
    wasmUrl: assetDir('wasm'),
    verbosity: 0,
  });
  let doc: Awaited<typeof task.promise> | undefined;
  try {
    doc = await task.promise;
    const info = await doc.getMetadata().catch(() => null);
    const total = doc.numPages;
    const pages: PdfLine[][] = [];
    const ocr: OcrPage[] = [];
    const warnings: string[] = [];
    const unread: number[] = [];
    const minConfidence = options.ocrMinConfidence ?? DEFAULT_OCR_MIN_CONFIDENCE;
    for (let n = 1; n <= total; n++) {
      const page = await doc.getPage(n);
      try {
        const content = await page.getTextContent();
        let lines = textLines(content.items as TextItem[]);
        if (visibleChars(lines) < SCANNED_PAGE_CHARS && (await hasImages(lib, page))) {
          if (options.ocr) {
            const result = await options.ocr.recognize(await renderPage(page));
            const read = result.text
              .split(/\r\n?|\n/)
              .map((t) => ({ text: t.replaceAll(PAGE_MARK, '').replace(/\s+/g, ' ').trim(), size: 0 }))
              .filter((l) => l.text !== '');
            if (visibleChars(read) > visibleChars(lines)) {
              lines = read;
              const confidence = Math.round(result.confidence * 10) / 10;
              ocr.push({ page: n, confidence });
              if (confidence < minConfidence) {
                warnings.push(`page ${n} was read by OCR with a mean confidence of ${confidence} (below ${minConfidence}): check its quotes against the scan`);
              }
            }
          } else unread.push(n);
        }
        pages.push(lines);
      } finally {
        page.cleanup();
      }
      options.onPage?.(n, total);
    }
    if (unread.length > 0) {
      if (unread.length === total || pages.every((p) => visibleChars(p) === 0)) {
        throw new AppError(
          'ingest.scanned',
          `it is a scanned PDF (no text layer on ${total === 1 ? 'its page' : `its ${total} pages`}) and OCR is turned off (OCR=off); set OCR=on to read it by OCR`,
        );
      }
      warnings.push(`${unread.length === 1 ? 'page' : 'pages'} ${unread.join(', ')} ${unread.length === 1 ? 'has' : 'have'} no text layer and ${unread.length === 1 ? 'was' : 'were'} not read, because OCR is turned off (OCR=off)`);
    }
    markHeadings(pages);
    return {
      text: reflowLines(pages, true),
      meta: pdfMeta(info?.info),
      pages: total,
      ...(ocr.length > 0 ? { ocr } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  } catch (err) {
    throw describePdfError(err);
  } finally {
    await (doc ? doc.destroy() : task.destroy()).catch(() => undefined);
  }
}

/**
 * A PDF ends with "%%EOF" (ISO 32000, 7.5.5); a file cut off in a download or a copy does not.
 * pdf.js would rebuild what it can from a torn file and quietly return part of it: refuse
 * instead. Writers may append a few bytes (a newline, padding) after the marker.
 */
function assertComplete(buffer: Uint8Array): void {
  const tail = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).subarray(Math.max(0, buffer.byteLength - 2048));
  if (tail.lastIndexOf('%%EOF') === -1) {
    throw new Error('the file is truncated (it does not end with the "%%EOF" marker every PDF ends with), e.g. by an interrupted download: get a complete copy');
  }
}

interface TextItem {
  str?: string;
  hasEOL?: boolean;
  transform?: number[];
  width?: number;
  height?: number;
}

/** Text items to visual lines: a new line where pdf.js marks one or the baseline moves. */
export function textLines(items: TextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let text = '';
  let size = 0;
  let lastY: number | undefined;
  let lastX: number | undefined;
  const push = () => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (t) lines.push({ text: t, size: Math.round(size * 10) / 10 });
    text = '';
    size = 0;
  };
  for (const item of items) {
    if (typeof item.str !== 'string') continue;
    const str = item.str.replaceAll(PAGE_MARK, '');
    const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform ?? [];
    const h = Math.hypot(c, d) || Math.hypot(a, b) || item.height || 0;
    if (lastY !== undefined && Math.abs(y - lastY) > Math.max(1, 0.5 * Math.max(h, size))) push();
    else if (lastX !== undefined && text && !/\s$/.test(text) && str && !/^\s/.test(str) && x - lastX > 0.15 * h) text += ' ';
    text += str;
    if (str.trim()) size = Math.max(size, h);
    lastY = y;
    lastX = x + (item.width ?? 0);
    if (item.hasEOL) {
      push();
      lastY = undefined;
      lastX = undefined;
    }
  }
  push();
  return lines;
}

const visibleChars = (lines: PdfLine[]): number => lines.reduce((n, l) => n + l.text.replace(/\s/g, '').length, 0);

type PdfPage = Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>;

async function hasImages(lib: PdfJs, page: PdfPage): Promise<boolean> {
  const ops = await page.getOperatorList();
  const paints = new Set([lib.OPS.paintImageXObject, lib.OPS.paintInlineImageXObject, lib.OPS.paintImageMaskXObject, lib.OPS.paintImageXObjectRepeat]);
  return ops.fnArray.some((fn) => paints.has(fn));
}

/** Renders a page at 300 dpi (capped at 3,300 pixels a side, about A3 at 220 dpi) as PNG for OCR. */
async function renderPage(page: PdfPage): Promise<Uint8Array> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const base = page.getViewport({ scale: 1 });
  const scale = Math.min(300 / 72, 3300 / Math.max(base.width, base.height));
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
  return canvas.encode('png');
}

/**
 * Headings a line can be recognised as: a short line set clearly larger than the body text
 * (levels by size, largest first), or one whose words announce it (NAMED_HEADING,
 * NUMBERED_HEADING) at body size, nested below the sized ones. OCR lines have no size.
 */
export function markHeadings(pages: PdfLine[][]): void {
  const weight = new Map<number, number>();
  for (const l of pages.flat()) if (l.size > 0) weight.set(Math.round(l.size), (weight.get(Math.round(l.size)) ?? 0) + l.text.length);
  const body = [...weight.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 0;
  const headingLike = (t: string) => t.length <= 120 && /[A-Za-z]{3}/.test(t) && !/[.,;]["'”’)]?$/.test(t);
  const sized = [...new Set(pages.flat().filter((l) => body > 0 && l.size >= body * 1.15 && headingLike(l.text)).map((l) => Math.round(l.size)))]
    .sort((x, y) => y - x)
    .slice(0, 3);
  for (const lines of pages) {
    for (const [i, line] of lines.entries()) {
      const level = sized.indexOf(Math.round(line.size));
      if (level !== -1 && headingLike(line.text)) {
        line.heading = level + 1;
        continue;
      }
      if (line.text.length > 80 || !headingLike(line.text)) continue;
      const next = lines[i + 1]?.text ?? '';
      if (NAMED_HEADING.test(line.text)) line.heading = sized.length + 1;
      else {
        const numbered = NUMBERED_HEADING.exec(line.text);
        if (numbered && line.text.length <= 60 && !/^[a-z]/.test(next)) line.heading = Math.min(6, sized.length + numbered[1]!.split('.').length);
      }
    }
  }
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

function describePdfError(err: unknown): Error {
  if (err instanceof AppError) return err;
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') {
    return new AppError(
      'ingest.encrypted',
      'the PDF is encrypted with a password: save an unprotected copy (e.g. qpdf --decrypt, or print to PDF) and ingest that',
      { cause: err },
    );
  }
  if (name === 'InvalidPDFException' || name === 'FormatError') {
    return new Error(`not a valid PDF (${message})`, { cause: err });
  }
  return err instanceof Error ? err : new Error(message);
}

/**
 * Turns per-page PDF text (one visual line per line) into markdown-lite paragraphs:
 * drops running headers/footers and page numbers, re-flows hard-wrapped lines,
 * de-hyphenates words split across lines, and turns bullets into '- ' items.
 */
export function reflowPdfPages(pages: string[]): string {
  return reflowLines(
    pages.map((page) => page.split(/\r\n?|\n/).map((text) => ({ text, size: 0 }))),
    false,
  );
}

/**
 * reflowPdfPages over lines that may carry headings; with `marks`, PAGE_MARK goes right before
 * the first kept character of each page (empty pages' marks wait for the next kept text).
 */
function reflowLines(rawPages: PdfLine[][], marks: boolean): string {
  const pageLines = stripPageFurniture(
    rawPages.map((page) => page.map((l) => ({ ...l, text: l.text.replace(/\s+/g, ' ').trim() })).filter((l) => l.text !== '')),
  );

  const lengths = pageLines.flat().filter((l) => !l.heading).map((l) => l.text.length);
  const typical = percentile(lengths, 0.75);
  const vocabulary = new Set(
    pageLines
      .flat()
      .map((l) => l.text)
      .join(' ')
      .toLowerCase()
      .match(/[a-z]+(?:-[a-z]+)*/g) ?? [],
  );

  const blocks: string[] = [];
  let current = '';
  let previous = '';
  let pending = '';
  // Lines of the paragraph being built: a column of text is narrower than the page's typical
  // line, and is measured against its own lines once it has two.
  let paragraphLines: number[] = [];
  const breakParagraph = (): void => {
    if (current) blocks.push(current);
    current = '';
    paragraphLines = [];
  };

  pageLines.forEach((lines, pageIndex) => {
    if (marks) pending += PAGE_MARK;
    for (const raw of lines) {
      if (raw.heading) {
        breakParagraph();
        blocks.push(`${pending}${'#'.repeat(raw.heading)} ${raw.text}`);
        pending = '';
        previous = raw.text;
        continue;
      }
      const line = raw.text.replace(BULLET, '- ');
      const isItem = line.startsWith('- ') || NUMBERED_ITEM.test(line);
      const reference = paragraphLines.length >= 2 ? Math.min(typical, Math.max(...paragraphLines)) : typical;
      if (current && !isItem && !endsBlock(previous, line, reference)) {
        const joined = joinLines(current, line, vocabulary);
        const at = joined.length - line.length;
        current = joined.slice(0, at) + pending + joined.slice(at);
      } else {
        breakParagraph();
        current = pending + line;
      }
      pending = '';
      previous = line;
      paragraphLines.push(line.length);
    }
    // A paragraph runs on to the next page only when it visibly stops mid-sentence.
    const nextFirst = pageLines[pageIndex + 1]?.[0];
    if (!(current && nextFirst && !nextFirst.heading && !SENTENCE_END.test(previous) && /^[a-z]/.test(nextFirst.text))) breakParagraph();
  });
  breakParagraph();
  if (pending) blocks.push(pending);

  return blocks
    .map((block, i) => (i === 0 ? block : `${isListLine(block) && isListLine(blocks[i - 1]) ? '\n' : '\n\n'}${block}`))
    .join('');
}

function isListLine(block: string | undefined): boolean {
  return block?.replaceAll(PAGE_MARK, '').startsWith('- ') ?? false;
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

function stripPageFurniture(pages: PdfLine[][]): PdfLine[][] {
  const key = (line: string): string => line.toLowerCase().replace(/\d+/g, '#');
  const edges = (lines: PdfLine[]): number[] => {
    const idx = lines.map((_, i) => i);
    return [...new Set([...idx.slice(0, EDGE_LINES), ...idx.slice(-EDGE_LINES)])];
  };

  const repeated = new Set<string>();
  if (pages.length >= 2) {
    const counts = new Map<string, number>();
    for (const lines of pages) {
      for (const k of new Set(edges(lines).map((i) => key(lines[i]?.text ?? '')))) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [k, n] of counts) if (n >= 2 && n > pages.length / 2) repeated.add(k);
  }

  return pages.map((lines) => {
    const drop = new Set(
      edges(lines).filter((i) => {
        const line = lines[i]?.text ?? '';
        // Running headers and footers are short; a long line repeated with other numbers is a form's body text.
        return (repeated.has(key(line)) && line.length <= FURNITURE_MAX_CHARS) || PAGE_NUMBER.test(line) || ROMAN_PAGE_NUMBER.test(line);
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
