import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import {
  backoffMs,
  claimJobs,
  completeJob,
  DEFAULT_BACKOFF,
  heartbeat,
  JOBS_CHANNEL,
  markDead,
  onLocalEnqueue,
  reapExpired,
  retryLater,
  saveProgress,
  type Backoff,
} from './queue.ts';
import { LeaseLostError, PermanentJobError, type JobContext, type JobHandler, type JobRow } from './types.ts';

export interface WorkerOptions {
  db: Db;
  handlers: ReadonlyArray<JobHandler<unknown>>;
  logger: Logger;
  /** Identifies this worker in locked_by; default host:pid:random. */
  id?: string;
  /** Jobs run at the same time by this worker. */
  concurrency?: number;
  /** How often to look for due work when nothing woke the worker (retries, expired leases). */
  pollMs?: number;
  /** How long a claim holds without a heartbeat; a dead instance's jobs are taken over after it. */
  leaseMs?: number;
  /** Heartbeat interval; default a quarter of the lease. */
  heartbeatMs?: number;
  backoff?: Backoff;
  /** Tests: a fixed clock (the database's clock otherwise) and a fixed random for the jitter. */
  now?: () => Date;
  random?: () => number;
  /**
   * How long to keep retrying a bookkeeping write (done, retry) while the database is down
   * before leaving the job to its lease. Default half the lease.
   */
  bookkeepingRetryMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The context a handler runs with: `checkpoint` writes progress fenced by the claim (id, worker,
 * attempt), so a worker that lost its lease cannot record anything. Exported for tests that play
 * a worker which dies part-way.
 */
export function createJobContext(db: Db, job: JobRow, o: { logger: Logger; signal?: AbortSignal; now?: () => Date }): JobContext {
  const progress = { ...job.progress };
  return {
    id: job.id,
    kind: job.kind,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    dedupeKey: job.dedupeKey,
    createdAt: job.createdAt,
    progress,
    signal: o.signal ?? new AbortController().signal,
    logger: o.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts }),
    checkpoint: async (patch) => {
      if (!(await saveProgress(db, job, patch, o.now ? o.now() : null))) throw new LeaseLostError(job.id);
      Object.assign(progress, patch);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`;
  }
  return String(err);
}

/**
 * Runs jobs: claims due ones (and ones whose lease ran out) up to `concurrency`, runs each with a
 * heartbeat, and records done / retry-with-backoff / dead. `start()` loops, woken by enqueues in
 * this process, by NOTIFY from other instances (Postgres), and by a poll. Tests call `runOnce()`
 * with an injected clock instead.
 */
export class JobWorker {
  readonly id: string;
  private readonly db: Db;
  private readonly handlers: Map<string, JobHandler<unknown>>;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly backoff: Backoff;
  private readonly now?: () => Date;
  private readonly random: () => number;
  private readonly bookkeepingRetryMs: number;
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopController = new AbortController();
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private unsubscribe: Array<() => unknown> = [];

  constructor(o: WorkerOptions) {
    this.id = o.id ?? defaultWorkerId();
    this.db = o.db;
    this.handlers = new Map(o.handlers.map((h) => [h.kind, h]));
    this.logger = o.logger.child({ component: 'jobs', worker: this.id });
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.pollMs = o.pollMs ?? 1000;
    this.leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = o.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 4));
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.now = o.now;
    this.random = o.random ?? Math.random;
    this.bookkeepingRetryMs = o.bookkeepingRetryMs ?? Math.floor(this.leaseMs / 2);
  }

  private get clock(): Date | null {
    return this.now ? this.now() : null;
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /** Jobs this worker is running right now. */
  get busy(): number {
    return this.inflight.size;
  }

  /**
   * One round: gives up jobs that ran out of attempts while their worker was dead, claims as many
   * due jobs as there are free slots, and waits for all running jobs to finish. Returns how many
   * jobs it claimed.
   */
  async runOnce(): Promise<number> {
    const claimed = await this.fill();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    return claimed;
  }

  /** Runs until stop(): claims whenever woken or every pollMs. */
  async start(): Promise<void> {
    if (this.loopDone) return;
    this.unsubscribe.push(onLocalEnqueue(() => this.wake()));
    if (this.db.listen) {
      try {
        this.unsubscribe.push(await this.db.listen(JOBS_CHANNEL, () => this.wake()));
      } catch (err) {
        this.logger.warn({ err }, 'jobs: could not LISTEN for new jobs; polling only');
      }
    }
    this.loopDone = this.loop();
  }

  /** Stops claiming, then waits up to `graceMs` for running jobs (the rest are left to their lease). */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopController.abort();
    this.wake();
    for (const u of this.unsubscribe.splice(0)) await u();
    await this.loopDone;
    if (this.inflight.size > 0) {
      await Promise.race([Promise.allSettled([...this.inflight]), sleep(graceMs)]);
    }
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopController.signal.aborted) {
      this.woken = false;
      let claimed = 0;
      try {
        claimed = await this.fill();
        if (failures > 0) this.logger.info({ failures }, 'jobs: database reachable again');
        failures = 0;
      } catch (err) {
        failures++;
        // Logged once per outage, then every tenth failure: a restart must not flood the log.
        if (failures === 1 || failures % 10 === 0) this.logger.warn({ err, failures }, 'jobs: could not claim jobs; retrying');
        await this.pause(Math.min(this.pollMs * 2 ** Math.min(failures, 5), 15_000));
        continue;
      }
      // A full claim may have left more due work behind; a partial one means the queue is drained.
      if (claimed > 0 && this.inflight.size < this.concurrency) continue;
      if (!this.woken) await this.pause(this.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async fill(): Promise<number> {
    const free = this.concurrency - this.inflight.size;
    if (free <= 0 || this.stopController.signal.aborted) return 0;
    for (const job of await reapExpired(this.db, { kinds: this.kinds, now: this.clock })) {
      this.logger.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, error: job.lastError }, 'jobs: job dead (lease expired on its last attempt)');
      await this.tellDead(job, job.lastError ?? 'lease expired');
    }
    const jobs = await claimJobs(this.db, { workerId: this.id, kinds: this.kinds, limit: free, leaseMs: this.leaseMs, now: this.clock });
    for (const job of jobs) {
      const p: Promise<void> = this.execute(job).finally(() => {
        this.inflight.delete(p);
        this.wake();
      });
      this.inflight.add(p);
    }
    return jobs.length;
  }

  private context(job: JobRow, signal: AbortSignal): JobContext {
    return createJobContext(this.db, job, { logger: this.logger, signal, now: this.now });
  }

  /** A bookkeeping write that must outlive a database restart if it can; false if it never got through. */
  private async persist(what: string, job: JobRow, write: () => Promise<boolean>): Promise<boolean | null> {
    const deadline = performance.now() + this.bookkeepingRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (performance.now() + 250 * attempt > deadline) {
          this.logger.warn({ err, jobId: job.id, kind: job.kind }, `jobs: could not record ${what}; the lease will expire and the job run again`);
          return null;
        }
        await sleep(Math.min(250 * attempt, 2000));
      }
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const handler = this.handlers.get(job.kind);
    const abort = new AbortController();
    const onStop = () => abort.abort(new Error('worker stopping'));
    this.stopController.signal.addEventListener('abort', onStop, { once: true });
    const log = { jobId: job.id, kind: job.kind, attempt: job.attempts, maxAttempts: job.maxAttempts };
    const started = performance.now();
    if (!handler) return; // claimJobs only returns kinds this worker handles
    const parsed = handler.payload.safeParse(job.payload);
    if (!parsed.success) {
      const error = `invalid payload: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
      this.logger.error({ ...log, error }, 'jobs: job dead (its payload does not match its kind)');
      await this.persist('the dead job', job, () => markDead(this.db, job, error, this.clock));
      return;
    }
    const ctx = this.context(job, abort.signal);
    const beat = setInterval(() => {
      heartbeat(this.db, job, this.leaseMs, this.clock)
        .then((mine) => {
          if (!mine) abort.abort(new LeaseLostError(job.id));
        })
        // A failing heartbeat (database restarting) is not a lost lease; the next one may get through.
        .catch((err: unknown) => this.logger.debug({ err, ...log }, 'jobs: heartbeat failed'));
    }, this.heartbeatMs);
    beat.unref();
    try {
      await handler.run(parsed.data, ctx);
      clearInterval(beat);
      const ok = await this.persist('completion', job, () => completeJob(this.db, job, this.clock));
      if (ok === false) this.logger.warn(log, 'jobs: finished, but another worker had taken the job over');
      else this.logger.info({ ...log, ms: Math.round(performance.now() - started) }, 'jobs: job done');
    } catch (err) {
      clearInterval(beat);
      if (err instanceof LeaseLostError || abort.signal.reason instanceof LeaseLostError) {
        this.logger.warn({ ...log, err }, 'jobs: lease lost; another worker runs the job');
        return;
      }
      const error = errorText(err);
      const permanent = err instanceof PermanentJobError;
      if (permanent || job.attempts >= job.maxAttempts) {
        this.logger.error({ ...log, err }, permanent ? 'jobs: job dead (permanent failure)' : 'jobs: job dead (out of attempts)');
        const ok = await this.persist('the dead job', job, () => markDead(this.db, job, error, this.clock));
        if (ok) await this.tellDead(job, error, parsed.data, ctx);
        return;
      }
      const delay = backoffMs(job.attempts, this.backoff, this.random);
      this.logger.warn({ ...log, err, retryInMs: delay }, 'jobs: job failed; will retry');
      await this.persist('the retry', job, () => retryLater(this.db, job, error, delay, this.clock));
    } finally {
      this.stopController.signal.removeEventListener('abort', onStop);
    }
  }

  private async tellDead(job: JobRow, error: string, payload?: unknown, ctx?: JobContext): Promise<void> {
    const handler = this.handlers.get(job.kind);
    if (!handler?.onDead) return;
    let data = payload;
    if (data === undefined) {
      const parsed = handler.payload.safeParse(job.payload);
      if (!parsed.success) return;
      data = parsed.data;
    }
    try {
      await handler.onDead(data, ctx ?? this.context(job, new AbortController().signal), error);
    } catch (err) {
      this.logger.error({ err, jobId: job.id, kind: job.kind }, 'jobs: could not tell anyone that a job died');
    }
  }
}
