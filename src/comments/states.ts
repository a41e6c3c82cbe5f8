import { randomInt } from 'node:crypto';
import { AppError } from '../errors.ts';
import { COMMENT_STATUSES, STATUS_LABELS, type CommentStatus } from './schema.ts';

// ---------------------------------------------------------------------------------------------
// Tracking numbers

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const TRACKING_NUMBER_PATTERN = /^[0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4}$/;

/** regulations.gov style, e.g. "l2z-02tq-bsbu": 36^11 (about 10^17) values from a CSPRNG, so unguessable. */
export function newTrackingNumber(): string {
  const c = () => ALPHABET[randomInt(36)]!;
  const group = (k: number) => Array.from({ length: k }, c).join('');
  return `${group(3)}-${group(4)}-${group(4)}`;
}

/** Accepts what people paste: surrounding spaces, upper case. */
export function normalizeTrackingNumber(s: string): string {
  return s.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// States

/**
 * Every allowed move, and only these. The main path is new → triaged → in_review → responded or
 * closed; duplicate and spam are side exits while a comment is still being looked at, and each
 * end state can be reopened one step back when it was set by mistake.
 */
export const TRANSITIONS: Readonly<Record<CommentStatus, readonly CommentStatus[]>> = {
  new: ['triaged', 'duplicate', 'spam'],
  triaged: ['in_review', 'duplicate', 'spam'],
  in_review: ['responded', 'closed', 'triaged', 'duplicate', 'spam'],
  responded: ['closed', 'in_review'],
  closed: ['in_review'],
  duplicate: ['triaged'],
  spam: ['triaged'],
};

export function canTransition(from: CommentStatus, to: CommentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Open means someone still has to act on it. */
export const OPEN_STATUSES: readonly CommentStatus[] = ['new', 'triaged', 'in_review'];
/** Nobody has looked at it yet. */
export const UNREVIEWED_STATUSES: readonly CommentStatus[] = ['new', 'triaged'];

const statusList = (xs: readonly CommentStatus[]) => xs.map((s) => `${STATUS_LABELS[s]} (${s})`).join(', ');

export function transitionError(trackingNumber: string, from: CommentStatus, to: CommentStatus): AppError {
  const allowed = TRANSITIONS[from];
  const why =
    from === to
      ? `it is already ${STATUS_LABELS[from]}`
      : `a ${STATUS_LABELS[from]} comment can only move to ${statusList(allowed)}`;
  return new AppError('comment.transition', `Cannot move ${trackingNumber} from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}: ${why}.`, {
    details: { from, to, allowed },
  });
}

export function parseStatus(s: string): CommentStatus {
  const v = s.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if ((COMMENT_STATUSES as readonly string[]).includes(v)) return v as CommentStatus;
  throw new AppError('input.invalid', `Unknown status "${s}". Statuses: ${COMMENT_STATUSES.join(', ')}.`);
}
