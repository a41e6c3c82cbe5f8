/**
 * The comment queue's public surface. The work lives in one module per responsibility:
 * - states.ts     tracking numbers, states and the allowed moves between them
 * - read.ts       reading one comment (the columns every reader shares)
 * - submit.ts     storing a comment (idempotent, rate-limited) and completing its attachments
 * - audit.ts      the audit log and the one way a change is made (locked, audited, committed together)
 * - review.ts     reviewers' changes: status, assignment, tags, notes, topic suggestions
 * - queries.ts    listing, filters, counts, the App Home, a comment's details
 * - submitter.ts  what a submitter may see, and receipts
 */
export type { CommentDeps } from './deps.ts';
export type { PersonalDataKind } from './schema.ts';
export {
  TRACKING_NUMBER_PATTERN,
  newTrackingNumber,
  normalizeTrackingNumber,
  TRANSITIONS,
  canTransition,
  OPEN_STATUSES,
  UNREVIEWED_STATUSES,
  parseStatus,
} from './states.ts';
export { getComment, readCommentForDelivery, type CommentRef } from './read.ts';
export { getAuditLog, type AuditEntry } from './audit.ts';
export {
  submitComment,
  completeAttachments,
  commentFieldErrors,
  PENDING_NOTE,
  type SubmitOptions,
  type SubmitResult,
} from './submit.ts';
export { setStatus, assignComment, normalizeTags, addTags, removeTags, addNote, applyTopicSuggestion } from './review.ts';
export {
  getCommentDetails,
  commentFilterSchema,
  listComments,
  queueCounts,
  oldestUnreviewed,
  assignedTo,
  queueHome,
  type CommentNote,
  type CommentDetails,
  type CommentFilter,
  type QueueCounts,
  type QueueHome,
} from './queries.ts';
export {
  submitterStatus,
  statusForSubmitter,
  listOwnComments,
  topicLabel,
  receiptFields,
  formatReceiptText,
  type SubmitterView,
  type SubmitterIdentity,
} from './submitter.ts';
