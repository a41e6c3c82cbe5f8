import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { findBySources, idTaken, replaceDocuments, type DocumentWrite, type NewChunk, type StoredVersion } from '../src/db/documents.ts';
import { refreshAcronyms } from '../src/db/acronyms.ts';
import { dropVectorIndexes, ensureEmbedder, ensureVectorIndex } from '../src/db/embedder-record.ts';
import type { Db } from '../src/db/types.ts';
import { AppError } from '../src/errors.ts';
import { embeddingInput, type Embedder } from '../src/domain/embedder.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { chunkDocument, type ChunkOptions } from './chunk.ts';
import { CLEANING_VERSION, cleanText } from './clean.ts';
import { loadBuffer, SUPPORTED_EXTENSIONS } from './loaders/index.ts';
import { extractMetadata } from './metadata.ts';
import { lazyOcrEngine, type OcrEngine } from './ocr.ts';
import { chunkPages } from './pages.ts';

export { PROJECT_ROOT };
export const BUNDLED_CORPUS_DIR = path.join(PROJECT_ROOT, 'ingest', 'corpus');

export interface IngestContext {
  db: Db;
  embedder: Embedder;
  chunking: ChunkOptions;
  /**
   * Postgres only: how the HNSW index is kept during the ingest. `maintain` keeps it and lets
   * every insert update it; `bulk` drops it and builds it once at the end (several times
   * faster for a large load, but until then vector queries scan exactly); `auto` (the default)
   * picks bulk when the ingest adds at least 200 documents and at least a fifth of the store.
   */
  vectorIndex?: 'auto' | 'bulk' | 'maintain';
  /** Documents and chunks per write transaction (defaults 64 and 1,000). */
  batch?: { files?: number; chunks?: number };
  /**
   * OCR of PDF pages without a text layer (config `OCR`, default on). `minConfidence`: a page
   * read with a lower mean confidence (0-100) is reported. `engine` replaces tesseract.js.
   */
  ocr?: { enabled: boolean; minConfidence?: number; engine?: OcrEngine };
  /** Called after each page of a paged document is read (before the file's own event). */
  onPage?: (e: IngestPageEvent) => void;
}

const BATCH_FILES = 64;
const BATCH_CHUNKS = 1000;

export type FileOutcome =
  | {
      path: string;
      status: 'ingested' | 'updated';
      documentId: string;
      chunks: number;
      /** Paged formats: the page count, and the pages read by OCR. */
      pages?: number;
      ocrPages?: number[];
      /** E.g. a page OCR read with low confidence: shown under the file's line. */
      warnings?: string[];
    }
  | { path: string; status: 'unchanged'; documentId: string }
  | { path: string; status: 'failed'; error: string; code: string };

export interface IngestSummary {
  documents: number;
  chunks: number;
  skipped: number;
  failed: number;
  seconds: number;
  files: FileOutcome[];
  /** Postgres: whether the HNSW index was maintained per insert or built once at the end, and how long that took. */
  vectorIndex?: { strategy: 'bulk' | 'maintain'; buildSeconds: number | null };
}

export type IngestEvent = { type: 'start'; total: number } | { type: 'file'; outcome: FileOutcome };

/** A page of a paged document was read: long scans take seconds a page, so progress can follow pages. */
export interface IngestPageEvent {
  path: string;
  page: number;
  pages: number;
}

/**
 * One document to ingest, wherever its bytes come from: a file on disk (fileItem), a URL
 * (ingest/url.ts), a Slack upload. Read lazily, one at a time, so memory holds one document's
 * bytes whatever the number of items.
 */
export interface IngestItem {
  /** What outcomes and errors name: the file path, the URL. */
  path: string;
  /** The key the store knows the document by (documents.source, unique). */
  source: string;
  /** A file name: its extension picks the loader; its words go into the search context and the id. */
  name: string;
  /** Where citations link to (a web page), or null. */
  sourceUrl: string | null;
  /**
   * The bytes. `current` is true when the store holds this source at the current pipeline
   * version, so a source that can tell cheaply (an HTTP 304) may answer 'unchanged'.
   */
  read(current: boolean): Promise<Uint8Array | 'unchanged'>;
}

/** A file on disk as an ingest item. */
export function fileItem(absPath: string): IngestItem {
  return {
    path: absPath,
    source: sourceFor(absPath),
    name: absPath,
    sourceUrl: null,
    read: () =>
      readFile(absPath).catch((err: NodeJS.ErrnoException) => {
        throw new AppError('ingest.unreadable', `${absPath}: cannot read the file (${err.code ?? err.message})`, { cause: err });
      }),
  };
}

/** Paths expanded (directories walked) to file items; items that are not files kept as given, after them. */
async function expandInputs(inputs: ReadonlyArray<string | IngestItem>): Promise<IngestItem[]> {
  const paths = inputs.filter((i): i is string => typeof i === 'string');
  const others = inputs.filter((i): i is IngestItem => typeof i !== 'string');
  return [...(paths.length > 0 ? (await expandPaths(paths)).map(fileItem) : []), ...others];
}

/** README files describe a folder rather than being one of its documents; dotfiles are tool state. */
function walkable(name: string): boolean {
  return !name.startsWith('.') && !/^readme(\.[a-z]+)?$/i.test(name);
}

/** Expands directories (recursively, sorted) to the supported files inside them; files named explicitly are kept as given. */
export async function expandPaths(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (!walkable(e.name)) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && SUPPORTED_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(full);
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(input);
    const info = await stat(abs).catch(() => null);
    if (info?.isDirectory()) await walk(abs);
    else out.push(abs);
  }
  return [...new Set(out)];
}

/** Where a document came from, stable across machines for files inside the project. */
export function sourceFor(absPath: string): string {
  const rel = path.relative(PROJECT_ROOT, absPath);
  return rel.startsWith('..') || path.isAbsolute(rel) ? absPath : rel.split(path.sep).join('/');
}

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'document'
  );
}

export function pipelineVersion(embedder: Embedder, chunking: ChunkOptions): string {
  return `${CLEANING_VERSION};target=${chunking.targetChars};overlap=${chunking.overlapChars};embedder=${embedder.name}`;
}

export { embeddingInput };

/** A file read, cleaned, chunked and embedded, waiting for its batch to be written. */
interface PreparedWrite {
  doc: DocumentWrite;
  chunks: NewChunk[];
  status: 'ingested' | 'updated';
  warnings: string[];
}

type Entry = { path: string; outcome: FileOutcome; write?: undefined } | { path: string; write: PreparedWrite; outcome?: undefined };

function failure(file: string, err: unknown): FileOutcome {
  const code = err instanceof AppError ? err.code : 'ingest.unreadable';
  let message = err instanceof Error ? err.message : String(err);
  if (!message.includes(file)) message = `${file}: ${message}`;
  return { path: file, status: 'failed', error: message, code };
}

/**
 * Reads one file and, unless the store already has this version of it, turns it into a
 * document write. Only this file's bytes are in memory here; nothing is written yet.
 */
async function prepareFile(
  ctx: IngestContext,
  item: IngestItem,
  existing: StoredVersion | undefined,
  version: string,
  reserved: Set<string>,
  ocr: OcrEngine | null = null,
): Promise<Entry> {
  const { path: absPath, source } = item;
  const read = await item.read(existing !== undefined && existing.pipelineVersion === version);
  if (read === 'unchanged') {
    if (!existing) throw new AppError('internal', `${absPath}: reported unchanged but not in the store`);
    return { path: absPath, outcome: { path: absPath, status: 'unchanged', documentId: existing.id } };
  }
  const bytes = read;
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  if (existing && existing.contentHash === contentHash && existing.pipelineVersion === version) {
    return { path: absPath, outcome: { path: absPath, status: 'unchanged', documentId: existing.id } };
  }

  const loaded = await loadBuffer(bytes, item.name, {
    ocr,
    ocrMinConfidence: ctx.ocr?.minConfidence,
    onPage: (page, pages) => ctx.onPage?.({ path: absPath, page, pages }),
  });
  const cleaned = cleanText(loaded.text, { paged: loaded.pages !== undefined });
  if (!cleaned.text.trim()) throw new AppError('ingest.empty', `${absPath}: no text left after removing page boilerplate`);
  const meta = extractMetadata(cleaned, loaded);
  const pieces = chunkDocument(cleaned, ctx.chunking);

  // File names are often descriptive ("2023-revised-...-policy.txt"): searchable, never shown as a date.
  const fileWords = path.basename(item.name, path.extname(item.name)).replace(/[-_.]+/g, ' ').trim();
  const contexts = pieces.map((c) => [meta.title, ...c.headingPath.filter((h) => h !== meta.title), `(${fileWords})`].join(' › '));
  const vectors = await ctx.embedder.embed(pieces.map((c, i) => embeddingInput(contexts[i]!, c.text)));
  const ocrPages = (loaded.ocr ?? []).map((o) => o.page);
  const chunks: NewChunk[] = pieces.map((c, i) => ({
    ...c,
    ...chunkPages(cleaned.pageStarts, c.start, c.end, ocrPages),
    context: contexts[i]!,
    embedding: vectors[i]!,
  }));

  let id = existing?.id;
  if (!id) {
    // Ids of documents still waiting in a batch count as taken too: they are not in the store yet.
    const base = slugify(path.basename(item.name, path.extname(item.name)));
    id = reserved.has(base) || (await idTaken(ctx.db, base)) ? `${base}-${createHash('sha1').update(source).digest('hex').slice(0, 6)}` : base;
  }
  reserved.add(id);
  return {
    path: absPath,
    write: {
      status: existing ? 'updated' : 'ingested',
      chunks,
      warnings: loaded.warnings ?? [],
      doc: {
        id,
        title: meta.title,
        kind: meta.kind,
        issuingOffice: meta.issuingOffice,
        publishedOn: meta.publishedOn,
        source,
        sourceUrl: item.sourceUrl,
        format: loaded.format,
        contentHash,
        pipelineVersion: version,
        contacts: meta.contacts,
        body: cleaned.text,
        pageCount: loaded.pages ?? null,
        pageStarts: cleaned.pageStarts ?? null,
        ocrPages,
        ocrConfidence: (loaded.ocr ?? []).map((o) => o.confidence),
      },
    },
  };
}

/**
 * Writes a batch's documents in one transaction. If it fails, each document is retried in a
 * transaction of its own, so one bad document fails alone and the rest of the batch lands.
 * Returns the outcomes in the batch's (file) order.
 */
async function commitBatch(ctx: IngestContext, entries: Entry[]): Promise<FileOutcome[]> {
  const writes = entries.filter((e) => e.write);
  const done = (e: Entry): FileOutcome => {
    const { doc, status, chunks, warnings } = e.write!;
    return {
      path: e.path,
      status,
      documentId: doc.id,
      chunks: chunks.length,
      ...(doc.pageCount !== null ? { pages: doc.pageCount, ocrPages: doc.ocrPages } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  };
  const outcomes = new Map<Entry, FileOutcome>();
  if (writes.length > 0) {
    try {
      await ctx.db.transaction((tx) => replaceDocuments(tx, writes.map((e) => e.write!)));
      for (const e of writes) outcomes.set(e, done(e));
    } catch (err) {
      if (writes.length === 1) outcomes.set(writes[0]!, failure(writes[0]!.path, err));
      else {
        for (const e of writes) {
          try {
            await ctx.db.transaction((tx) => replaceDocuments(tx, [e.write!]));
            outcomes.set(e, done(e));
          } catch (one) {
            outcomes.set(e, failure(e.path, one));
          }
        }
      }
    }
  }
  return entries.map((e) => e.outcome ?? outcomes.get(e)!);
}

/**
 * Bulk loads on Postgres: ingesting 42,005 chunks took 214 s with the HNSW graph maintained insert by
 * insert and 53 s with it built once at the end (17 s of that the build; bench/large-corpus.ts
 * --compare, README "Scale"), so dropping the index and building it at the end pays when the load
 * adds a fair share of what the store will hold. Small loads keep the index: a store is never
 * without it for a trivial ingest.
 */
export const BULK_MIN_NEW_FILES = 200;
export const BULK_MIN_SHARE = 0.2;

export function bulkLoadPays(added: number, stored: number): boolean {
  return added >= BULK_MIN_NEW_FILES && added >= BULK_MIN_SHARE * (stored + added);
}

async function chooseIndexStrategy(ctx: IngestContext, files: IngestItem[]): Promise<'bulk' | 'maintain' | 'none'> {
  if (ctx.db.kind !== 'postgres') return 'none';
  const wanted = ctx.vectorIndex ?? 'auto';
  if (wanted !== 'auto') return wanted;
  const [row] = await ctx.db.query<{ present: number; stored: number }>(
    `SELECT (SELECT count(*)::int FROM documents WHERE source = ANY($1::text[])) AS present,
            (SELECT count(*)::int FROM documents) AS stored`,
    [files.map((f) => f.source)],
  );
  return bulkLoadPays(files.length - (row?.present ?? 0), row?.stored ?? 0) ? 'bulk' : 'maintain';
}

/**
 * Ingests files and directories. Unchanged files are skipped, changed ones replaced, and a
 * file that fails is reported while the rest carry on.
 *
 * Files are prepared (read, cleaned, chunked, embedded) one at a time and written in batches
 * of up to `batch.files` documents or `batch.chunks` chunks, one transaction each, while the
 * next batch is prepared: memory holds at most two batches whatever the corpus size, and an
 * interrupted run loses at most the batches not yet committed. A rerun skips what was
 * committed (same content hash and pipeline version), so an interrupted ingest resumes.
 * Events for a file are emitted once its batch has committed.
 */
export async function ingestPaths(
  ctx: IngestContext,
  inputs: ReadonlyArray<string | IngestItem>,
  onEvent: (e: IngestEvent) => void = () => undefined,
): Promise<IngestSummary> {
  const started = performance.now();
  await ensureEmbedder(ctx.db, ctx.embedder, { vectorIndex: false });
  const files = await expandInputs(inputs);
  onEvent({ type: 'start', total: files.length });
  const strategy = await chooseIndexStrategy(ctx, files);
  if (strategy === 'bulk') await dropVectorIndexes(ctx.db);
  else await ensureVectorIndex(ctx.db, ctx.embedder.dimensions);

  const maxFiles = Math.max(1, ctx.batch?.files ?? BATCH_FILES);
  const maxChunks = Math.max(1, ctx.batch?.chunks ?? BATCH_CHUNKS);
  const version = pipelineVersion(ctx.embedder, ctx.chunking);
  const outcomes: FileOutcome[] = [];
  const reserved = new Set<string>();
  let batch: Entry[] = [];
  let batchChunks = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const entries = batch;
    batch = [];
    batchChunks = 0;
    // One batch is written while the next is prepared; the one before must have committed.
    await inFlight;
    inFlight = commitBatch(ctx, entries).then((results) => {
      for (const e of entries) if (e.write) reserved.delete(e.write.doc.id);
      for (const o of results) {
        outcomes.push(o);
        onEvent({ type: 'file', outcome: o });
      }
    });
    // A failure surfaces at the next flush (or the end); until then it is not "unhandled".
    inFlight.catch(() => undefined);
  };

  let buildSeconds: number | null = null;
  let error: unknown = null;
  // One OCR worker for the whole run, started only if a page needs it.
  const ocr = ctx.ocr?.enabled === false ? null : (ctx.ocr?.engine ?? lazyOcrEngine());
  try {
    for (let i = 0; i < files.length; i += maxFiles) {
      const group = files.slice(i, i + maxFiles);
      const stored = await findBySources(ctx.db, group.map((f) => f.source));
      for (const file of group) {
        let entry: Entry;
        try {
          entry = await prepareFile(ctx, file, stored.get(file.source), version, reserved, ocr);
        } catch (err) {
          entry = { path: file.path, outcome: failure(file.path, err) };
        }
        batch.push(entry);
        batchChunks += entry.write?.chunks.length ?? 0;
        if (batch.length >= maxFiles || batchChunks >= maxChunks) await flush();
      }
    }
    if (batch.length > 0) await flush();
    await inFlight;
  } catch (err) {
    error = err;
  } finally {
    if (ocr && !ctx.ocr?.engine) await ocr.close().catch(() => undefined);
  }
  if (strategy === 'bulk') {
    // Also after a failure: the store must not be left without its index. (After a kill, the
    // next start-up builds it: ensureEmbedder.)
    const t0 = performance.now();
    try {
      await ensureVectorIndex(ctx.db, ctx.embedder.dimensions);
      buildSeconds = (performance.now() - t0) / 1000;
    } catch (err) {
      error ??= err;
    }
  }
  if (error) throw error;
  // The acronyms the new and changed documents define (a cut-off run is caught up next time).
  await refreshAcronyms(ctx.db);
  // Fresh planner statistics for what was written: until autovacuum gets to the new rows, the
  // planner guesses, and the first questions after a large ingest pay for it.
  if (ctx.db.kind === 'postgres' && outcomes.some((o) => o.status === 'ingested' || o.status === 'updated')) {
    await ctx.db.exec('ANALYZE documents, chunks, lexeme_stats');
  }
  return {
    documents: outcomes.filter((o) => o.status === 'ingested' || o.status === 'updated').length,
    chunks: outcomes.reduce((n, o) => n + ('chunks' in o ? o.chunks : 0), 0),
    skipped: outcomes.filter((o) => o.status === 'unchanged').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    seconds: (performance.now() - started) / 1000,
    files: outcomes,
    ...(strategy === 'none' ? {} : { vectorIndex: { strategy, buildSeconds } }),
  };
}

export function formatSummary(s: IngestSummary): string {
  const index =
    s.vectorIndex?.buildSeconds != null ? `; vector index built once at the end (${s.vectorIndex.buildSeconds.toFixed(1)} s)` : '';
  return `Ingested ${s.documents} document(s), ${s.chunks} chunk(s); ${s.skipped} unchanged (skipped), ${s.failed} failed, in ${s.seconds.toFixed(1)} s${index}.`;
}
