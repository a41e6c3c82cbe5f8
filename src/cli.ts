import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { BUNDLED_CORPUS_DIR, formatSummary, PROJECT_ROOT, type IngestEvent } from '../ingest/pipeline.ts';
import { renderAnswerText } from './console/render.ts';
import { runConsole } from './console/console.ts';
import { getConfig, type Config } from './config.ts';
import { doctor, formatDoctor } from './doctor.ts';
import { listDocuments } from './db/documents.ts';
import { listFeedback } from './db/feedback.ts';
import { formatFeedback, type FeedbackFormat } from './feedback-export.ts';
import { AppError, isAppError, newReferenceId } from './errors.ts';
import { evaluate, formatEvalReport, readEvalSet } from './search/evaluate.ts';
import { reindex } from './search/reindex.ts';
import { searchFiltersSchema, type SearchFilters } from './search/retrieve.ts';
import { ask, createServices, ensureCorpus, ingest, type Services } from './services.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError('expected a whole number from 1 to 50');
  return n;
}

/** A progress bar on a terminal; nothing on a pipe or in CI, where the summary line is enough. */
function progressReporter(label: string): { onEvent: (e: IngestEvent) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return {
      onEvent: (e) => {
        if (e.type === 'file' && e.outcome.status === 'failed') process.stderr.write(`failed: ${e.outcome.error}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {file}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const failures: string[] = [];
  return {
    onEvent: (e) => {
      if (e.type === 'start') bar.start(e.total, 0, { file: '' });
      else {
        if (e.outcome.status === 'failed') failures.push(e.outcome.error);
        bar.increment({ file: path.basename(e.outcome.path) });
      }
    },
    stop: () => {
      bar.stop();
      for (const f of failures) process.stderr.write(`failed: ${f}\n`);
    },
  };
}

async function withServices<T>(fn: (s: Services, config: Config) => Promise<T>, options: { skipEmbedderCheck?: boolean } = {}): Promise<T> {
  const config = getConfig();
  const services = await createServices(config, options);
  try {
    return await fn(services, config);
  } finally {
    await services.close();
  }
}

async function ensureCorpusWithProgress(services: Services): Promise<void> {
  const progress = progressReporter('Ingesting bundled corpus');
  const note = await ensureCorpus(services, progress.onEvent);
  progress.stop();
  if (note) process.stderr.write(`${note}\n`);
}

function filtersFrom(opts: { doc?: string[]; from?: string; to?: string }): SearchFilters | undefined {
  if (!opts.doc && !opts.from && !opts.to) return undefined;
  const parsed = searchFiltersSchema.safeParse({ documentIds: opts.doc, from: opts.from, to: opts.to });
  if (!parsed.success) {
    throw new AppError('input.invalid', `Invalid filter: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function buildProgram(): Command {
  const program = new Command('policy-desk')
    .description('Cited answers from conventional arms transfer policy documents, and a stakeholder comment queue.')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });

  program
    .command('ingest')
    .description('Ingest documents (.txt .md .html .pdf .docx); directories are walked. Default: the bundled corpus.')
    .argument('[paths...]', 'files or directories', [])
    .action(async (paths: string[]) => {
      await withServices(async (services) => {
        const progress = progressReporter('Ingesting');
        const summary = await ingest(services, paths.length ? paths : [BUNDLED_CORPUS_DIR], progress.onEvent);
        progress.stop();
        process.stdout.write(`${formatSummary(summary)}\n`);
        if (summary.failed > 0) process.exitCode = 1;
      });
    });

  program
    .command('ask')
    .description('Answer a question from the ingested documents, with verbatim cited quotes.')
    .argument('[question...]', 'the question')
    .option('--json', 'print the answer as JSON')
    .option('-k, --top-k <n>', 'passages to retrieve (1-50)', positiveInt)
    .option('--file <path>', 'answer every line of a file (one question per line; with --json, one JSON object per line)')
    .option('--doc <ids...>', 'only search these document ids (see `policy-desk docs`)')
    .option('--from <date>', 'only documents published on or after YYYY-MM-DD')
    .option('--to <date>', 'only documents published on or before YYYY-MM-DD')
    .action(async (words: string[], opts: { json?: boolean; topK?: number; file?: string; doc?: string[]; from?: string; to?: string }) => {
      const filters = filtersFrom(opts);
      let questions: string[];
      if (opts.file) {
        const text = await readFile(opts.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new AppError('input.invalid', `Cannot read ${opts.file}: ${err.code ?? err.message}`);
        });
        questions = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      } else {
        const q = words.join(' ').trim();
        if (!q) throw new AppError('input.invalid', 'Give a question, e.g. policy-desk ask "What are the three lines of effort?", or --file questions.txt');
        questions = [q];
      }
      await withServices(async (services) => {
        await ensureCorpusWithProgress(services);
        for (const question of questions) {
          const answer = await ask(services, question, { k: opts.topK, filters });
          if (opts.json) process.stdout.write(`${JSON.stringify(answer, null, opts.file ? 0 : 2)}\n`);
          else process.stdout.write(`${opts.file ? `Q: ${question}\n` : ''}${renderAnswerText(answer)}\n${opts.file ? '\n' : ''}`);
        }
      });
    });

  program
    .command('docs')
    .description('List the ingested documents.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
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

  program
    .command('reindex')
    .description('Rebuild every vector with the configured embedder (after changing EMBEDDER or the model).')
    .action(async () => {
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
        { skipEmbedderCheck: true },
      );
    });

  program
    .command('doctor')
    .description('Check configuration, database, extensions, embedder and corpus status.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await doctor();
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('eval')
    .description('Measure retrieval (hit@k, MRR) and abstention over a question set.')
    .option('--file <path>', 'question set (JSONL)', path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'questions.jsonl'))
    .option('-k, --top-k <n>', 'depth for hit@k and MRR', positiveInt, 10)
    .option('--json', 'print as JSON')
    .action(async (opts: { file: string; topK: number; json?: boolean }) => {
      const questions = await readEvalSet(opts.file);
      await withServices(async (services) => {
        await ensureCorpusWithProgress(services);
        const report = await evaluate(services, questions, opts.topK);
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEvalReport(report)}\n`);
      });
    });

  const feedback = program.command('feedback').description('Feedback given on answers in Slack (Helpful / Not helpful, with reasons).');
  feedback
    .command('export')
    .description('Write all feedback as CSV or JSON, with the question, answer, mode and citations of each.')
    .option('--format <format>', 'csv or json', (v: string) => {
      if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('expected csv or json');
      return v;
    }, 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--since <date>', 'only feedback given on or after YYYY-MM-DD')
    .action(async (opts: { format: FeedbackFormat; out?: string; since?: string }) => {
      if (opts.since && !/^\d{4}-\d{2}-\d{2}$/.test(opts.since)) throw new AppError('input.invalid', 'Expected --since YYYY-MM-DD');
      await withServices(async (services) => {
        const records = await listFeedback(services.db, { since: opts.since });
        const out = formatFeedback(records, opts.format);
        if (opts.out) await writeFile(opts.out, out);
        else process.stdout.write(out);
        const helpful = records.filter((r) => r.helpful).length;
        process.stderr.write(
          `Exported ${records.length} feedback record(s) (${helpful} helpful, ${records.length - helpful} not helpful) as ${opts.format}${opts.out ? ` to ${opts.out}` : ''}.\n`,
        );
      });
    });

  program
    .command('start', { isDefault: false })
    .description('Run the app: the Slack app when Slack credentials are configured, else the local console.')
    .action(async () => {
      const config = getConfig();
      if (config.slack.mode === 'off') {
        await withServices(async (services) => {
          process.stdout.write('Policy Desk local console (no Slack credentials configured). Type /help for commands.\n');
          await ensureCorpusWithProgress(services);
          await runConsole(services, process.stdin, process.stdout);
        });
        return;
      }
      process.stdout.write(
        config.slack.mode === 'socket'
          ? 'Policy Desk Slack app, Socket Mode (SLACK_APP_TOKEN set; no public URL needed).\n'
          : `Policy Desk Slack app, HTTP mode: Slack events at http://0.0.0.0:${config.slack.port}/slack/events.\n`,
      );
      // Bolt loads only here, so the console and the other commands start without it.
      const { startSlackApp } = await import('./slack/app.ts');
      await withServices(async (services) => {
        await ensureCorpusWithProgress(services);
        const running = await startSlackApp(services);
        process.stdout.write(
          `Ready${running.mode === 'http' ? ` on port ${running.port} (POST /slack/events, GET /healthz)` : `; health check on port ${running.port} (GET /healthz)`}` +
            `${config.slack.apiUrl ? `, Web API at ${config.slack.apiUrl}` : ''}. Ctrl-C stops.\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        process.stdout.write('Stopping…\n');
        await running.stop();
      });
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`${err.message}\n`);
    } else {
      const ref = newReferenceId();
      process.stderr.write(`Something went wrong (reference ${ref}): ${(err as Error)?.message ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}
