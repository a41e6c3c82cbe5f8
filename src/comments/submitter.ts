import type { CommentTopic } from '../config.ts';
import { AppError } from '../errors.ts';
import type { CommentDeps } from './deps.ts';
import { ORGANIZATION_TYPE_LABELS, STATUS_LABELS, type Comment, type CommentStatus } from './schema.ts';
import { normalizeTrackingNumber, TRACKING_NUMBER_PATTERN } from './states.ts';

// ---------------------------------------------------------------------------------------------
// What a submitter may see

/** A submitter's own view of a comment: status and what they sent; no assignee, tags or notes. */
export interface SubmitterView {
  trackingNumber: string;
  status: CommentStatus;
  statusLabel: string;
  receivedAt: Date;
  updatedAt: Date;
  topic: string | null;
  title: string | null;
  /** The first 300 characters of the text. */
  excerpt: string;
  attachments: string[];
}

/** Who is asking about their own comment: the Slack user who sent it, or the e-mail address it came from. */
export interface SubmitterIdentity {
  slackUserId?: string;
  email?: string;
}

const SUBMITTER_VIEW_COLUMNS = `c.tracking_number AS "trackingNumber", c.status, c.received_at AS "receivedAt",
  c.updated_at AS "updatedAt", c.topic, c.title, left(c.body, 300) AS excerpt,
  coalesce((SELECT array_agg(a.name ORDER BY a.ordinal) FROM comment_attachments a WHERE a.comment_id = c.id), '{}') AS attachments`;

function identityCondition(identity: SubmitterIdentity, params: unknown[]): string {
  const parts: string[] = [];
  if (identity.slackUserId?.trim()) {
    params.push(identity.slackUserId.trim());
    parts.push(`c.slack_user_id = $${params.length}`);
  }
  if (identity.email?.trim()) {
    params.push(identity.email.trim().toLowerCase());
    parts.push(`lower(c.email) = $${params.length}`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

const toView = (r: Omit<SubmitterView, 'statusLabel'>): SubmitterView => ({ ...r, statusLabel: STATUS_LABELS[r.status] });

/**
 * `/comment status <tracking number>`: the status of the submitter's own comment. Anyone may ask;
 * a tracking number that is not theirs gets the same answer as one that does not exist.
 */
export async function submitterStatus(deps: CommentDeps, trackingNumber: string, identity: SubmitterIdentity): Promise<SubmitterView> {
  const tn = normalizeTrackingNumber(trackingNumber);
  const fail = () =>
    new AppError(
      'comment.not_found',
      `You have no comment with tracking number "${trackingNumber.trim()}". Check the number in your receipt (it looks like abc-1234-wxyz).`,
    );
  if (!TRACKING_NUMBER_PATTERN.test(tn)) throw fail();
  const params: unknown[] = [tn];
  const rows = await deps.db.query<Omit<SubmitterView, 'statusLabel'>>(
    `SELECT ${SUBMITTER_VIEW_COLUMNS} FROM comments c WHERE c.tracking_number = $1 AND ${identityCondition(identity, params)}`,
    params,
  );
  if (!rows[0]) throw fail();
  return toView(rows[0]);
}

/** The name the issue uses for `submitterStatus`. */
export const statusForSubmitter = submitterStatus;

/** The submitter's own comments, newest first. */
export async function listOwnComments(deps: CommentDeps, identity: SubmitterIdentity, limit = 10): Promise<SubmitterView[]> {
  const params: unknown[] = [];
  const cond = identityCondition(identity, params);
  params.push(Math.min(Math.max(limit, 1), 50));
  const rows = await deps.db.query<Omit<SubmitterView, 'statusLabel'>>(
    `SELECT ${SUBMITTER_VIEW_COLUMNS} FROM comments c WHERE ${cond} ORDER BY c.received_at DESC, c.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toView);
}

// ---------------------------------------------------------------------------------------------
// Receipts

export function topicLabel(topics: readonly CommentTopic[], slug: string | null): string | null {
  if (slug === null) return null;
  return topics.find((t) => t.slug === slug)?.label ?? slug;
}

/**
 * The copy of what was recorded, as label/value pairs (the Slack layer renders them as fields;
 * the CLI prints them). Only the submitter's own data: safe to send to them.
 */
export function receiptFields(comment: Comment, topics: readonly CommentTopic[], options: { maxTextChars?: number } = {}): Array<{ label: string; value: string }> {
  const max = options.maxTextChars ?? 2_500;
  const text = comment.text.length > max ? `${comment.text.slice(0, max)}… (${comment.text.length.toLocaleString('en-US')} characters in all)` : comment.text;
  const fields: Array<{ label: string; value: string | null }> = [
    { label: 'Tracking number', value: comment.trackingNumber },
    { label: 'Received', value: comment.receivedAt.toISOString() },
    { label: 'Name', value: comment.submitterName },
    { label: 'E-mail', value: comment.email },
    { label: 'Organization', value: comment.organization },
    { label: 'Organization type', value: ORGANIZATION_TYPE_LABELS[comment.organizationType] },
    { label: 'On behalf of', value: comment.onBehalfOf },
    { label: 'Topic', value: topicLabel(topics, comment.topic) },
    { label: 'Document', value: comment.documentId },
    { label: 'Subject', value: comment.title },
    { label: 'May be published', value: comment.consentToPublish ? 'yes' : 'no' },
    { label: 'Attachments', value: comment.attachments.map((a) => a.name).join(', ') || null },
    { label: 'Comment', value: text },
  ];
  return fields.filter((f): f is { label: string; value: string } => f.value !== null && f.value !== '');
}

export function formatReceiptText(comment: Comment, topics: readonly CommentTopic[]): string {
  return [
    `Thank you. Your comment was received and recorded with tracking number ${comment.trackingNumber}.`,
    ...receiptFields(comment, topics).map((f) => `${f.label}: ${f.value}`),
  ].join('\n');
}
