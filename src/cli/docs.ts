import type { Command } from 'commander';
import { describeDate } from '../domain/document.ts';
import { registerCatalogCommands } from './docs-catalog.ts';
import { withServices } from './shared.ts';

/** `policy-desk docs`: what the store holds. */
export function register(program: Command): void {
  const docs = program
    .command('docs')
    .description('List the ingested documents.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { documentPages, listDocuments } = await import('../db/documents.ts');
      await withServices(async (services) => {
        const listed = await listDocuments(services.db);
        // Paged documents (PDF): page count, and whether (and which) pages were read by OCR.
        const paged = await documentPages(services.db, listed.map((d) => d.id));
        const docs = listed.map((d) => {
          const p = paged.get(d.id);
          return { ...d, pages: p?.pageCount ?? null, ocr: (p?.ocrPages.length ?? 0) > 0, ocrPages: p?.ocrPages ?? [], ocrConfidence: p?.ocrConfidence ?? [] };
        });
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
            `${d.id}\n  ${d.title}\n  ${d.kind}; ${describeDate(d.publishedOn, d.dateSource)}${d.status ? ` (${d.status})` : ''}; ${d.issuingOffice ?? 'issuer not stated'}; ` +
              `${d.pages !== null ? `${d.pages} page(s); ` : ''}${d.ocr ? `ocr: true (pages ${d.ocrPages.join(', ')}); ` : ''}` +
              `${d.chunks} chunks; ${d.source}${d.contacts.length ? `\n  contacts: ${d.contacts.join(', ')}` : ''}\n`,
          );
        }
        process.stdout.write(`${docs.length} document(s), ${docs.reduce((n, d) => n + d.chunks, 0)} chunk(s).\n`);
      });
    });
  registerCatalogCommands(docs);
}
