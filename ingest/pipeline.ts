import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBySource, idTaken, replaceDocument, type NewChunk } from '../src/db/documents.ts';
import { ensureEmbedder } from '../src/db/embedder-record.ts';
import type { Db } from '../src/db/types.ts';
import { AppError } from '../src/errors.ts';
import type { Embedder } from '../src/search/embedder.ts';
import { chunkDocument, type ChunkOptions } from './chunk.ts';
import { CLEANING_VERSION, cleanText } from './clean.ts';
import { loadBuffer, SUPPORTED_EXTENSIONS } from './loaders/index.ts';
import { extractMetadata } from './metadata.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLED_CORPUS_DIR = path.join(PROJECT_ROOT, 'ingest', 'corpus');

export interface IngestContext {
  db: Db;
  embedder: Embedder;
  chunking: ChunkOptions;
}

export type FileOutcome =
  | { path: string; status: 'ingested' | 'updated'; documentId: string; chunks: number }
  | { path: string; status: 'unchanged'; documentId: string }
  | { path: string; status: 'failed'; error: string; code: string };

export interface IngestSummary {
  documents: number;
  chunks: number;
  skipped: number;
  failed: number;
  seconds: number;
  files: FileOutcome[];
}

export type IngestEvent = { type: 'start'; total: number } | { type: 'file'; outcome: FileOutcome };

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

/** The text an embedding sees: where the passage sits (title, headings) and the passage itself. */
export function embeddingInput(context: string, text: string): string {
  return context ? `${context}\n${text}` : text;
}

async function ingestOne(ctx: IngestContext, absPath: string): Promise<FileOutcome> {
  const source = sourceFor(absPath);
  const bytes = await readFile(absPath).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('ingest.unreadable', `${absPath}: cannot read the file (${err.code ?? err.message})`, { cause: err });
  });
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  const version = pipelineVersion(ctx.embedder, ctx.chunking);
  const existing = await findBySource(ctx.db, source);
  if (existing && existing.contentHash === contentHash && existing.pipelineVersion === version) {
    return { path: absPath, status: 'unchanged', documentId: existing.id };
  }

  const loaded = await loadBuffer(bytes, absPath);
  const cleaned = cleanText(loaded.text);
  if (!cleaned.text.trim()) throw new AppError('ingest.empty', `${absPath}: no text left after removing page boilerplate`);
  const meta = extractMetadata(cleaned, loaded);
  const pieces = chunkDocument(cleaned, ctx.chunking);

  // File names are often descriptive ("2023-revised-...-policy.txt"): searchable, never shown as a date.
  const fileWords = path.basename(absPath, path.extname(absPath)).replace(/[-_.]+/g, ' ').trim();
  const contexts = pieces.map((c) => [meta.title, ...c.headingPath.filter((h) => h !== meta.title), `(${fileWords})`].join(' › '));
  const vectors = await ctx.embedder.embed(pieces.map((c, i) => embeddingInput(contexts[i]!, c.text)));
  const chunks: NewChunk[] = pieces.map((c, i) => ({ ...c, context: contexts[i]!, embedding: vectors[i]! }));

  let id = existing?.id;
  if (!id) {
    const base = slugify(path.basename(absPath, path.extname(absPath)));
    id = (await idTaken(ctx.db, base)) ? `${base}-${createHash('sha1').update(source).digest('hex').slice(0, 6)}` : base;
  }
  const documentId = id;
  await ctx.db.transaction((tx) =>
    replaceDocument(
      tx,
      {
        id: documentId,
        title: meta.title,
        kind: meta.kind,
        issuingOffice: meta.issuingOffice,
        publishedOn: meta.publishedOn,
        source,
        sourceUrl: /^https?:\/\//.test(source) ? source : null,
        format: loaded.format,
        contentHash,
        pipelineVersion: version,
        contacts: meta.contacts,
        body: cleaned.text,
      },
      chunks,
    ),
  );
  return { path: absPath, status: existing ? 'updated' : 'ingested', documentId, chunks: chunks.length };
}

/**
 * Ingests files and directories. Unchanged files are skipped, changed ones replaced in one
 * transaction, and a file that fails is reported while the rest carry on.
 */
export async function ingestPaths(
  ctx: IngestContext,
  inputs: string[],
  onEvent: (e: IngestEvent) => void = () => undefined,
): Promise<IngestSummary> {
  const started = performance.now();
  await ensureEmbedder(ctx.db, ctx.embedder);
  const files = await expandPaths(inputs);
  onEvent({ type: 'start', total: files.length });
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    let outcome: FileOutcome;
    try {
      outcome = await ingestOne(ctx, file);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'ingest.unreadable';
      let message = err instanceof Error ? err.message : String(err);
      if (!message.includes(file)) message = `${file}: ${message}`;
      outcome = { path: file, status: 'failed', error: message, code };
    }
    outcomes.push(outcome);
    onEvent({ type: 'file', outcome });
  }
  return {
    documents: outcomes.filter((o) => o.status === 'ingested' || o.status === 'updated').length,
    chunks: outcomes.reduce((n, o) => n + ('chunks' in o ? o.chunks : 0), 0),
    skipped: outcomes.filter((o) => o.status === 'unchanged').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    seconds: (performance.now() - started) / 1000,
    files: outcomes,
  };
}

export function formatSummary(s: IngestSummary): string {
  return `Ingested ${s.documents} document(s), ${s.chunks} chunk(s); ${s.skipped} unchanged (skipped), ${s.failed} failed, in ${s.seconds.toFixed(1)} s.`;
}
