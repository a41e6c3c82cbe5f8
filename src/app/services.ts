import { BUNDLED_CORPUS_DIR, formatSummary, sourceFor, type IngestContext, type IngestEvent, type IngestPageEvent, type IngestItem, type IngestSummary } from '../../ingest/pipeline.ts';
import { ingestInputs, refreshUrls, type UrlFetchOptions } from '../../ingest/url.ts';
import { answerExtractively, answerWithLlm, type Retriever } from '../answer/compose.ts';
import { questionRetriever } from '../answer/retriever.ts';
import { applyCatalogs, type CatalogOutcome } from '../catalog/catalog-file.ts';
import { extractiveAnswer } from '../answer/extractive.ts';
import { loadPrompts, type Prompts } from '../answer/prompts.ts';
import type { Answer, ConversationTurn } from '../domain/answer.ts';
import type { Config } from '../config.ts';
import { countChunks } from '../db/documents.ts';
import { ensureEmbedder } from '../db/embedder-record.ts';
import { openDb, type OpenDbOptions } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import { lazyLogger, type Logger } from '../log.ts';
import { createEmbedder, type Embedder } from '../search/embedder.ts';
import { analyzeQuery } from '../search/query.ts';
import { hybridSearch, type SearchFilters } from '../search/retrieve.ts';

/** Everything a front end needs, built once per process. Front ends never open the DB themselves. */
export interface Services {
  config: Config;
  db: Db;
  embedder: Embedder;
  logger: Logger;
  /** Prompt templates, checked at start-up. */
  prompts: Prompts;
  close(): Promise<void>;
}

export async function createServices(
  config: Config,
  options: OpenDbOptions & {
    logger?: Logger;
    embedder?: Embedder;
    db?: Db;
    skipEmbedderCheck?: boolean;
    promptsDir?: string;
    /**
     * False: check the embedder binding but leave the HNSW index to the caller. An ingest decides
     * about it itself (a bulk load drops it and builds it once at the end), so building a missing
     * one first, as every other start does, would be work thrown away.
     */
    vectorIndex?: boolean;
  } = {},
): Promise<Services> {
  // A broken prompt template is a start-up error, before anything is opened.
  const prompts = await loadPrompts(options.promptsDir);
  const logger = options.logger ?? lazyLogger(config.logLevel);
  const embedder = options.embedder ?? (await createEmbedder(config));
  const db = options.db ?? (await openDb(config, options));
  try {
    if (!options.skipEmbedderCheck) await ensureEmbedder(db, embedder, { vectorIndex: options.vectorIndex ?? true });
  } catch (err) {
    if (!options.db) await db.close();
    throw err;
  }
  return { config, db, embedder, logger, prompts, close: () => db.close() };
}

/**
 * Who asked for an ingest decides how far a URL fetch may reach: `cli` is someone with a shell on
 * the server (intranet addresses allowed); `slack` is a person in Slack (the SSRF guard applies
 * unless INGEST_ALLOW_PRIVATE_URLS=true).
 */
export type IngestTrigger = 'cli' | 'slack';

export function urlFetchOptions(config: Config, trigger: IngestTrigger): UrlFetchOptions {
  return { maxBytes: config.fetch.maxBytes, timeoutMs: config.fetch.timeoutMs, allowPrivate: trigger === 'cli' || config.fetch.allowPrivate };
}

export function ingestContext(services: Services): IngestContext {
  return { db: services.db, embedder: services.embedder, chunking: services.config.chunking, ocr: services.config.ocr };
}

/** Files, directories and http(s) URLs (fetched now, only because a person asked). */
export function ingest(
  services: Services,
  inputs: ReadonlyArray<string | IngestItem>,
  onEvent?: (e: IngestEvent) => void,
  options: { trigger?: IngestTrigger; onPage?: (e: IngestPageEvent) => void } = {},
): Promise<IngestSummary> {
  return ingestInputs({ ...ingestContext(services), onPage: options.onPage }, inputs, urlFetchOptions(services.config, options.trigger ?? 'cli'), onEvent);
}

/** `ingest --refresh`: every URL document fetched again, conditionally; unchanged ones skipped. */
export function refreshUrlDocuments(services: Services, onEvent?: (e: IngestEvent) => void): Promise<IngestSummary> {
  return refreshUrls(ingestContext(services), urlFetchOptions(services.config, 'cli'), onEvent);
}

/**
 * First use with an empty store ingests the bundled corpus, so a fresh clone answers at once.
 * Returns a line to show the user, or null when the store already had documents.
 */
export async function ensureCorpus(services: Services, onEvent?: (e: IngestEvent) => void): Promise<string | null> {
  if ((await countChunks(services.db)) > 0) {
    // A store made before the catalog existed gets the bundled catalog's facts without a manual
    // step; a catalog the store last applied as it is now is not even parsed (one read of its
    // hash), and one whose documents are not stored is skipped.
    await applyFolderCatalogs(services, [BUNDLED_CORPUS_DIR], { onlyChanged: true });
    return null;
  }
  const summary = await ingest(services, [BUNDLED_CORPUS_DIR], onEvent);
  await applyFolderCatalogs(services, [BUNDLED_CORPUS_DIR]);
  return `The store was empty, so the bundled policy corpus was ingested first. ${formatSummary(summary)}`;
}

/**
 * The catalog.yml of every ingested folder, applied after its documents (src/catalog): whole or
 * not at all, only what changed since it was last applied. Outcomes say what happened to each.
 */
export function applyFolderCatalogs(services: Services, inputs: ReadonlyArray<string | object>, options: { onlyChanged?: boolean } = {}): Promise<CatalogOutcome[]> {
  return applyCatalogs(services.db, inputs.filter((i): i is string => typeof i === 'string' && !/^https?:\/\//i.test(i)), { sourceFor, ...options });
}

export interface AskOptions {
  k?: number;
  filters?: SearchFilters;
  /** Prior turns of the conversation, oldest first: a follow-up is made standalone before retrieval. */
  history?: ConversationTurn[];
}

/**
 * The one question-answering path: Slack, the console and the CLI all call this. LLM mode when
 * a model is configured (OPENAI_API_KEY and/or OPENAI_BASE_URL), extractive mode otherwise; in
 * LLM mode a failing model falls back to the extractive answer with a note.
 */
export async function ask(services: Services, question: string, options: AskOptions = {}): Promise<Answer> {
  // Understood once, retrieved version-aware, status and comparison questions answered from the
  // catalog and the documents side by side, superseded warnings added by code (src/answer/retriever.ts).
  const retrieve: Retriever = questionRetriever({
    db: services.db,
    embedder: services.embedder,
    k: options.k ?? services.config.searchTopK,
    filters: options.filters,
  });
  const history = options.history ?? [];
  if (!services.config.openai.enabled) return answerExtractively(question, history, retrieve);
  return answerWithLlm({ config: services.config, logger: services.logger, prompts: services.prompts }, question, history, retrieve);
}
