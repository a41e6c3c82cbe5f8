import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { BUNDLED_CORPUS_DIR, formatSummary, PROJECT_ROOT, type IngestEvent } from '../ingest/pipeline.ts';
import { CLI_ACTOR } from './comments/access.ts';
import { listCampaigns, regroupCampaigns } from './comments/dedupe.ts';
import { exportComments } from './comments/export.ts';
import { formatImportSummary, importComments } from './comments/mail-import.ts';
import {
  addNote,
  addTags,
  assignComment,
  getCommentDetails,
  listComments,
  parseStatus,
  queueCounts,
  receiptFields,
  removeTags,
  setStatus,
  topicLabel,
  type CommentDetails,
  type CommentFilter,
} from './comments/queue.ts';
import { COMMENT_STATUSES, ORGANIZATION_TYPE_LABELS, ORGANIZATION_TYPES, STATUS_LABELS, type Comment } from './comments/schema.ts';
import { PERSONAL_DATA_LABELS } from './comments/triage.ts';
import { commentsSummaryCommand, summarizeThreadCommand } from './cli-summaries.ts';
import { jobsCommand } from './cli-jobs.ts';
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

async function withServices<T>(fn: (s: Services, config: Config) => Promise<T>, options: { skipEmbedderCheck?: boolean; vectorIndex?: boolean } = {}): Promise<T> {
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

// ---------------------------------------------------------------------------------------------
// `policy-desk comments ...`: the review queue from a terminal. The CLI acts as the local staff
// actor "cli" (whoever runs it holds the database anyway); every change is audited as "cli".

function commentFilterFromOptions(opts: {
  status?: string[];
  topic?: string;
  orgType?: string[];
  assignee?: string;
  unassigned?: boolean;
  since?: string;
  text?: string;
  submitter?: string;
  campaign?: string;
  tag?: string;
  limit?: number;
  oldest?: boolean;
}): CommentFilter {
  return {
    status: opts.status?.map(parseStatus),
    topic: opts.topic,
    organizationType: opts.orgType as CommentFilter['organizationType'],
    assignee: opts.unassigned ? null : opts.assignee,
    since: opts.since,
    text: opts.text,
    submitter: opts.submitter,
    campaignId: opts.campaign,
    tag: opts.tag,
    limit: opts.limit ?? 50,
    order: opts.oldest ? 'oldest' : 'newest',
  };
}

function commentLine(c: Comment, config: Config): string {
  const topic = topicLabel(config.comments.topics, c.topic) ?? `(suggested: ${topicLabel(config.comments.topics, c.suggestedTopic) ?? 'none'})`;
  const who = c.organization ? `${c.submitterName} (${c.organization})` : c.submitterName;
  const flags = [
    c.assignee ? `@${c.assignee}` : '',
    c.similarCount ? `${c.similarCount} similar` : '',
    c.consentToPublish ? '' : 'no consent',
    c.personalData.length ? 'personal data' : '',
    c.tags.length ? c.tags.map((t) => `#${t}`).join(' ') : '',
  ].filter(Boolean);
  const excerpt = c.text.replace(/\s+/g, ' ').slice(0, 80);
  return `${c.trackingNumber}  ${STATUS_LABELS[c.status].padEnd(9)}  ${c.receivedAt.toISOString().slice(0, 10)}  ${c.organizationType.padEnd(10)}  ${topic}  ${who}${flags.length ? `  [${flags.join('; ')}]` : ''}\n    ${excerpt}${c.text.length > 80 ? '…' : ''}`;
}

function renderCommentDetails(d: CommentDetails, config: Config): string {
  const c = d.comment;
  const topics = config.comments.topics;
  const lines = [
    ...receiptFields(c, topics, { maxTextChars: 100_000 }).map((f) => `${f.label}: ${f.value}`),
    `Status: ${STATUS_LABELS[c.status]}${c.assignee ? `, assigned to ${c.assignee}` : ', unassigned'}`,
    `Source: ${c.source}${c.sourceRef ? ` (${c.sourceRef})` : ''}${c.submitterExternal ? ', external Slack Connect user' : ''}`,
    `Tags: ${c.tags.join(', ') || 'none'}`,
    `Suggested topic: ${topicLabel(topics, c.suggestedTopic) ?? 'none'}${c.suggestedTopicMethod ? ` (suggestion by ${c.suggestedTopicMethod}${c.suggestedTopicScore !== null ? `, score ${c.suggestedTopicScore.toFixed(2)}` : ''})` : ''}`,
    `Personal data in the text: ${c.personalData.length ? c.personalData.map((k) => PERSONAL_DATA_LABELS[k]).join(', ') : 'none found'}`,
    `Campaign: ${c.campaignId ? `${c.campaignId}, ${c.similarCount} similar comment(s)${c.duplicateKind ? ` (${c.duplicateKind} duplicate)` : ''}` : 'none'}`,
  ];
  for (const s of d.similar) lines.push(`  similar: ${s.trackingNumber}  ${STATUS_LABELS[s.status]}  ${s.submitterName}${s.organization ? ` (${s.organization})` : ''}`);
  for (const a of c.attachments) {
    lines.push(`Attachment: ${a.name} (${a.mime}, ${a.size.toLocaleString('en-US')} bytes${a.textChars ? `, ${a.textChars.toLocaleString('en-US')} characters of text` : ''}${a.note ? `; ${a.note}` : ''})`);
  }
  for (const n of d.notes) lines.push(`Note by ${n.author}, ${n.createdAt.toISOString()}: ${n.body}`);
  lines.push('Audit log:');
  for (const e of d.audit) {
    const change = e.from !== null || e.to !== null ? ` ${e.from ?? '-'} → ${e.to ?? '-'}` : '';
    lines.push(`  ${e.at.toISOString()}  ${e.actor}  ${e.action}${change}${e.note ? `  (${e.note})` : ''}`);
  }
  return lines.join('\n');
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function limitOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected a whole number from 1 to 500');
  return n;
}

const withCommentServices = <T>(fn: (s: Services, config: Config) => Promise<T>) => withServices(fn, { skipEmbedderCheck: true });

function commentsCommand(): Command {
  const comments = new Command('comments').description('The stakeholder comment queue: import, list, review, export.');

  comments
    .command('import')
    .description('Import comments from .eml, .mbox or .csv files, or directories of them. Re-importing skips what is already there.')
    .argument('<paths...>', 'files or directories')
    .option('--json', 'print the summary as JSON')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      await withCommentServices(async (services) => {
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { format: 'Importing [{bar}] {value}/{total} {where}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
              cliProgress.Presets.shades_classic,
            )
          : null;
        // Lines go out as they happen unless they would tear through the progress bar on the same terminal.
        const stream = !bar || !process.stdout.isTTY;
        const held: Array<[NodeJS.WriteStream, string]> = [];
        const say = (to: NodeJS.WriteStream, line: string) => (stream ? to.write(line) : held.push([to, line]));
        const summary = await importComments(services, CLI_ACTOR, paths, {
          onEvent: (e) => {
            if (e.type === 'start') {
              bar?.start(e.total, 0, { where: '' });
              return;
            }
            const o = e.outcome;
            bar?.increment({ where: path.basename(o.where).slice(0, 40) });
            if (opts.json) return;
            if (o.status === 'imported') say(process.stdout, `received ${o.trackingNumber}  ${o.where}\n`);
            else if (o.status === 'duplicate') say(process.stdout, `already imported ${o.trackingNumber}  ${o.where}\n`);
            else say(process.stderr, `failed ${o.where}: ${o.reason}\n`);
          },
        });
        bar?.stop();
        for (const [to, line] of held) to.write(line);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        } else {
          for (const n of summary.notes) process.stderr.write(`note: ${n}\n`);
          process.stdout.write(`${formatImportSummary(summary)}\n`);
        }
        if (summary.failed > 0) process.exitCode = 1;
      });
    });

  comments
    .command('export')
    .description('Export comments as CSV or JSON (regulations.gov field names where they overlap; comments without consent are marked).')
    .requiredOption('--format <format>', 'csv or json')
    .option('--status <statuses>', 'only these statuses (comma-separated or repeated)', collect)
    .option('--since <date>', 'only comments received on or after YYYY-MM-DD')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { format: string; status?: string[]; since?: string; out?: string }) => {
      await withCommentServices(async (services) => {
        const result = await exportComments(services, CLI_ACTOR, {
          format: opts.format as 'csv' | 'json',
          status: opts.status?.map(parseStatus),
          since: opts.since,
        });
        if (opts.out) await writeFile(opts.out, result.content);
        else process.stdout.write(result.content);
        process.stderr.write(
          `Exported ${result.count} comment(s)${opts.out ? ` to ${opts.out}` : ''}; ${result.restricted} without consent to publish (consentToPublish false, restrictReason set).\n`,
        );
      });
    });

  comments
    .command('list')
    .description('List and filter the queue, newest first.')
    .option('--status <statuses>', 'statuses (comma-separated or repeated)', collect)
    .option('--topic <topic>', 'topic slug or label, or "none"')
    .option('--org-type <types>', 'organization types (comma-separated or repeated)', collect)
    .option('--assignee <user>', 'assigned to this user')
    .option('--unassigned', 'only unassigned comments')
    .option('--since <date>', 'received on or after YYYY-MM-DD')
    .option('--text <query>', 'full-text search over comment and attachment text ("phrases", -exclusions)')
    .option('--submitter <text>', "part of the submitter's name, e-mail or organization")
    .option('--campaign <id>', 'only this campaign')
    .option('--tag <tag>', 'only comments with this tag')
    .option('--oldest', 'oldest first')
    .option('--limit <n>', 'at most this many (1-500)', limitOption)
    .option('--counts', 'print counts by status, topic and organization type instead')
    .option('--json', 'print as JSON')
    .action(async (opts: Parameters<typeof commentFilterFromOptions>[0] & { counts?: boolean; json?: boolean }) => {
      await withCommentServices(async (services, config) => {
        if (opts.counts) {
          const counts = await queueCounts(services, CLI_ACTOR);
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(counts, null, 2)}\n`);
            return;
          }
          const row = (label: string, n: number) => `  ${label.padEnd(36)} ${n}`;
          process.stdout.write(
            [
              `${counts.total} comment(s), ${counts.open} open.`,
              'By status:',
              ...COMMENT_STATUSES.map((s) => row(STATUS_LABELS[s], counts.byStatus[s])),
              'By topic:',
              ...counts.byTopic.map((t) => row(t.label, t.count)),
              'By organization type:',
              ...ORGANIZATION_TYPES.map((t) => row(ORGANIZATION_TYPE_LABELS[t], counts.byOrganizationType[t])),
            ].join('\n') + '\n',
          );
          return;
        }
        const { comments: list, total } = await listComments(services, CLI_ACTOR, commentFilterFromOptions(opts));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ total, comments: list }, null, 2)}\n`);
          return;
        }
        for (const c of list) process.stdout.write(`${commentLine(c, config)}\n`);
        process.stdout.write(`${list.length} of ${total} matching comment(s).\n`);
      });
    });

  comments
    .command('show')
    .description('Show one comment with its attachments, notes, campaign and audit log.')
    .argument('<tracking>', 'tracking number, e.g. abc-1234-wxyz')
    .option('--json', 'print as JSON')
    .action(async (tracking: string, opts: { json?: boolean }) => {
      await withCommentServices(async (services, config) => {
        const details = await getCommentDetails(services, CLI_ACTOR, tracking);
        process.stdout.write(opts.json ? `${JSON.stringify(details, null, 2)}\n` : `${renderCommentDetails(details, config)}\n`);
      });
    });

  comments
    .command('set-status')
    .description(`Move a comment to another state (${COMMENT_STATUSES.join(', ')}); only valid moves are allowed.`)
    .argument('<tracking>', 'tracking number')
    .argument('<status>', 'the new status')
    .option('--note <text>', 'why, for the audit log')
    .action(async (tracking: string, status: string, opts: { note?: string }) => {
      await withCommentServices(async (services) => {
        const c = await setStatus(services, CLI_ACTOR, tracking, parseStatus(status), { note: opts.note });
        process.stdout.write(`${c.trackingNumber} is now ${STATUS_LABELS[c.status]}.\n`);
      });
    });

  comments
    .command('assign')
    .description('Assign a comment to a reviewer (a Slack user id or a name); "none" clears the assignee.')
    .argument('<tracking>', 'tracking number')
    .argument('<user>', 'the reviewer, or "none"')
    .option('--note <text>', 'why, for the audit log')
    .action(async (tracking: string, user: string, opts: { note?: string }) => {
      await withCommentServices(async (services) => {
        const c = await assignComment(services, CLI_ACTOR, tracking, user.toLowerCase() === 'none' ? null : user, { note: opts.note });
        process.stdout.write(`${c.trackingNumber} is ${c.assignee ? `assigned to ${c.assignee}` : 'unassigned'}.\n`);
      });
    });

  comments
    .command('tag')
    .description('Add tags to a comment (or remove them with --remove).')
    .argument('<tracking>', 'tracking number')
    .argument('<tags...>', 'tags')
    .option('--remove', 'remove these tags instead')
    .action(async (tracking: string, tags: string[], opts: { remove?: boolean }) => {
      await withCommentServices(async (services) => {
        const c = await (opts.remove ? removeTags : addTags)(services, CLI_ACTOR, tracking, tags);
        process.stdout.write(`${c.trackingNumber} tags: ${c.tags.join(', ') || 'none'}.\n`);
      });
    });

  comments
    .command('note')
    .description('Add an internal note (never shown to the submitter, never exported).')
    .argument('<tracking>', 'tracking number')
    .argument('<text...>', 'the note')
    .action(async (tracking: string, words: string[]) => {
      await withCommentServices(async (services) => {
        const c = await addNote(services, CLI_ACTOR, tracking, words.join(' '));
        process.stdout.write(`Note added to ${c.trackingNumber}.\n`);
      });
    });

  comments
    .command('campaigns')
    .description('Campaigns (groups of exact and near-duplicate comments), largest first.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withCommentServices(async (services) => {
        const list = await listCampaigns(services, CLI_ACTOR);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        for (const c of list) {
          process.stdout.write(
            `${c.campaignId}  ${c.size} comments (${c.exact} exact, ${c.near} near duplicates of ${c.representativeTrackingNumber ?? '?'})  ` +
              `${c.firstReceivedAt.toISOString().slice(0, 10)} to ${c.lastReceivedAt.toISOString().slice(0, 10)}\n`,
          );
        }
        process.stdout.write(`${list.length} campaign(s).\n`);
      });
    });

  comments
    .command('regroup')
    .description('Rebuild every campaign (after changing COMMENT_NEAR_DUPLICATE_THRESHOLD).')
    .action(async () => {
      await withCommentServices(async (services, config) => {
        const n = await regroupCampaigns(services, CLI_ACTOR);
        process.stdout.write(`${n} comment(s) are in campaigns at threshold ${config.comments.nearDuplicateThreshold}.\n`);
      });
    });

  comments.addCommand(commentsSummaryCommand());

  return comments;
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
      }, { vectorIndex: false });
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

  program.addCommand(summarizeThreadCommand());

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

  program.addCommand(commentsCommand());
  program.addCommand(jobsCommand());

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
