import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { AppError, isAppError } from '../../src/errors.ts';
import { PAGE_MARK } from '../clean.ts';
import { assertFileSize, assertZipWithinLimits } from '../limits.ts';
import type { DocFormat, LoadedDocument, LoadOptions } from '../types.ts';
import { extractTxt, type Extracted } from './txt.ts';

const FORMAT_BY_EXTENSION = {
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.docx': 'docx',
} as const satisfies Record<string, DocFormat>;

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

/**
 * Each loader but plain text is imported when a file of its format is first read: cheerio (and
 * the undici it brings), pdf.js, mammoth and jszip are heavy, and most commands read no file.
 */
const EXTRACTORS: Record<DocFormat, (buffer: Uint8Array, options: LoadOptions) => Extracted | Promise<Extracted>> = {
  txt: extractTxt,
  md: async (buffer) => (await import('./md.ts')).extractMarkdown(buffer),
  html: async (buffer) => (await import('./html.ts')).extractHtml(buffer),
  pdf: async (buffer, options) => (await import('./pdf.ts')).extractPdf(buffer, options),
  docx: async (buffer) => (await import('./docx.ts')).extractDocx(buffer),
};

/** The format a file name maps to, or undefined when the extension is not supported. */
export function formatForPath(path: string): DocFormat | undefined {
  const ext = extname(path).toLowerCase();
  return Object.hasOwn(FORMAT_BY_EXTENSION, ext) ? FORMAT_BY_EXTENSION[ext as keyof typeof FORMAT_BY_EXTENSION] : undefined;
}

export async function loadFile(path: string, options: LoadOptions = {}): Promise<LoadedDocument> {
  const format = requireFormat(path);
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new AppError('ingest.unreadable', `Cannot read "${path}": ${describeFsError(reason, err)}`, { cause: err });
  }
  return extract(buffer, path, format, options);
}

/** Same as loadFile, for content already in memory (e.g. an attachment); `filename` picks the format. */
export async function loadBuffer(buffer: Uint8Array, filename: string, options: LoadOptions = {}): Promise<LoadedDocument> {
  return extract(buffer, filename, requireFormat(filename), options);
}

function requireFormat(path: string): DocFormat {
  const format = formatForPath(path);
  if (format) return format;
  const ext = extname(path);
  throw new AppError(
    'ingest.unsupported',
    `Cannot load "${path}": ${ext ? `"${ext}" files are not supported` : 'the file has no extension'}. ` +
      `Supported extensions: ${SUPPORTED_EXTENSIONS.join(', ')}.`,
    { details: { path, extension: ext } },
  );
}

async function extract(buffer: Uint8Array, path: string, format: DocFormat, options: LoadOptions): Promise<LoadedDocument> {
  let extracted: Extracted;
  try {
    // Limits before any parsing: a 100 MB page or a zip bomb is refused from its size alone.
    assertFileSize(format, buffer.byteLength, path);
    if (format === 'docx') assertZipWithinLimits(buffer, path);
    extracted = await EXTRACTORS[format](buffer, options);
  } catch (err) {
    if (isAppError(err)) {
      if (err.message.includes(path)) throw err;
      throw new AppError(err.code, `Cannot read "${path}": ${err.message}`, { cause: err, details: { path, format } });
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new AppError('ingest.unreadable', `Cannot read "${path}" as ${format.toUpperCase()}: ${reason}`, {
      cause: err,
      details: { path, format },
    });
  }

  if (extracted.text.replaceAll(PAGE_MARK, '').trim() === '') {
    const hint = format === 'pdf' ? ' (a scanned PDF without a text layer has no extractable text)' : '';
    throw new AppError('ingest.empty', `"${path}" contains no text${hint}.`, { details: { path, format } });
  }
  return { ...extracted, path, format };
}

function describeFsError(code: string, err: unknown): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    default:
      return err instanceof Error ? err.message : code;
  }
}
