import { fetchStates, listFetchedDocuments, recordFetch, type FetchState } from '../src/db/document-fetch.ts';
import { AppError, isAppError } from '../src/errors.ts';
import { fetchUrl, formatBytes, type FetchOptions } from '../src/net/safe-fetch.ts';
import { SUPPORTED_EXTENSIONS, formatForPath } from './loaders/index.ts';
import { ingestPaths, slugify, type IngestContext, type IngestEvent, type IngestItem, type IngestSummary } from './pipeline.ts';
import type { DocFormat } from './types.ts';

/**
 * Documents from a URL: fetched (src/net/safe-fetch.ts) only when a person asks for it, the
 * loader picked by Content-Type and then by the URL's extension, and ingested through the same
 * pipeline as files (HTML gets the same boilerplate removal). The URL is the document's source
 * (its key in the store) and its sourceUrl (what citations link to). The server's ETag and
 * Last-Modified are kept per document, so `--refresh` asks with If-None-Match /
 * If-Modified-Since and skips what did not change.
 */

/** Media types the loaders read. Generic types (octet-stream, none) fall back to the extension. */
const FORMAT_BY_TYPE: Record<string, DocFormat> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
};
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/download', 'application/force-download']);
const EXTENSION: Record<DocFormat, string> = { html: '.html', pdf: '.pdf', docx: '.docx', txt: '.txt', md: '.md' };

export function isWebUrl(input: string): boolean {
  return /^https?:\/\//i.test(input.trim());
}

/** The URL as the store keys it: parsed and normalised, without its #fragment. */
export function urlSource(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new AppError('input.invalid', `"${raw}" is not a valid URL.`);
  }
  url.hash = '';
  return url.href;
}

/** The loader for a fetched document: by Content-Type, else (generic or no type) by the URL path's extension. */
export function formatForResponse(contentType: string | null, url: string): DocFormat | undefined {
  const type = contentType?.split(';')[0]!.trim().toLowerCase() || null;
  if (type && Object.hasOwn(FORMAT_BY_TYPE, type)) return FORMAT_BY_TYPE[type];
  if (type && !GENERIC_TYPES.has(type)) return undefined;
  return formatForPath(decodeURIComponent(new URL(url).pathname));
}

/** A file name for a URL document: its last path segment (or the host), with the format's extension. */
export function urlFileName(url: string, format: DocFormat): string {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter(Boolean);
  let last = segments.at(-1) ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // keep it as written
  }
  const stem = last.replace(/\.[a-z0-9]{1,5}$/i, '');
  const base = slugify(stem && !/^index$/i.test(stem) ? stem : [u.hostname, ...segments.slice(0, -1)].join('-'));
  return `${base}${EXTENSION[format]}`;
}

/** What a URL fetch needs besides the URL: the limits and the guard, named by their settings. */
export interface UrlFetchOptions extends Omit<FetchOptions, 'ifNoneMatch' | 'ifModifiedSince'> {
  /** Skip the conditional headers even when the store holds a current copy (a forced refetch). */
  unconditional?: boolean;
}

/** The message of a fetch limit, with the setting that changes it. */
function withSetting(err: unknown, options: UrlFetchOptions): unknown {
  if (!isAppError(err, 'fetch.limit')) return err;
  const limit = (err.details as { limit?: string } | undefined)?.limit;
  const hint =
    limit === 'size'
      ? ` Set INGEST_URL_MAX_MB to fetch larger documents (now ${formatBytes(options.maxBytes ?? 0)}).`
      : limit === 'timeout'
        ? ' Set INGEST_URL_TIMEOUT_SECONDS to wait longer.'
        : limit === 'redirects'
          ? ' Give the address the redirects end at.'
          : '';
  return new AppError('fetch.limit', `${err.message}.${hint}`, { cause: err, details: err.details });
}

/** A URL as an ingest item. `state` is what the store holds for it (validators); `onFetched` hears what the server said. */
export function urlItem(
  raw: string,
  options: UrlFetchOptions,
  state: FetchState | undefined,
  onFetched: (facts: { etag: string | null; lastModified: string | null; finalUrl: string }) => void,
): IngestItem {
  const source = urlSource(raw);
  const item: IngestItem = {
    path: source,
    source,
    // Replaced by read() once the Content-Type is known; the loader and the id come from it.
    name: source,
    sourceUrl: source,
    async read(current) {
      const conditional = current && !options.unconditional && state ? { ifNoneMatch: state.etag, ifModifiedSince: state.lastModified } : {};
      let result;
      try {
        result = await fetchUrl(source, { ...options, ...conditional });
      } catch (err) {
        throw withSetting(err, options);
      }
      if (result.status === 'not-modified') {
        onFetched({ etag: result.etag ?? state?.etag ?? null, lastModified: result.lastModified ?? state?.lastModified ?? null, finalUrl: result.url });
        return 'unchanged';
      }
      const format = formatForResponse(result.contentType, result.url);
      if (!format) {
        throw new AppError(
          'ingest.unsupported',
          `${source}: the server sent ${result.contentType ? `"${result.contentType}"` : 'no content type'}, which is not a document type that can be ingested ` +
            `(HTML, PDF, DOCX, plain text or Markdown; by extension: ${SUPPORTED_EXTENSIONS.join(', ')}).`,
          { details: { url: source, contentType: result.contentType } },
        );
      }
      item.name = urlFileName(result.url, format);
      onFetched({ etag: result.etag, lastModified: result.lastModified, finalUrl: result.url });
      return result.body;
    },
  };
  return item;
}

/**
 * Ingests files, directories and http(s) URLs together (one run, one summary). After the run,
 * each URL document's validators are recorded for the next refresh.
 */
export async function ingestInputs(
  ctx: IngestContext,
  inputs: ReadonlyArray<string | IngestItem>,
  fetch: UrlFetchOptions,
  onEvent?: (e: IngestEvent) => void,
): Promise<IngestSummary> {
  const urls = inputs.filter((i): i is string => typeof i === 'string' && isWebUrl(i));
  const rest = inputs.filter((i) => typeof i !== 'string' || !isWebUrl(i));
  const states = await fetchStates(ctx.db, urls.map(urlSourceOrRaw));
  const fetched = new Map<string, { etag: string | null; lastModified: string | null }>();
  const items: Array<string | IngestItem> = [...rest];
  const seen = new Set<string>();
  for (const raw of urls) {
    let item: IngestItem;
    try {
      item = urlItem(raw, fetch, states.get(urlSourceOrRaw(raw)), (facts) => fetched.set(item.source, facts));
    } catch (err) {
      // Not even a URL: let the run report it like any unreadable input.
      item = { path: raw, source: raw, name: raw, sourceUrl: null, read: () => Promise.reject(err) };
    }
    if (seen.has(item.source)) continue;
    seen.add(item.source);
    items.push(item);
  }
  const summary = await ingestPaths(ctx, items, onEvent);
  for (const o of summary.files) {
    const facts = fetched.get(o.path);
    if (facts && o.status !== 'failed') await recordFetch(ctx.db, o.documentId, facts);
  }
  return summary;
}

function urlSourceOrRaw(raw: string): string {
  try {
    return urlSource(raw);
  } catch {
    return raw;
  }
}

/**
 * Fetches every URL document again, conditionally: a 304 (or the same bytes) is skipped, a
 * changed document replaced atomically, a failed fetch reported while the others carry on (the
 * stored copy stays).
 */
export async function refreshUrls(ctx: IngestContext, fetch: UrlFetchOptions, onEvent?: (e: IngestEvent) => void): Promise<IngestSummary> {
  const stored = await listFetchedDocuments(ctx.db);
  return ingestInputs(
    ctx,
    stored.map((s) => s.source),
    fetch,
    onEvent,
  );
}
