import { Command, InvalidArgumentError } from 'commander';
import type { Db } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { JOB_KINDS, JOB_STATES, type JobRow, type JobState } from '../jobs/types.ts';

/**
 * `policy-desk jobs list|retry`: the durable job queue from a terminal, for staff. Dead jobs are
 * the ones to look at (someone was not answered); `retry` puts one back with fresh attempts,
 * keeping what it already did (a retried answer is not posted twice).
 */

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const { getConfig } = await import('../config.ts');
  const { openDb } = await import('../db/index.ts');
  const db = await openDb(getConfig());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function oneLine(s: string | null, max = 160): string {
  if (!s) return '';
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function formatJobLine(j: JobRow): string {
  const when = (j.state === 'queued' ? j.runAt : j.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const attempts = `${j.attempts}/${j.maxAttempts}`;
  const error = j.lastError ? `  ${oneLine(j.lastError)}` : '';
  return `#${j.id}  ${j.state.padEnd(7)}  ${j.kind.padEnd(19)}  attempts ${attempts.padEnd(5)}  ${when}${j.dedupeKey ? `  ${j.dedupeKey}` : ''}${error}`;
}

function parseId(v: string): number {
  const n = Number(v.replace(/^#/, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a job id, e.g. 42');
  return n;
}

export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('The durable job queue (answers and other work after a Slack ack): list jobs, retry dead ones.');

  jobs
    .command('list')
    .description('List jobs, newest first, with their state, attempts and last error; the counts by state at the end.')
    .option('--state <state>', `one of ${JOB_STATES.join(', ')}`, (v: string) => {
      if (!(JOB_STATES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${JOB_STATES.join(', ')}`);
      return v as JobState;
    })
    .option('--kind <kind>', `one of ${JOB_KINDS.join(', ')}`)
    .option('--limit <n>', 'at most this many (1-1000)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
      return n;
    }, 50)
    .option('--json', 'print as JSON (one array)')
    .action(async (opts: { state?: JobState; kind?: string; limit: number; json?: boolean }) => {
      const { jobCounts, listJobs } = await import('../jobs/queue.ts');
      await withDb(async (db) => {
        const rows = await listJobs(db, { state: opts.state, kind: opts.kind, limit: opts.limit });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        for (const r of rows) process.stdout.write(`${formatJobLine(r)}\n`);
        const c = await jobCounts(db);
        process.stdout.write(`${rows.length} job(s) listed; in the queue: ${c.queued} queued, ${c.running} running, ${c.done} done, ${c.dead} dead.\n`);
      });
    });

  jobs
    .command('retry')
    .description('Put dead jobs back in the queue with fresh attempts (what they already did is kept, so nothing is posted twice).')
    .argument('[ids...]', 'job ids, e.g. 42 43', (v: string, prev: number[] = []) => [...prev, parseId(v)])
    .option('--all-dead', 'every dead job')
    .action(async (ids: number[] | undefined, opts: { allDead?: boolean }) => {
      if (!opts.allDead && (!ids || ids.length === 0)) throw new AppError('input.invalid', 'Give one or more job ids (policy-desk jobs list --state dead), or --all-dead.');
      const { getJob, listJobs, retryDeadJob } = await import('../jobs/queue.ts');
      await withDb(async (db) => {
        const targets = opts.allDead ? (await listJobs(db, { state: 'dead', limit: 1000 })).map((j) => j.id) : ids!;
        let retried = 0;
        for (const id of targets) {
          const row = await retryDeadJob(db, id);
          if (row) {
            retried++;
            process.stdout.write(`#${id} queued again (${row.kind}).\n`);
            continue;
          }
          const existing = await getJob(db, id);
          process.stderr.write(existing ? `#${id} is ${existing.state}, not dead: left as it is.\n` : `#${id}: no such job.\n`);
        }
        process.stdout.write(`Retried ${retried} job(s); a running \`policy-desk start\` instance picks them up.\n`);
        if (retried < targets.length) process.exitCode = 1;
      });
    });

  return jobs;
}

export function register(program: Command): void {
  program.addCommand(jobsCommand());
}
