import type { Command } from 'commander';
import { withServices } from './shared.ts';

/** `policy-desk docs`: what the store holds. */
export function register(program: Command): void {
  program
    .command('docs')
    .description('List the ingested documents.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { listDocuments } = await import('../db/documents.ts');
      await withServices(async (services) => {
        const docs = await listDocuments(services.db);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
          return;
        }
        if (docs.length === 0) {
          process.stdout.write('No documents ingested yet. Run `policy-desk ingest` (the bundled corpus) or `policy-desk ingest <paths>`.\n');
          return;
        }
        for (const d of docs) {
          process.stdout.write(
            `${d.id}\n  ${d.title}\n  ${d.kind}; ${d.publishedOn ?? 'date not stated'}; ${d.issuingOffice ?? 'issuer not stated'}; ` +
              `${d.chunks} chunks; ${d.source}${d.contacts.length ? `\n  contacts: ${d.contacts.join(', ')}` : ''}\n`,
          );
        }
        process.stdout.write(`${docs.length} document(s), ${docs.reduce((n, d) => n + d.chunks, 0)} chunk(s).\n`);
      });
    });
}
