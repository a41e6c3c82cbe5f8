import { Command } from 'commander';
import { AppError } from '../errors.ts';
import type { ProgressFn, Summary } from '../summarize/types.ts';
import { checkDate, readInputFile } from './shared.ts';

/**
 * `policy-desk summarize-thread` (and, with the comment queue, `comments summary`): the
 * summaries from a terminal. Same summarizer and output model as Slack; text or --json.
 */

/** A progress bar on a terminal for runs with work to show; nothing on a pipe. */
export async function summaryProgress(label: string): Promise<{ onProgress: ProgressFn; stop: () => void }> {
  if (!process.stderr.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {message}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  let started = false;
  return {
    onProgress: (p) => {
      if (p.phase === 'done') return;
      if (p.phase !== phase || !started) {
        if (started) bar.stop();
        bar.start(Math.max(1, p.total), p.done, { message: p.message });
        phase = p.phase;
        started = true;
      } else bar.update(p.done, { message: p.message });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

export async function writeSummary(summary: Summary, json: boolean, labels?: Record<string, string>): Promise<void> {
  const { renderSummaryText } = await import('../summarize/render-text.ts');
  process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummaryText(summary, labels ? { organizationTypeLabels: labels } : {})}\n`);
}

export function summarizeThreadCommand(): Command {
  return new Command('summarize-thread')
    .description('Summarize a Slack thread from a conversations.replies JSON export: overview, positions, agreements, open questions, action items.')
    .requiredOption('--file <path>', 'the export: a conversations.replies response, a list of pages, or a list of messages')
    .option('--workspace-url <url>', 'e.g. https://acme.slack.com, to link each point to its message when the export has no permalinks')
    .option('--channel <id>', 'the channel id, for links (default: the export\'s "channel")')
    .option('--extractive', 'do not use the language model even if one is configured')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { file: string; workspaceUrl?: string; channel?: string; extractive?: boolean; json?: boolean }) => {
      const { getConfig } = await import('../config.ts');
      const { slackFileHosts, threadFromExport } = await import('../summarize/thread-export.ts');
      const raw = await readInputFile(opts.file);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        throw new AppError('input.invalid', `${opts.file} is not JSON: ${(err as Error).message}`);
      }
      const slack = getConfig().slack;
      // Attached files: the export's local copies, else url_private with the bot token when one is configured.
      const { input, files } = threadFromExport(json, opts.file, {
        ...(opts.workspaceUrl ? { workspaceUrl: opts.workspaceUrl } : {}),
        ...(opts.channel ? { channel: opts.channel } : {}),
        ...(slack.botToken ? { botToken: slack.botToken } : {}),
        tokenHosts: slackFileHosts(slack.apiUrl),
      });
      const { createLogger } = await import('../log.ts');
      const { loadPrompts } = await import('../answer/prompts.ts');
      const { summarizeThread } = await import('../summarize/thread.ts');
      const config = getConfig();
      const services = { config, logger: createLogger(config.logLevel), prompts: await loadPrompts() };
      const progress = await summaryProgress('Summarizing');
      let summary: Summary;
      try {
        summary = await summarizeThread(services, input, { extractiveOnly: opts.extractive, onProgress: progress.onProgress, shareable: false, files });
      } finally {
        progress.stop();
      }
      await writeSummary(summary, Boolean(opts.json));
      const t = summary.stats.thread!;
      process.stderr.write(`Summarized ${t.summarized} of ${t.messages} message(s) (${summary.mode}).\n`);
    });
}

/** `policy-desk comments summary`: themes across the comment docket; added to the `comments` command. */
export function commentsSummaryCommand(): Command {
  return new Command('summary')
    .description('Summarize the comments: themes with counts by organization type and topic, verbatim quotes with tracking numbers, campaigns counted once.')
    .option('--topic <topic>', 'only this topic (slug or label, or "none")')
    .option('--since <date>', 'only comments received on or after YYYY-MM-DD')
    .option('--shareable', 'for sharing beyond staff: never quote or cite a comment without consent to publish')
    .option('--extractive', 'do not use the language model even if one is configured')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { topic?: string; since?: string; shareable?: boolean; extractive?: boolean; json?: boolean }) => {
      checkDate(opts.since);
      const { getConfig } = await import('../config.ts');
      const { createServices } = await import('../app/services.ts');
      const { summarizeDocket } = await import('../summarize/docket.ts');
      const { CLI_ACTOR } = await import('../comments/access.ts');
      const { ORGANIZATION_TYPE_LABELS } = await import('../comments/schema.ts');
      const services = await createServices(getConfig(), { skipEmbedderCheck: true });
      const progress = await summaryProgress('Summarizing');
      const started = performance.now();
      try {
        const summary = await summarizeDocket(services, CLI_ACTOR, {
          ...(opts.topic ? { topic: opts.topic } : {}),
          ...(opts.since ? { since: opts.since } : {}),
          shareable: Boolean(opts.shareable),
          extractiveOnly: Boolean(opts.extractive),
          onProgress: progress.onProgress,
        });
        progress.stop();
        await writeSummary(summary, Boolean(opts.json), ORGANIZATION_TYPE_LABELS);
        const d = summary.stats.docket!;
        process.stderr.write(
          `Summarized ${d.comments} comment(s), ${d.distinct} distinct, into ${summary.themes.length} theme(s) (${summary.mode}${summary.shareable ? ', shareable' : ', staff only'}) in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
        );
      } finally {
        progress.stop();
        await services.close();
      }
    });
}

/** `policy-desk summarize-thread`; `comments summary` is added by the comments group. */
export function register(program: Command): void {
  program.addCommand(summarizeThreadCommand());
  program.addCommand(summarizeEvalCommand());
}

/** `policy-desk summarize-eval [dir]`: scores thread summaries against hand-labelled threads, per section. */
export function summarizeEvalCommand(): Command {
  return new Command('summarize-eval')
    .description('Score thread summaries against labelled threads (exports with a "labels" object): precision, recall and F1 per section by cited message, owners included.')
    .argument('[dir]', 'directory of labelled thread exports (*.json)', 'test/fixtures/threads')
    .option('--llm', 'score the language model summaries (needs OPENAI_API_KEY or OPENAI_BASE_URL)')
    .option('--verbose', 'list, per thread, the messages cited that the labels do not have and those missed')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { llm?: boolean; verbose?: boolean; json?: boolean }) => {
      const { getConfig } = await import('../config.ts');
      const { createLogger } = await import('../log.ts');
      const { loadPrompts } = await import('../answer/prompts.ts');
      const { evaluateThreads, renderEvalReport } = await import('../summarize/thread-eval.ts');
      const config = getConfig();
      const report = await evaluateThreads({ config, logger: createLogger(config.logLevel), prompts: await loadPrompts() }, dir, { llm: Boolean(opts.llm) });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderEvalReport(report, Boolean(opts.verbose))}\n`);
    });
}
