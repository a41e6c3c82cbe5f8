import { InvalidArgumentError } from 'commander';
import type { IngestEvent, IngestPageEvent } from '../../ingest/pipeline.ts';
import type { Services } from '../app/services.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { SearchFilters } from '../search/retrieve.ts';

/**
 * Helpers the command groups share. This module and each group's `register` run for every
 * command (even `--help`), so they import only light modules at the top; whatever a command
 * needs to do its work (services, the database, Bolt, openai, cli-progress) is loaded with
 * `await import()` inside its action, so a command pays only for what it runs.
 */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError('expected a whole number from 1 to 50');
  return n;
}

export function limitOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected a whole number from 1 to 500');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function checkDate(since: string | undefined, flag = '--since'): void {
  if (since && !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new AppError('input.invalid', `Expected ${flag} YYYY-MM-DD`);
}

/** What a file's outcome has to say besides its status: OCR pages read poorly, pages left unread. */
function warningsOf(e: IngestEvent): string[] {
  if (e.type !== 'file' || !('warnings' in e.outcome) || !e.outcome.warnings) return [];
  return e.outcome.warnings.map((w) => `warning: ${e.outcome.path}: ${w}\n`);
}

/**
 * A progress bar on a terminal; nothing on a pipe or in CI, where the summary line is enough.
 * The bar counts files and, for paged documents, pages: a long scan (seconds a page by OCR)
 * moves it page by page.
 */
export async function progressReporter(
  label: string,
): Promise<{ onEvent: (e: IngestEvent) => void; onPage: (e: IngestPageEvent) => void; stop: () => void }> {
  if (!process.stderr.isTTY) {
    return {
      onEvent: (e) => {
        if (e.type === 'file' && e.outcome.status === 'failed') process.stderr.write(`failed: ${e.outcome.error}\n`);
        for (const w of warningsOf(e)) process.stderr.write(w);
      },
      onPage: () => undefined,
      stop: () => undefined,
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  const path = await import('node:path');
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {file}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const failures: string[] = [];
  const warnings: string[] = [];
  const counted = new Set<string>();
  return {
    onEvent: (e) => {
      if (e.type === 'start') bar.start(e.total, 0, { file: '' });
      else {
        if (e.outcome.status === 'failed') failures.push(e.outcome.error);
        warnings.push(...warningsOf(e));
        bar.increment({ file: path.basename(e.outcome.path) });
      }
    },
    onPage: (e) => {
      // A document's pages join the total when its first page is read.
      if (!counted.has(e.path)) {
        counted.add(e.path);
        bar.setTotal(bar.getTotal() + e.pages);
      }
      bar.increment({ file: `${path.basename(e.path)} p. ${e.page}/${e.pages}` });
    },
    stop: () => {
      bar.stop();
      for (const f of failures) process.stderr.write(`failed: ${f}\n`);
      for (const w of warnings) process.stderr.write(w);
    },
  };
}

export interface WithServicesOptions {
  skipEmbedderCheck?: boolean;
  vectorIndex?: boolean;
  /**
   * `if-behind` (the default here: ask, docs, doctor, eval and the other readers): one
   * schema-version check on a ready store, migrations only when it is behind. `apply`: the
   * commands that write the store's contents in bulk (ingest, reindex, start) migrate as always.
   */
  migrations?: 'apply' | 'if-behind';
}

/** Builds the services for one command and closes them afterwards, whatever happens. */
export async function withServices<T>(fn: (s: Services, config: Config) => Promise<T>, options: WithServicesOptions = {}): Promise<T> {
  const { getConfig } = await import('../config.ts');
  const { createServices } = await import('../app/services.ts');
  const config = getConfig();
  const services = await createServices(config, { migrations: 'if-behind', ...options });
  try {
    return await fn(services, config);
  } finally {
    await services.close();
  }
}

/** The first use of an empty store ingests the bundled corpus (with a progress bar on a terminal). */
export async function ensureCorpusWithProgress(services: Services): Promise<void> {
  const { ensureCorpus } = await import('../app/services.ts');
  const progress = await progressReporter('Ingesting bundled corpus');
  const note = await ensureCorpus(services, progress.onEvent);
  progress.stop();
  if (note) process.stderr.write(`${note}\n`);
}

export async function filtersFrom(opts: { doc?: string[]; from?: string; to?: string }): Promise<SearchFilters | undefined> {
  if (!opts.doc && !opts.from && !opts.to) return undefined;
  const { searchFiltersSchema } = await import('../search/retrieve.ts');
  const parsed = searchFiltersSchema.safeParse({ documentIds: opts.doc, from: opts.from, to: opts.to });
  if (!parsed.success) {
    throw new AppError('input.invalid', `Invalid filter: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Reads a text file named on the command line; a missing or unreadable one is the user's to fix. */
export async function readInputFile(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new AppError('input.invalid', `Cannot read ${file}: ${err.code ?? err.message}`);
  });
}
