import type { Command } from 'commander';
import { progressReporter, withServices } from './shared.ts';

/** `policy-desk ingest [paths...]`: documents into the store (the bundled corpus by default). */
export function register(program: Command): void {
  program
    .command('ingest')
    .description(
      'Ingest documents (.txt .md .html .pdf .docx); directories are walked; http(s) URLs are fetched (the only fetch the app makes, and only when asked). Default: the bundled corpus.',
    )
    .argument('[paths...]', 'files, directories or http(s) URLs', [])
    .option('--refresh', 'fetch every URL document again, conditionally (ETag / Last-Modified): unchanged ones skipped, changed ones replaced')
    .action(async (paths: string[], opts: { refresh?: boolean }) => {
      if (opts.refresh) {
        const { formatSummary } = await import('../../ingest/pipeline.ts');
        const { refreshUrlDocuments } = await import('../app/services.ts');
        await withServices(async (services) => {
          const progress = await progressReporter('Refreshing');
          const summary = await refreshUrlDocuments(services, progress.onEvent);
          progress.stop();
          process.stdout.write(`${formatSummary(summary)}\n`);
          if (summary.failed > 0) process.exitCode = 1;
        }, { vectorIndex: false, migrations: 'apply' });
        return;
      }
      const { BUNDLED_CORPUS_DIR, formatSummary } = await import('../../ingest/pipeline.ts');
      const { applyFolderCatalogs, ingest } = await import('../app/services.ts');
      await withServices(async (services) => {
        const progress = await progressReporter('Ingesting');
        const summary = await ingest(services, paths.length ? paths : [BUNDLED_CORPUS_DIR], progress.onEvent, { onPage: progress.onPage });
        progress.stop();
        process.stdout.write(`${formatSummary(summary)}\n`);
        if (summary.failed > 0) process.exitCode = 1;
        // Each ingested folder's catalog.yml, after its documents: applied whole or not at all.
        const { formatCatalogOutcome } = await import('../catalog/catalog-file.ts');
        const { sourceFor } = await import('../../ingest/pipeline.ts');
        for (const o of await applyFolderCatalogs(services, paths.length ? paths : [BUNDLED_CORPUS_DIR])) {
          process.stdout.write(`${formatCatalogOutcome(o, sourceFor(o.path))}\n`);
          if (o.status === 'failed') process.exitCode = 1;
        }
      }, { vectorIndex: false, migrations: 'apply' });
    });
}
