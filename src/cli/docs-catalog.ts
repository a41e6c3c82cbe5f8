import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { collect, withServices } from './shared.ts';

/** Who a `docs set` is recorded as: the command and the shell user. */
function cliActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user name on this system: the command alone is recorded.
  }
  return `cli:${user}`;
}

function printFacts(f: { id: string; title: string; publishedOn: string | null; dateSource: string | null; status: string | null; supersedes: string[]; supersededBy: string[]; implements: string[]; note: string | null }, json: boolean | undefined, describe: (d: string | null, s: 'text' | 'catalog' | null) => string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
    return;
  }
  const lines = [
    f.id,
    `  ${f.title}`,
    `  ${describe(f.publishedOn, f.dateSource as 'text' | 'catalog' | null)}; status ${f.status ?? 'not recorded'}`,
    f.supersedes.length ? `  supersedes: ${f.supersedes.join(', ')}` : null,
    f.supersededBy.length ? `  superseded by: ${f.supersededBy.join(', ')}` : null,
    f.implements.length ? `  implements: ${f.implements.join(', ')}` : null,
    f.note ? `  note: ${f.note}` : null,
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
}

/** `docs set`, `docs unset`, `docs diff`: the catalog facts of a document, and two versions side by side. */
export function registerCatalogCommands(docs: Command): void {
  docs
    .command('set')
    .description('Set catalog facts of a document (stored with who set them and when; they survive re-ingest).')
    .argument('<id>', 'document id (see `policy-desk docs`)')
    .option('--issued <date>', 'issue date: YYYY, YYYY-MM or YYYY-MM-DD')
    .option('--status <status>', 'current | superseded | draft | withdrawn (withdrawn: left out of answers)')
    .option('--supersedes <ids...>', 'document ids this one supersedes')
    .option('--implements <ids...>', 'document ids this one implements')
    .option('--title <title>', 'title to show instead of the one found in the text')
    .option('--note <note>', 'a note kept with the document')
    .option('--json', 'print the document as JSON afterwards')
    .action(async (id: string, opts: { issued?: string; status?: string; supersedes?: string[]; implements?: string[]; title?: string; note?: string; json?: boolean }) => {
      const { setDocumentFacts } = await import('../catalog/facts.ts');
      const { describeDate } = await import('../domain/document.ts');
      const { json, ...facts } = opts;
      await withServices(async (services) => printFacts(await setDocumentFacts(services.db, id, facts, cliActor()), json, describeDate));
    });

  docs
    .command('unset')
    .description('Remove one catalog fact of a document (kept in its history).')
    .argument('<id>', 'document id')
    .argument('<field>', 'title | issued | status | supersedes | implements | note')
    .option('--json', 'print the document as JSON afterwards')
    .action(async (id: string, field: string, opts: { json?: boolean }) => {
      const { unsetDocumentFact } = await import('../catalog/facts.ts');
      const { describeDate } = await import('../domain/document.ts');
      await withServices(async (services) => printFacts(await unsetDocumentFact(services.db, id, field, cliActor()), opts.json, describeDate));
    });

  docs
    .command('diff')
    .description('What differs between two versions: sections each has alone, themes each stresses that the other does not, with quotes.')
    .argument('<old>', 'document id of the older version')
    .argument('<new>', 'document id of the newer version')
    .option('--json', 'print as JSON')
    .action(async (oldId: string, newId: string, opts: { json?: boolean }) => {
      const { diffDocuments } = await import('../answer/compare.ts');
      const { renderDiffText } = await import('../console/render.ts');
      await withServices(async (services) => {
        const diff = await diffDocuments(services.db, oldId, newId);
        process.stdout.write(opts.json ? `${JSON.stringify(diff, null, 2)}\n` : `${renderDiffText(diff)}\n`);
      });
    });
  void collect;
}
