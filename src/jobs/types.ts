import type { z } from 'zod';
import type { Logger } from '../log.ts';

/** The kinds of work that run as jobs. Each has one zod payload schema, next to its handler. */
export const JOB_KINDS = ['answer.slack', 'summarize.thread', 'summarize.docket', 'comment.intake', 'comment.card', 'library.add', 'library.diff'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATES = ['queued', 'running', 'done', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobRow {
  id: number;
  kind: string;
  payload: unknown;
  dedupeKey: string | null;
  state: JobState;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  progress: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** What a running handler gets besides its payload. */
export interface JobContext {
  readonly id: number;
  readonly kind: string;
  /** 1 on the first run; more on retries and after a crashed worker's lease ran out. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly dedupeKey: string | null;
  readonly createdAt: Date;
  /** What earlier attempts recorded with checkpoint(), merged; `{}` on the first run. */
  readonly progress: Record<string, unknown>;
  /**
   * Records progress in the job row (merged into `progress`) before the handler goes on. Throws
   * LeaseLostError when another worker has taken the job over, so this one stops.
   */
  checkpoint(patch: Record<string, unknown>): Promise<void>;
  /** Aborted when the lease is lost or the worker is stopping. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** One kind of job as a worker runs it. */
export interface JobHandler<P = unknown> {
  kind: JobKind;
  payload: z.ZodType<P>;
  /** Default 5. */
  maxAttempts?: number;
  run(payload: P, ctx: JobContext): Promise<void>;
  /**
   * Called once when the job is given up (dead): tell the person who is waiting. Best effort; a
   * failure here is logged.
   */
  onDead?(payload: P, ctx: JobContext, error: string): Promise<void>;
}

/** A failure that retrying cannot fix (bad input, a deleted thread): the job goes straight to dead. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** Another worker owns the job now (this one's lease ran out): stop without touching the row. */
export class LeaseLostError extends Error {
  constructor(jobId: number) {
    super(`job ${jobId}: lease lost to another worker`);
    this.name = 'LeaseLostError';
  }
}

/** Type-checks a handler against its payload schema while keeping it assignable to JobHandler<unknown>. */
export function defineJob<P>(handler: JobHandler<P>): JobHandler<unknown> {
  return handler as unknown as JobHandler<unknown>;
}
