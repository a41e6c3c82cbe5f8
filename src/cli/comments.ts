import { basename } from 'node:path';
import { Command } from 'commander';
import { CLI_ACTOR } from '../comments/access.ts';
import { COMMENT_STATUSES, ORGANIZATION_TYPE_LABELS, ORGANIZATION_TYPES, STATUS_LABELS } from '../domain/comment.ts';
import type { Services } from '../app/services.ts';
import type { Config } from '../config.ts';
import type { CommentListOptions } from './comments-render.ts';
import { collect, limitOption, withServices } from './shared.ts';
import { registerDocketCommands } from './comments-dockets.ts';
import { commentsSummaryCommand } from './summaries.ts';

/**
 * `policy-desk comments ...`: the review queue from a terminal. The CLI acts as the local staff
 * actor "cli" (whoever runs it holds the database anyway); every change is audited as "cli".
 */

const withCommentServices = <T>(fn: (s: Services, config: Config) => Promise<T>) => withServices(fn, { skipEmbedderCheck: true });

export function register(program: Command): void {
  const comments = new Command('comments').description('The stakeholder comment queue: import, list, review, export.');

  comments
    .command('import')
    .description(
      'Import comments from .eml, .mbox, .csv (Policy Desk, regulations.gov bulk download, analysts\' sheets) or regulations.gov v4 .json files, or directories of them. Re-importing skips what is already there.',
    )
    .argument('<paths...>', 'files or directories')
    .option('--proposal <text>', "what the docket responds to, in one line; each comment's position is read against it")
    .option('--docket <id>', 'the docket of rows that name none')
    .option('--json', 'print the summary as JSON')
    .action(async (paths: string[], opts: { json?: boolean; proposal?: string; docket?: string }) => {
      const { importComments, formatImportReport, formatImportSummary } = await import('../comments/mail-import.ts');
      const { positionReaderFor } = await import('./comments-dockets.ts');
      const { default: cliProgress } = await import('cli-progress');
      await withCommentServices(async (services) => {
        // Two bars on stderr, only on a terminal: rows read and stored, and comments grouped into campaigns.
        const bars = process.stderr.isTTY
          ? new cliProgress.MultiBar(
              { format: '{phase} [{bar}] {value}/{total} {where}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let bar: ReturnType<NonNullable<typeof bars>['create']> | null = null;
        let grouping: ReturnType<NonNullable<typeof bars>['create']> | null = null;
        // Lines go out as they happen unless they would tear through the progress bars on the same terminal.
        const stream = !bars || !process.stdout.isTTY;
        const held: Array<[NodeJS.WriteStream, string]> = [];
        const say = (to: NodeJS.WriteStream, line: string) => (stream ? to.write(line) : held.push([to, line]));
        // MultiBar draws from a timer, and a PGlite import may not yield to timers for seconds: draw on each event (at most 10 a second).
        let drawn = 0;
        const draw = () => {
          if (!bars || Date.now() - drawn < 100) return;
          drawn = Date.now();
          bars.update();
        };
        const summary = await importComments(services, CLI_ACTOR, paths, {
          proposal: opts.proposal,
          docketId: opts.docket,
          positionReader: await positionReaderFor(services),
          onEvent: (e) => {
            if (e.type === 'start') {
              bar = bars?.create(e.total, 0, { phase: 'Importing', where: '' }) ?? null;
              grouping = bars?.create(0, 0, { phase: 'Grouping ', where: 'campaigns' }) ?? null;
              draw();
              return;
            }
            if (e.type === 'grouping') {
              grouping?.setTotal(e.total);
              grouping?.update(e.done);
              draw();
              return;
            }
            const o = e.outcome;
            bar?.increment({ where: basename(o.where).slice(0, 40) });
            draw();
            if (opts.json) return;
            if (o.status === 'imported') say(process.stdout, `received ${o.trackingNumber}  ${o.where}\n`);
            else if (o.status === 'duplicate') say(process.stdout, `already imported ${o.trackingNumber}  ${o.where}\n`);
            else say(process.stderr, `failed ${o.where}: ${o.reason}\n`);
          },
        });
        bars?.stop();
        for (const [to, line] of held) to.write(line);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        } else {
          for (const n of summary.notes) process.stderr.write(`note: ${n}\n`);
          for (const line of formatImportReport(summary)) process.stderr.write(`${line}\n`);
          process.stdout.write(`${formatImportSummary(summary)}\n`);
          const p = summary.positions;
          if (p && p.read) process.stdout.write(`Positions read for ${p.read} comment(s) (${p.fromCampaign} from their campaign's form letter).\n`);
          if (p && p.withoutProposal) process.stderr.write(`note: ${p.withoutProposal} comment(s) have no position: their docket has no proposal (--proposal or DOCKET_PROPOSAL).\n`);
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
      const { exportComments } = await import('../comments/export.ts');
      const { parseStatus } = await import('../comments/queue.ts');
      const { writeFile } = await import('node:fs/promises');
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
    .action(async (opts: CommentListOptions & { counts?: boolean; json?: boolean }) => {
      const { listComments, queueCounts } = await import('../comments/queue.ts');
      const { commentFilterFromOptions, commentLine } = await import('./comments-render.ts');
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
      const { getCommentDetails } = await import('../comments/queue.ts');
      const { renderCommentDetails } = await import('./comments-render.ts');
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
      const { parseStatus, setStatus } = await import('../comments/queue.ts');
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
      const { assignComment } = await import('../comments/queue.ts');
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
      const { addTags, removeTags } = await import('../comments/queue.ts');
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
      const { addNote } = await import('../comments/queue.ts');
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
      const { listCampaigns } = await import('../comments/dedupe.ts');
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
      const { regroupCampaigns } = await import('../comments/dedupe.ts');
      await withCommentServices(async (services, config) => {
        const n = await regroupCampaigns(services, CLI_ACTOR);
        process.stdout.write(`${n} comment(s) are in campaigns at threshold ${config.comments.nearDuplicateThreshold}.\n`);
      });
    });

  registerDocketCommands(comments);
  comments.addCommand(commentsSummaryCommand());
  program.addCommand(comments);

}
