import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Db } from '../../src/db/types.ts';
import { createLogger } from '../../src/log.ts';
import {
  backoffMs,
  claimJobs,
  enqueueJob,
  getJob,
  jobCounts,
  listJobs,
  pruneJobs,
  retryDeadJob,
} from '../../src/jobs/queue.ts';
import { defineJob, PermanentJobError, type JobContext, type JobHandler } from '../../src/jobs/types.ts';
import { createJobContext, JobWorker } from '../../src/jobs/worker.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

const logger = createLogger('silent');
const LEASE = 30_000;

/** A test kind: one of the real kind names with a payload of its own. */
const TEST_JOB = { kind: 'summarize.docket' as const, payload: z.object({ n: z.number().int() }), maxAttempts: 3 };

/** A clock the test moves by hand: leases, backoff and run_at are all computed from it. */
function testClock(start: Date) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => void (t += ms),
    at: () => new Date(t),
  };
}

describe(`job queue (${dbLabel})`, () => {
  let db: Db;
  let clock: ReturnType<typeof testClock>;

  beforeAll(async () => {
    db = await openTestDb();
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    await db.exec('DELETE FROM jobs');
    // Start from the database's own time so rows enqueued with now() are due on the test clock.
    const [row] = await db.query<{ now: Date | string }>('SELECT now() AS now');
    clock = testClock(new Date(new Date(row!.now).getTime() + 1000));
  });

  function worker(id: string, handlers: JobHandler<unknown>[], extra: Partial<ConstructorParameters<typeof JobWorker>[0]> = {}): JobWorker {
    return new JobWorker({ db, handlers, logger, id, leaseMs: LEASE, now: clock.now, random: () => 0.5, concurrency: 4, ...extra });
  }

  function recording(ran: Array<{ n: number; attempt: number; worker?: string }>, tag?: string): JobHandler<unknown> {
    return defineJob({
      ...TEST_JOB,
      async run(p, ctx) {
        ran.push({ n: p.n, attempt: ctx.attempt, ...(tag ? { worker: tag } : {}) });
      },
    });
  }

  it('claims a job once, and a second worker takes it over only after the first one’s lease has run out', async () => {
    const { id } = await enqueueJob(db, TEST_JOB, { n: 1 });
    // Worker A claims it and then dies (never finishes, never heartbeats).
    const [claimed] = await claimJobs(db, { workerId: 'A', kinds: [TEST_JOB.kind], limit: 5, leaseMs: LEASE, now: clock.now() });
    expect(claimed).toMatchObject({ id, state: 'running', attempts: 1, lockedBy: 'A' });

    const ran: Array<{ n: number; attempt: number; worker?: string }> = [];
    const b = worker('B', [recording(ran, 'B')]);
    clock.advance(LEASE - 1);
    expect(await b.runOnce()).toBe(0);
    expect(ran).toEqual([]);

    clock.advance(2);
    expect(await b.runOnce()).toBe(1);
    expect(ran).toEqual([{ n: 1, attempt: 2, worker: 'B' }]);
    expect(await getJob(db, id!)).toMatchObject({ state: 'done', attempts: 2, lockedBy: null, lockedUntil: null });
  });

  it('two workers claiming at the same time never get the same job (FOR UPDATE SKIP LOCKED)', async () => {
    for (let n = 0; n < 20; n++) await enqueueJob(db, TEST_JOB, { n });
    const claim = (w: string) => claimJobs(db, { workerId: w, kinds: [TEST_JOB.kind], limit: 15, leaseMs: LEASE, now: clock.now() });
    const [a, b] = await Promise.all([claim('A'), claim('B')]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
    expect(a.every((j) => j.lockedBy === 'A') && b.every((j) => j.lockedBy === 'B')).toBe(true);
  });

  it('a heartbeat keeps the lease while the job runs; a worker that lost its lease cannot record progress or finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let ctxA: JobContext | undefined;
    const slow = defineJob({
      ...TEST_JOB,
      async run(_p, ctx) {
        ctxA = ctx;
        started();
        await gate;
      },
    });
    const { id } = await enqueueJob(db, TEST_JOB, { n: 7 });
    const a = worker('A', [slow], { heartbeatMs: 20 });
    const done = a.runOnce();
    await running;
    const first = (await getJob(db, id!))!.lockedUntil!.getTime();
    clock.advance(LEASE * 0.75);
    // Wait (bounded) for a heartbeat to extend the lease from the moved clock.
    for (let i = 0; i < 200 && (await getJob(db, id!))!.lockedUntil!.getTime() <= first; i++) await new Promise((r) => setTimeout(r, 10));
    clock.advance(LEASE * 0.75);
    const ranB: Array<{ n: number; attempt: number }> = [];
    expect(await worker('B', [recording(ranB)]).runOnce()).toBe(0);
    release();
    await done;
    expect(await getJob(db, id!)).toMatchObject({ state: 'done', attempts: 1 });

    // Fencing: a context from attempt 1 cannot write once attempt 2 holds the job.
    const { id: id2 } = await enqueueJob(db, TEST_JOB, { n: 8 });
    const [job] = await claimJobs(db, { workerId: 'A', kinds: [TEST_JOB.kind], limit: 1, leaseMs: LEASE, now: clock.now() });
    const stale = createJobContext(db, job!, { logger, now: clock.now });
    clock.advance(LEASE + 1);
    const [again] = await claimJobs(db, { workerId: 'B', kinds: [TEST_JOB.kind], limit: 1, leaseMs: LEASE, now: clock.now() });
    expect(again).toMatchObject({ id: id2, attempts: 2, lockedBy: 'B' });
    await expect(stale.checkpoint({ step: 'late' })).rejects.toThrow(/lease lost/);
    expect((await getJob(db, id2!))!.progress).toEqual({});
    expect(ctxA).toBeDefined();
  });

  it('retries a failing job with exponential backoff and jitter, then dead-letters it and tells the handler once', async () => {
    const attempts: number[] = [];
    const dead: string[] = [];
    const failing = defineJob({
      ...TEST_JOB,
      async run(_p, ctx) {
        attempts.push(ctx.attempt);
        throw new Error(`model unreachable (attempt ${ctx.attempt})`);
      },
      async onDead(_p, _ctx, error) {
        dead.push(error);
      },
    });
    const w = worker('A', [failing]);
    const { id } = await enqueueJob(db, TEST_JOB, { n: 1 });

    expect(await w.runOnce()).toBe(1);
    let row = (await getJob(db, id!))!;
    expect(row).toMatchObject({ state: 'queued', attempts: 1, lockedBy: null });
    expect(row.lastError).toContain('model unreachable (attempt 1)');
    // Attempt 1 failed: the delay is between half and all of 1 s; random 0.5 gives 750 ms.
    expect(row.runAt.getTime() - clock.at().getTime()).toBe(backoffMs(1, undefined, () => 0.5));
    expect(backoffMs(1, undefined, () => 0.5)).toBe(750);

    clock.advance(749);
    expect(await w.runOnce()).toBe(0);
    clock.advance(1);
    expect(await w.runOnce()).toBe(1);
    row = (await getJob(db, id!))!;
    expect(row.runAt.getTime() - clock.at().getTime()).toBe(1500);
    clock.advance(1500);
    expect(await w.runOnce()).toBe(1);

    row = (await getJob(db, id!))!;
    expect(row).toMatchObject({ state: 'dead', attempts: 3 });
    expect(row.lastError).toContain('model unreachable (attempt 3)');
    expect(attempts).toEqual([1, 2, 3]);
    expect(dead).toHaveLength(1);
    clock.advance(10 * 60_000);
    expect(await w.runOnce()).toBe(0);

    // Backoff bounds: between half and all of min(max, base * 2^(n-1)).
    for (let n = 1; n <= 12; n++) {
      const ceiling = Math.min(300_000, 1000 * 2 ** (n - 1));
      expect(backoffMs(n, undefined, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(n, undefined, () => 0.999999)).toBeLessThanOrEqual(ceiling);
    }

    // Staff retry: back to queued with fresh attempts, its progress kept.
    const retried = await retryDeadJob(db, id!);
    expect(retried).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await retryDeadJob(db, id!)).toBeNull();
  });

  it('sends permanent failures and payloads that do not match their kind straight to dead', async () => {
    const permanent = defineJob({
      ...TEST_JOB,
      async run() {
        throw new PermanentJobError('the thread was deleted');
      },
    });
    const w = worker('A', [permanent]);
    const { id } = await enqueueJob(db, TEST_JOB, { n: 1 });
    await w.runOnce();
    expect(await getJob(db, id!)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'PermanentJobError: the thread was deleted' });

    // A row written by an older version (or by hand) with a payload its kind no longer accepts.
    const [bad] = await db.query<{ id: string }>(`INSERT INTO jobs (kind, payload) VALUES ($1, '{"n":"x"}') RETURNING id::text AS id`, [TEST_JOB.kind]);
    await w.runOnce();
    const row = (await getJob(db, Number(bad!.id)))!;
    expect(row.state).toBe('dead');
    expect(row.lastError).toMatch(/^invalid payload: n: /);

    await expect(enqueueJob(db, TEST_JOB, { n: 1.5 })).rejects.toThrow(/invalid payload/);
  });

  it('enqueues at most one job per dedupe key, also when two instances race', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => enqueueJob(db, TEST_JOB, { n: 1 }, { dedupeKey: 'slack:Ev0001' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE dedupe_key = 'slack:Ev0001'`);
    expect(rows[0]!.n).toBe(1);
    // Keys are not reused after the job has run: a late Slack retry finds the finished job.
    const ran: Array<{ n: number; attempt: number }> = [];
    await worker('A', [recording(ran)]).runOnce();
    expect((await enqueueJob(db, TEST_JOB, { n: 1 }, { dedupeKey: 'slack:Ev0001' })).created).toBe(false);
    expect(ran).toHaveLength(1);
  });

  it('gives up a job whose worker died on its last allowed attempt, instead of looping', async () => {
    const dead: string[] = [];
    const handler = defineJob({
      ...TEST_JOB,
      maxAttempts: 2,
      async run() {
        throw new Error('never reached');
      },
      async onDead(_p, _ctx, error) {
        dead.push(error);
      },
    });
    const { id } = await enqueueJob(db, { ...TEST_JOB, maxAttempts: 2 }, { n: 1 });
    for (const w of ['A', 'B']) {
      await claimJobs(db, { workerId: w, kinds: [TEST_JOB.kind], limit: 1, leaseMs: LEASE, now: clock.now() });
      clock.advance(LEASE + 1);
    }
    expect(await worker('C', [handler]).runOnce()).toBe(0);
    const row = (await getJob(db, id!))!;
    expect(row).toMatchObject({ state: 'dead', attempts: 2 });
    expect(row.lastError).toMatch(/lease expired on attempt 2 of 2/);
    expect(dead).toHaveLength(1);
  });

  it('counts jobs by state for doctor, lists them, and prunes old finished ones', async () => {
    const fail = defineJob({
      ...TEST_JOB,
      maxAttempts: 1,
      async run() {
        throw new Error('boom');
      },
    });
    await enqueueJob(db, { ...TEST_JOB, maxAttempts: 1 }, { n: 1 });
    await worker('A', [fail]).runOnce();
    await enqueueJob(db, TEST_JOB, { n: 2 });
    const counts = await jobCounts(db);
    expect(counts).toMatchObject({ queued: 1, running: 0, done: 0, dead: 1 });
    expect(counts.oldestDead).toMatchObject({ kind: TEST_JOB.kind, lastError: 'Error: boom' });
    expect((await listJobs(db, { state: 'dead' })).map((j) => j.state)).toEqual(['dead']);
    await db.query(`UPDATE jobs SET updated_at = now() - interval '40 days' WHERE state = 'dead'`);
    expect(await pruneJobs(db)).toBe(1);
    expect((await jobCounts(db)).dead).toBe(0);
  });

  it('a running worker is woken by an enqueue in the same process (no waiting for the poll)', async () => {
    const ran: Array<{ n: number; attempt: number }> = [];
    const w = new JobWorker({ db, handlers: [recording(ran)], logger, id: 'live', pollMs: 60_000 });
    await w.start();
    try {
      // Let the first (empty) claim finish so the worker is asleep on its minute-long poll.
      await new Promise((r) => setTimeout(r, 200));
      const started = performance.now();
      await enqueueJob(db, TEST_JOB, { n: 42 });
      for (let i = 0; i < 500 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ran).toEqual([{ n: 42, attempt: 1 }]);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await w.stop();
    }
  });
});
