import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.ts';
import { openDb } from '../../src/db/index.ts';
import { jobsCheck } from '../../src/app/doctor.ts';
import { enqueueJob, jobCounts } from '../../src/jobs/queue.ts';
import { CLI_TIMEOUT as SLOW, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/*
 * `policy-desk jobs` and the doctor's jobs line, in child processes on a store of this file's own
 * (test/helpers/cli.ts: PGlite, or a private Postgres schema).
 */

let store: CliStore;
const KIND = { kind: 'summarize.docket' as const, payload: z.object({ n: z.number() }) };
const run = (args: string[]) => runCli(store, args);

beforeAll(async () => {
  store = await cliStore('jobs-cli');
  // One dead job and one queued, written before the CLI opens the store (PGlite: one process at a time).
  const db = await openDb(loadConfig(store.env));
  try {
    await enqueueJob(db, KIND, { n: 1 }, { dedupeKey: 'slack:EvDEAD' });
    await db.query(`UPDATE jobs SET state = 'dead', attempts = 5, last_error = 'Error: chat.postMessage failed: channel_not_found' WHERE dedupe_key = 'slack:EvDEAD'`);
    await enqueueJob(db, KIND, { n: 2 });
  } finally {
    await db.close();
  }
}, SLOW);

afterAll(async () => {
  await store?.close();
});

describe(`policy-desk jobs (${dbLabel})`, () => {
  it('lists dead jobs with their error, and retries one', async () => {
    const list = await run(['jobs', 'list', '--state', 'dead']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^#1\s+dead\s+summarize\.docket\s+attempts 5\/5 .* slack:EvDEAD\s+Error: chat\.postMessage failed: channel_not_found$/m);
    expect(list.stdout).toMatch(/1 job\(s\) listed; in the queue: 1 queued, 0 running, 0 done, 1 dead\./);

    const doctor = await run(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^FAIL jobs\s+1 queued, 0 running, 1 dead; oldest dead: #1 summarize\.docket at .*: Error: chat\.postMessage failed: channel_not_found; see `policy-desk jobs list --state dead`/m);

    const retry = await run(['jobs', 'retry', '1', '2']);
    expect(retry.code).toBe(1);
    expect(retry.stdout).toContain('#1 queued again (summarize.docket).');
    expect(retry.stderr).toContain('#2 is queued, not dead: left as it is.');

    const json = await run(['jobs', 'list', '--json']);
    const rows = JSON.parse(json.stdout) as Array<{ id: number; state: string; attempts: number }>;
    expect(rows.find((r) => r.id === 1)).toMatchObject({ state: 'queued', attempts: 0 });
  }, SLOW);

  it('the doctor line passes when nothing died in the last day, and flags a queue nobody takes from', () => {
    const base = { queued: 3, running: 1, done: 10, dead: 2, deadLastDay: 0, oldestDueSeconds: 900, oldestDead: null };
    const check = jobsCheck(base);
    expect(check.ok).toBe(true);
    expect(check.detail).toContain('3 queued, 1 running, 2 dead');
    expect(check.detail).toContain('the oldest due job has waited 900 s');
    expect(jobsCheck({ ...base, deadLastDay: 1 }).ok).toBe(false);
  });

  it('jobCounts reads an empty queue as all zeros', async () => {
    const db = await openTestDb();
    try {
      expect(await jobCounts(db)).toEqual({ queued: 0, running: 0, done: 0, dead: 0, deadLastDay: 0, oldestDueSeconds: null, oldestDead: null });
    } finally {
      await db.close();
    }
  }, SLOW);
});
