import type { z } from 'zod';
import type { Queryable } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { JOB_STATES, type JobKind, type JobRow, type JobState } from './types.ts';

/**
 * A Postgres-backed job queue in one table (migration 006_jobs.sql).
 *
 * Why `FOR UPDATE SKIP LOCKED` on our own table rather than pg-boss or graphile-worker: the queue
 * has to run the same SQL on PGlite (the embedded default: one connection, one process, no
 * background worker of its own) and on a Postgres server; pg-boss and graphile-worker each want a
 * schema of their own, a pool of several connections, and (graphile) its own migrations and
 * LISTEN connection, none of which PGlite offers. What we need from them is small and fits in one
 * table: a row per job, claimed atomically by one worker (`SELECT … FOR UPDATE SKIP LOCKED` makes
 * concurrent claimers skip each other's rows instead of waiting), a lease (`locked_until`, extended
 * by a heartbeat) so a job held by a dead instance is claimed again after it runs out, retries
 * with exponential backoff and jitter, a dead state with the last error, and a unique dedupe key
 * so a Slack retry or a second instance never enqueues the same work twice. No extra dependency,
 * and `policy-desk doctor` / `policy-desk jobs` read the same table.
 *
 * Times: every statement takes an optional `now`. Production passes null and uses the database's
 * clock (one clock for all instances, so leases do not depend on the instances' clocks); tests
 * pass a fixed Date and move it forward instead of sleeping.
 *
 * Delivery is at least once: a job whose worker dies after a side effect and before `done` runs
 * again. Handlers make their side effects idempotent with `progress` (see src/slack/jobs/).
 */

export const JOBS_CHANNEL = 'policy_desk_jobs';

const columns = (p = '') =>
  `${p}id::text AS id, ${['kind', 'payload', 'dedupe_key', 'state', 'run_at', 'attempts', 'max_attempts', 'locked_by', 'locked_until', 'last_error', 'progress', 'created_at', 'updated_at', 'finished_at'].map((c) => `${p}${c} AS ${c}`).join(', ')}`;
const COLUMNS = columns();

interface RawJob {
  id: string;
  kind: string;
  payload: unknown;
  dedupe_key: string | null;
  state: JobState;
  run_at: Date | string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: Date | string | null;
  last_error: string | null;
  progress: Record<string, unknown> | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const date = (v: Date | string) => new Date(v);

function toJob(r: RawJob): JobRow {
  return {
    id: Number(r.id),
    kind: r.kind,
    payload: json(r.payload),
    dedupeKey: r.dedupe_key,
    state: r.state,
    runAt: date(r.run_at),
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lockedBy: r.locked_by,
    lockedUntil: r.locked_until === null ? null : date(r.locked_until),
    lastError: r.last_error,
    progress: json(r.progress ?? {}) ?? {},
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    finishedAt: r.finished_at === null ? null : date(r.finished_at),
  };
}

/** The SQL for "now": the given instant, or the database's clock. */
const T = (n: number) => `coalesce($${n}::timestamptz, now())`;

// ---------------------------------------------------------------------------------------------
// Enqueue

export interface EnqueueOptions {
  /** At most one job ever exists per key (until pruned); a second enqueue returns created: false. */
  dedupeKey?: string | null;
  runAt?: Date;
  maxAttempts?: number;
}

/** Limits on what a job row may hold: a payload is a pointer to work, not the work itself. */
export const JOB_LIMITS = { payloadBytes: 64 * 1024, dedupeKeyChars: 300, errorChars: 4000 } as const;

/**
 * Validates the payload against the kind's schema and inserts the job (in `q`, which may be a
 * transaction: the job then exists exactly when the rest of it commits). Returns created: false
 * when the dedupe key was taken. Call wakeLocalWorkers() after the commit.
 */
export async function insertJob<P>(
  q: Queryable,
  def: { kind: JobKind; payload: z.ZodType<P>; maxAttempts?: number },
  payload: P,
  options: EnqueueOptions = {},
): Promise<{ id: number | null; created: boolean }> {
  const parsed = def.payload.safeParse(payload);
  if (!parsed.success) {
    throw new AppError('internal', `job ${def.kind}: invalid payload: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const body = JSON.stringify(parsed.data);
  if (body.length > JOB_LIMITS.payloadBytes) throw new AppError('internal', `job ${def.kind}: payload of ${body.length} bytes is over ${JOB_LIMITS.payloadBytes}`);
  const key = options.dedupeKey ?? null;
  if (key !== null && key.length > JOB_LIMITS.dedupeKeyChars) throw new AppError('internal', `job ${def.kind}: dedupe key longer than ${JOB_LIMITS.dedupeKeyChars}`);
  // pg_notify in the same statement: delivered to listening instances when this commits.
  const rows = await q.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO jobs (kind, payload, dedupe_key, run_at, max_attempts)
       VALUES ($1, $2::jsonb, $3, coalesce($4::timestamptz, now()), $5)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id, kind)
     SELECT id::text AS id, pg_notify('${JOBS_CHANNEL}', kind) IS NULL AS notified FROM ins`,
    [def.kind, body, key, options.runAt ?? null, options.maxAttempts ?? def.maxAttempts ?? 5],
  );
  const id = rows[0]?.id;
  return id === undefined ? { id: null, created: false } : { id: Number(id), created: true };
}

// In-process wake-up: PGlite has no LISTEN connection to spare, and on Postgres it saves the
// round trip through the server for work enqueued by this very instance.
const localWakers = new Set<() => void>();

export function onLocalEnqueue(wake: () => void): () => void {
  localWakers.add(wake);
  return () => localWakers.delete(wake);
}

export function wakeLocalWorkers(): void {
  for (const wake of localWakers) wake();
}

/** insertJob outside a transaction, then wake this instance's workers. */
export async function enqueueJob<P>(
  q: Queryable,
  def: { kind: JobKind; payload: z.ZodType<P>; maxAttempts?: number },
  payload: P,
  options: EnqueueOptions = {},
): Promise<{ id: number | null; created: boolean }> {
  const result = await insertJob(q, def, payload, options);
  if (result.created) wakeLocalWorkers();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Claim, heartbeat, finish: each statement after the claim is fenced by (id, locked_by,
// attempts), so a worker whose lease ran out and whose job was claimed again cannot touch it.

export interface ClaimOptions {
  workerId: string;
  kinds: readonly string[];
  limit: number;
  leaseMs: number;
  now?: Date | null;
}

/**
 * Claims up to `limit` jobs: due queued jobs, and running jobs whose lease has expired (their
 * worker died). SKIP LOCKED lets several instances claim at once without blocking or taking the
 * same row; the row lock lasts only for this statement, and the lease carries the claim from there.
 */
export async function claimJobs(q: Queryable, o: ClaimOptions): Promise<JobRow[]> {
  if (o.limit <= 0 || o.kinds.length === 0) return [];
  const rows = await q.query<RawJob>(
    `WITH picked AS (
       SELECT id FROM jobs
       WHERE kind = ANY($1::text[])
         AND ((state = 'queued' AND run_at <= ${T(4)})
           OR (state = 'running' AND locked_until < ${T(4)} AND attempts < max_attempts))
       ORDER BY run_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
     UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, locked_by = $3,
       locked_until = ${T(4)} + ($5::double precision * interval '1 millisecond'), updated_at = ${T(4)}
     FROM picked WHERE j.id = picked.id
     RETURNING ${columns('j.')}`,
    [o.kinds, o.limit, o.workerId, o.now ?? null, o.leaseMs],
  );
  return rows.map(toJob).sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
}

/**
 * Running jobs whose lease ran out on their last allowed attempt: their worker died every time
 * (a job that crashes the process, or bad luck). They go to dead instead of looping forever.
 */
export async function reapExpired(q: Queryable, o: { kinds: readonly string[]; now?: Date | null }): Promise<JobRow[]> {
  const rows = await q.query<RawJob>(
    `UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, updated_at = ${T(2)}, finished_at = ${T(2)},
       last_error = left('lease expired on attempt ' || attempts || ' of ' || max_attempts || ' (its worker stopped)'
                         || coalesce(E'; before that: ' || last_error, ''), ${JOB_LIMITS.errorChars})
     WHERE kind = ANY($1::text[]) AND state = 'running' AND locked_until < ${T(2)} AND attempts >= max_attempts
     RETURNING ${COLUMNS}`,
    [o.kinds, o.now ?? null],
  );
  return rows.map(toJob);
}

interface Fence {
  id: number;
  lockedBy: string | null;
  attempts: number;
}

const FENCE = `id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'running'`;

/** Extends the lease; false when the job is no longer this worker's. */
export async function heartbeat(q: Queryable, job: Fence, leaseMs: number, now?: Date | null): Promise<boolean> {
  const rows = await q.query(
    `UPDATE jobs SET locked_until = ${T(4)} + ($5::double precision * interval '1 millisecond'), updated_at = ${T(4)}
     WHERE ${FENCE} RETURNING id`,
    [job.id, job.lockedBy, job.attempts, now ?? null, leaseMs],
  );
  return rows.length === 1;
}

/** Merges `patch` into the job's progress; false when the job is no longer this worker's. */
export async function saveProgress(q: Queryable, job: Fence, patch: Record<string, unknown>, now?: Date | null): Promise<boolean> {
  const rows = await q.query(`UPDATE jobs SET progress = progress || $4::jsonb, updated_at = ${T(5)} WHERE ${FENCE} RETURNING id`, [
    job.id,
    job.lockedBy,
    job.attempts,
    JSON.stringify(patch),
    now ?? null,
  ]);
  return rows.length === 1;
}

export async function completeJob(q: Queryable, job: Fence, now?: Date | null): Promise<boolean> {
  const rows = await q.query(
    `UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, updated_at = ${T(4)}, finished_at = ${T(4)}
     WHERE ${FENCE} RETURNING id`,
    [job.id, job.lockedBy, job.attempts, now ?? null],
  );
  return rows.length === 1;
}

/** Back to queued, to run again at `runAt` (backoff), keeping the error. */
export async function retryLater(q: Queryable, job: Fence, error: string, runAfterMs: number, now?: Date | null): Promise<boolean> {
  const rows = await q.query(
    `UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, last_error = $4, updated_at = ${T(5)},
       run_at = ${T(5)} + ($6::double precision * interval '1 millisecond')
     WHERE ${FENCE} RETURNING id`,
    [job.id, job.lockedBy, job.attempts, error.slice(0, JOB_LIMITS.errorChars), now ?? null, runAfterMs],
  );
  return rows.length === 1;
}

export async function markDead(q: Queryable, job: Fence, error: string, now?: Date | null): Promise<boolean> {
  const rows = await q.query(
    `UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, last_error = $4, updated_at = ${T(5)}, finished_at = ${T(5)}
     WHERE ${FENCE} RETURNING id`,
    [job.id, job.lockedBy, job.attempts, error.slice(0, JOB_LIMITS.errorChars), now ?? null],
  );
  return rows.length === 1;
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * Exponential backoff with "equal jitter": after attempt n the delay is between half and all of
 * min(max, base * 2^(n-1)), so instances that failed together (a database restart) do not all
 * come back in the same millisecond.
 */
export function backoffMs(attempt: number, backoff: Backoff = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

// ---------------------------------------------------------------------------------------------
// Staff: listing, retrying dead jobs, counts, pruning.

export async function getJob(q: Queryable, id: number): Promise<JobRow | null> {
  const rows = await q.query<RawJob>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
  return rows[0] ? toJob(rows[0]) : null;
}

export async function findJobByKey(q: Queryable, dedupeKey: string): Promise<JobRow | null> {
  const rows = await q.query<RawJob>(`SELECT ${COLUMNS} FROM jobs WHERE dedupe_key = $1`, [dedupeKey]);
  return rows[0] ? toJob(rows[0]) : null;
}

export async function listJobs(q: Queryable, filter: { state?: JobState; kind?: string; limit?: number } = {}): Promise<JobRow[]> {
  const rows = await q.query<RawJob>(
    `SELECT ${COLUMNS} FROM jobs
     WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
     ORDER BY updated_at DESC, id DESC LIMIT $3`,
    [filter.state ?? null, filter.kind ?? null, Math.min(Math.max(filter.limit ?? 50, 1), 1000)],
  );
  return rows.map(toJob);
}

/**
 * Puts a dead job back in the queue with fresh attempts (staff, after fixing the cause). Its
 * progress is kept, so what it already did is not done again. Null when there is no dead job
 * with that id.
 */
export async function retryDeadJob(q: Queryable, id: number): Promise<JobRow | null> {
  const rows = await q.query<RawJob>(
    `UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(), updated_at = now(), finished_at = NULL
     WHERE id = $1 AND state = 'dead' RETURNING ${COLUMNS}`,
    [id],
  );
  if (rows[0]) await q.query(`SELECT pg_notify('${JOBS_CHANNEL}', $1)`, [rows[0].kind]);
  return rows[0] ? toJob(rows[0]) : null;
}

export interface JobCounts {
  queued: number;
  running: number;
  done: number;
  dead: number;
  /** Jobs given up in the last 24 hours: someone was not answered recently. */
  deadLastDay: number;
  /** Queued and due for longer than this: no worker is taking work. */
  oldestDueSeconds: number | null;
  oldestDead: { id: number; kind: string; lastError: string | null; updatedAt: Date } | null;
}

export async function jobCounts(q: Queryable): Promise<JobCounts> {
  const counts = await q.query<{ state: JobState; n: number }>('SELECT state, count(*)::int AS n FROM jobs GROUP BY state');
  const by = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const c of counts) by[c.state] = c.n;
  const [due] = await q.query<{ s: number | null }>(
    `SELECT extract(epoch FROM now() - min(run_at))::float8 AS s FROM jobs WHERE state = 'queued' AND run_at <= now()`,
  );
  const [dead] = await q.query<RawJob>(`SELECT ${COLUMNS} FROM jobs WHERE state = 'dead' ORDER BY updated_at, id LIMIT 1`);
  const [recent] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE state = 'dead' AND updated_at > now() - interval '1 day'`);
  return {
    ...by,
    deadLastDay: recent?.n ?? 0,
    oldestDueSeconds: due?.s ?? null,
    oldestDead: dead ? { id: Number(dead.id), kind: dead.kind, lastError: dead.last_error, updatedAt: date(dead.updated_at) } : null,
  };
}

/** Finished jobs are history: done ones are kept a week (dedupe of late Slack retries needs a day), dead ones a month. */
export async function pruneJobs(q: Queryable, o: { doneDays?: number; deadDays?: number } = {}): Promise<number> {
  const rows = await q.query<{ id: string }>(
    `DELETE FROM jobs WHERE (state = 'done' AND finished_at < now() - make_interval(days => $1))
                        OR (state = 'dead' AND updated_at < now() - make_interval(days => $2))
     RETURNING id::text AS id`,
    [o.doneDays ?? 7, o.deadDays ?? 30],
  );
  return rows.length;
}
