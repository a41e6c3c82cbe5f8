import type { Command } from 'commander';
import { CLI_ACTOR } from '../comments/access.ts';
import type { Services } from '../app/services.ts';
import type { PositionReader } from '../comments/docket-positions.ts';
import { POSITION_LABELS } from '../domain/comment.ts';
import type { Config } from '../config.ts';
import { withServices } from './shared.ts';

/**
 * `policy-desk comments proposal | positions | position | fetch-attachments`: what a docket
 * responds to, each comment's position on it, a reviewer's correction, and the attachment files
 * an import recorded by URL.
 */

const withCommentServices = <T>(fn: (s: Services, config: Config) => Promise<T>) => withServices(fn, { skipEmbedderCheck: true });

/** The model's reader in LLM mode (quotes verified), else the offline cues. */
export async function positionReaderFor(services: Services): Promise<PositionReader> {
  const { cueReader, llmReader } = await import('../comments/docket-positions.ts');
  if (!services.config.openai.enabled) return cueReader;
  return llmReader({ config: services.config, logger: services.logger, prompts: services.prompts, ref: 'comments-positions' });
}

export function registerDocketCommands(comments: Command): void {
  comments
    .command('proposal')
    .description('Show what each docket responds to, or set it: comments proposal "Relax the ..." [--docket ID] [--document ID].')
    .argument('[proposal...]', 'the proposal in one line')
    .option('--docket <id>', 'the docket (default: comments whose source named none)')
    .option('--document <id>', 'the document the docket comments on')
    .action(async (words: string[], opts: { docket?: string; document?: string }) => {
      const { assignPositions, listDockets, setDocketProposal } = await import('../comments/docket-positions.ts');
      await withCommentServices(async (services) => {
        if (words.length) {
          const d = await setDocketProposal(services, CLI_ACTOR, opts.docket, words.join(' '), opts.document);
          const run = await assignPositions(services, { all: true, docketId: d.id, reader: await positionReaderFor(services) });
          process.stdout.write(`Docket ${d.id || '(none named)'} responds to: ${d.proposal}\n${run.read} position(s) read.\n`);
          return;
        }
        for (const d of await listDockets(services)) {
          process.stdout.write(`${d.id || '(none named)'}${d.commentOnDocumentId ? ` on ${d.commentOnDocumentId}` : ''}: ${d.proposal ?? 'no proposal set (DOCKET_PROPOSAL or comments proposal "...")'}\n`);
        }
      });
    });

  comments
    .command('positions')
    .description("Read each comment's position on its docket's proposal (those without one; --all: again, except reviewers' corrections).")
    .option('--all', 'read every position again')
    .option('--docket <id>', 'only this docket')
    .action(async (opts: { all?: boolean; docket?: string }) => {
      const { assignPositions } = await import('../comments/docket-positions.ts');
      await withCommentServices(async (services) => {
        const run = await assignPositions(services, { all: opts.all, docketId: opts.docket, reader: await positionReaderFor(services) });
        process.stdout.write(
          `${run.read} position(s) read (${run.fromCampaign} from their campaign's form letter)` +
            `${run.withoutProposal ? `; ${run.withoutProposal} comment(s) in dockets without a proposal (set DOCKET_PROPOSAL or comments proposal "...")` : ''}.\n`,
        );
      });
    });

  comments
    .command('position')
    .description("Correct a comment's position (supports, opposes, mixed, unclear); audited, and kept over later readings.")
    .argument('<tracking>', 'tracking number')
    .argument('<position>', 'supports, opposes, mixed or unclear')
    .option('--quote <sentence>', 'the sentence of the comment that shows it')
    .option('--note <text>', 'why, for the audit log')
    .action(async (tracking: string, position: string, opts: { quote?: string; note?: string }) => {
      const { setPosition } = await import('../comments/docket-positions.ts');
      await withCommentServices(async (services) => {
        const c = await setPosition(services, CLI_ACTOR, tracking, position, opts);
        process.stdout.write(`${c.trackingNumber}: ${POSITION_LABELS[c.position!]}${c.positionQuote ? ` ("${c.positionQuote}")` : ''}.\n`);
      });
    });

  comments
    .command('fetch-attachments')
    .description('Download the attachment files an import recorded by URL (regulations.gov Attachment Files) and read their text.')
    .option('--docket <id>', 'only this docket')
    .action(async (opts: { docket?: string }) => {
      const { fetchAttachments } = await import('../comments/fetch-attachments.ts');
      await withCommentServices(async (services, config) => {
        const r = await fetchAttachments(services, CLI_ACTOR, {
          docketId: opts.docket,
          fetch: { timeoutMs: config.fetch.timeoutMs, allowPrivate: config.fetch.allowPrivate },
          onProgress: (done, total, url) => process.stderr.isTTY && process.stderr.write(`\r${done + 1}/${total} ${url.slice(0, 70)}\x1b[K`),
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        for (const f of r.failed) process.stderr.write(`failed ${f.url}: ${f.reason}\n`);
        process.stdout.write(`Fetched ${r.fetched} file(s) of ${r.comments} comment(s), ${r.withText} with text; ${r.failed.length} could not be fetched (run again to retry).\n`);
        if (r.failed.length) process.exitCode = 1;
      });
    });
}
