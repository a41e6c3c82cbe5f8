import { randomBytes } from 'node:crypto';

/**
 * Every error a user may see carries a stable code. The code decides the message
 * the user sees; the details stay in the log under a reference id.
 */
export type ErrorCode =
  | 'config.invalid'
  | 'db.unavailable'
  | 'db.embedder_mismatch'
  | 'ingest.unsupported'
  | 'ingest.unreadable'
  | 'ingest.empty'
  | 'ingest.encrypted'
  | 'ingest.too_large'
  | 'ingest.scanned'
  | 'ingest.ocr_unavailable'
  | 'fetch.refused'
  | 'fetch.limit'
  | 'fetch.failed'
  | 'input.invalid'
  | 'llm.unavailable'
  | 'llm.invalid_output'
  | 'comment.invalid'
  | 'comment.not_found'
  | 'comment.transition'
  | 'access.denied'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** A short id a user can quote to staff; the log line carries the same id. */
export function newReferenceId(): string {
  return randomBytes(4).toString('hex');
}
