import type { Command } from 'commander';
import { withServices } from './shared.ts';

/** `policy-desk reindex`: every vector again, after the embedder changed. */
export function register(program: Command): void {
  program
    .command('reindex')
    .description('Rebuild every vector with the configured embedder (after changing EMBEDDER or the model).')
    .action(async () => {
      const { reindex } = await import('../search/reindex.ts');
      const { default: cliProgress } = await import('cli-progress');
      await withServices(
        async (services) => {
          const bar = process.stderr.isTTY
            ? new cliProgress.SingleBar({ format: 'Reindexing [{bar}] {value}/{total}', stream: process.stderr }, cliProgress.Presets.shades_classic)
            : null;
          const started = performance.now();
          let begun = false;
          const n = await reindex(services.db, services.embedder, (done, total) => {
            if (bar && !begun) {
              bar.start(total, 0);
              begun = true;
            }
            bar?.update(done);
          });
          bar?.stop();
          process.stdout.write(
            `Reindexed ${n} chunk(s) with ${services.embedder.name} (${services.embedder.dimensions} dimensions) in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
          );
        },
        { skipEmbedderCheck: true, migrations: 'apply' },
      );
    });
}
