import { PDFParse } from 'pdf-parse';
import { formatForPath, loadBuffer } from '../../ingest/loaders/index.ts';
import { reflowPdfPages } from '../../ingest/loaders/pdf.ts';
import { isAppError } from '../errors.ts';
import { sentencesOf, sumBasic, wordProbabilities } from './lexical.ts';
import type { ThreadFile, ThreadMessage } from './thread.ts';
import type { AttachmentDigest, SourceRef } from './types.ts';

/**
 * Files attached to thread messages (often the stakeholder's letter itself), read through the
 * ingest loaders: PDF page by page (so a point is cited "letter.pdf, p. 2"), DOCX, text,
 * Markdown and HTML whole. Where the bytes come from is the caller's: Slack's files API with
 * the bot token, or an export's local copy (or its url_private when a token is configured).
 * A file that cannot be had or read is kept with the reason, and the summary names it.
 */

export interface FileFetcher {
  /** The file's bytes; throws with a short reason a person can act on. */
  fetch(file: ThreadFile, message: ThreadMessage): Promise<Uint8Array>;
}

/** Files larger than this are not downloaded for a summary. */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
/** Files read per thread, oldest first. */
export const MAX_ATTACHMENTS = 10;
const POINTS_PER_FILE = 3;

export interface FilePages {
  /** Text per page; one entry for a format without pages. */
  pages: string[];
  paged: boolean;
}

/**
 * The text of each page of a PDF, cleaned like ingest cleans a whole document (reflowPdfPages,
 * one page at a time). Kept here until the ingest loader exposes its pages.
 */
export async function pdfPageTexts(bytes: Uint8Array): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return result.pages.map((p) => reflowPdfPages([p.text]));
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

export async function readFilePages(bytes: Uint8Array, name: string): Promise<FilePages> {
  const format = formatForPath(name);
  if (format === 'pdf') {
    // The loader first: it says what is wrong with a broken or scanned PDF in the words ingest uses.
    await loadBuffer(bytes, name);
    return { pages: await pdfPageTexts(bytes), paged: true };
  }
  const doc = await loadBuffer(bytes, name);
  return { pages: [doc.text], paged: false };
}

function problemOf(err: unknown): string {
  const message = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
  return message.replace(/^Cannot (?:load|read) "[^"]*"(?: as \w+)?: /, '').replace(/\s+/g, ' ').slice(0, 200);
}

/** Reads the files of the people's messages and picks each file's most central sentences, cited by page. */
export async function readAttachments(messages: readonly ThreadMessage[], fetcher: FileFetcher): Promise<AttachmentDigest[]> {
  const out: AttachmentDigest[] = [];
  for (const m of messages) {
    if (m.isBot || m.deleted) continue;
    for (const f of m.files) {
      if (out.length >= MAX_ATTACHMENTS) return out;
      const name = f.title && formatForPath(f.title) ? f.title : f.name;
      const source: SourceRef = { kind: 'message', id: m.ts, ...(m.permalink ? { link: m.permalink } : {}), label: m.organization ? `${m.userName} (${m.organization})` : m.userName };
      if (!formatForPath(f.name) && !formatForPath(name)) {
        out.push({ name, source, read: false, problem: 'not a PDF, DOCX or text file', points: [] });
        continue;
      }
      try {
        const bytes = await fetcher.fetch(f, m);
        if (bytes.byteLength > ATTACHMENT_MAX_BYTES) throw new Error(`larger than ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB`);
        const { pages, paged } = await readFilePages(bytes, formatForPath(f.name) ? f.name : name);
        out.push({ name, source, read: true, ...(paged ? { pages: pages.length } : {}), points: digest(name, pages, paged) });
      } catch (err) {
        out.push({ name, source, read: false, problem: problemOf(err), points: [] });
      }
    }
  }
  return out;
}

/** The file's most central sentences (SumBasic over all its pages), in page order, each cited "name, p. N". */
export function digest(name: string, pages: readonly string[], paged: boolean): AttachmentDigest['points'] {
  const sentences = pages.flatMap((text, page) => sentencesOf(text, page).filter((s) => s.stems.length >= 4 && s.text.length <= 400));
  if (sentences.length === 0) return [];
  const chosen = sumBasic(sentences, POINTS_PER_FILE, { probabilities: wordProbabilities(sentences.map((s) => s.stems)) });
  return chosen
    .sort((a, b) => a.source - b.source || a.position - b.position)
    .map((s) => (paged ? { text: s.text, page: s.source + 1, cite: `${name}, p. ${s.source + 1}` } : { text: s.text, cite: name }));
}

/** Downloads a file with a bearer token (Slack's url_private_download), within the size limit. */
export async function bearerDownload(url: string, token: string, timeoutMs = 20_000): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`download failed (${(err as Error).message})`);
  }
  if (!res.ok) throw new Error(`download failed (HTTP ${res.status})`);
  const type = res.headers.get('content-type') ?? '';
  // Slack answers a download without a valid token with its sign-in page.
  if (type.startsWith('text/html') && !/\.html?$/i.test(new URL(url).pathname)) throw new Error('Slack did not hand over the file (is the files:read scope granted?)');
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > ATTACHMENT_MAX_BYTES) throw new Error(`larger than ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB`);
  return new Uint8Array(await res.arrayBuffer());
}
