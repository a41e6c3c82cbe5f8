import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { takeToken, type BucketSpec } from '../db/rate-limits.ts';
import { commentLimitMessage } from '../rate-limits.ts';
import type { CommentTopic } from '../config.ts';
import type { Queryable } from '../db/types.ts';
import { AppError, isAppError } from '../errors.ts';
import { wakeLocalWorkers } from '../jobs/queue.ts';
import { actorLabel, requireStaff, type Actor } from './access.ts';
import { assignCampaign, dedupeTextOf, textHash } from './dedupe.ts';
import type { CommentDeps } from './deps.ts';
import {
  COMMENT_LIMITS,
  COMMENT_STATUSES,
  ORGANIZATION_TYPES,
  ORGANIZATION_TYPE_LABELS,
  STATUS_LABELS,
  formatFieldErrors,
  validateCommentInput,
  type Comment,
  type CommentInput,
  type CommentStatus,
  type FieldErrors,
  type OrganizationType,
  type CommentAttachmentInput,
  type PersonalDataKind,
} from './schema.ts';
import { detectPersonalData, suggestTopicByKeywords, type TopicSuggester } from './triage.ts';

export type { CommentDeps } from './deps.ts';

/** A comment is named by its numeric id or its tracking number. */
export type CommentRef = number | string;

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

function transitionError(trackingNumber: string, from: CommentStatus, to: CommentStatus): AppError {
  const allowed = TRANSITIONS[from];
  const why =
    from === to
      ? `it is already ${STATUS_LABELS[from]}`
      : `a ${STATUS_LABELS[from]} comment can only move to ${statusList(allowed)}`;
  return new AppError('comment.transition', `Cannot move ${trackingNumber} from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}: ${why}.`, {
    details: { from, to, allowed },
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

const COMMENT_COLUMNS = `
  c.id, c.tracking_number AS "trackingNumber", c.submitter_name AS "submitterName", c.email,
  c.organization, c.organization_type AS "organizationType", c.on_behalf_of AS "onBehalfOf", c.topic,
  c.document_id AS "documentId", c.title, c.body AS "text", c.consent_to_publish AS "consentToPublish",
  c.source, c.source_ref AS "sourceRef", c.slack_user_id AS "slackUserId", c.slack_team_id AS "slackTeamId",
  c.submitter_external AS "submitterExternal", c.received_at AS "receivedAt", c.created_at AS "createdAt",
  c.updated_at AS "updatedAt", c.status, c.assignee, c.tags, c.campaign_id AS "campaignId",
  coalesce(cp.size - 1, 0)::int AS "similarCount", c.duplicate_kind AS "duplicateKind",
  c.suggested_topic AS "suggestedTopic", round(c.suggested_topic_score::numeric, 3)::float8 AS "suggestedTopicScore",
  c.suggested_topic_method AS "suggestedTopicMethod", c.personal_data AS "personalData", c.posted_at AS "postedAt",
  coalesce((
    SELECT json_agg(json_build_object(
      'name', a.name, 'mime', a.mime, 'size', a.size_bytes, 'url', a.url,
      'textChars', coalesce(length(a.extracted_text), 0), 'note', a.extraction_note) ORDER BY a.ordinal)
      FROM comment_attachments a WHERE a.comment_id = c.id), '[]'::json) AS attachments`;

const COMMENT_FROM = 'comments c LEFT JOIN campaigns cp ON cp.id = c.campaign_id';

function refCondition(ref: CommentRef, param: number): { sql: string; value: number | string } {
  if (typeof ref === 'number') return { sql: `c.id = $${param}`, value: ref };
  return { sql: `c.tracking_number = $${param}`, value: normalizeTrackingNumber(ref) };
}

function notFound(ref: CommentRef): AppError {
  const what = typeof ref === 'number' ? `id ${ref}` : `tracking number "${ref.trim()}"`;
  const hint = typeof ref === 'string' && !TRACKING_NUMBER_PATTERN.test(normalizeTrackingNumber(ref)) ? ' Tracking numbers look like abc-1234-wxyz.' : '';
  return new AppError('comment.not_found', `No comment with ${what}.${hint}`, { details: { ref } });
}

async function readComment(db: Queryable, ref: CommentRef): Promise<Comment | null> {
  const { sql, value } = refCondition(ref, 1);
  const rows = await db.query<Comment>(`SELECT ${COMMENT_COLUMNS} FROM ${COMMENT_FROM} WHERE ${sql}`, [value]);
  return rows[0] ?? null;
}

/** One comment, for a card or `comments show`. Staff only. */
export async function getComment(deps: CommentDeps, actor: Actor, ref: CommentRef): Promise<Comment> {
  requireStaff(deps, actor, 'comments.get', String(ref));
  const comment = await readComment(deps.db, ref);
  if (!comment) throw notFound(ref);
  return comment;
}

export interface CommentNote {
  id: number;
  author: string;
  body: string;
  createdAt: Date;
}

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  from: string | null;
  to: string | null;
  note: string | null;
  at: Date;
}

export interface CommentDetails {
  comment: Comment;
  /** Attachment text, for the details view; long texts are cut at `maxAttachmentChars`. */
  attachmentTexts: Array<{ name: string; text: string | null }>;
  notes: CommentNote[];
  audit: AuditEntry[];
  /** Up to 10 other comments of the same campaign, oldest first. */
  similar: Array<Pick<Comment, 'id' | 'trackingNumber' | 'submitterName' | 'organization' | 'receivedAt' | 'status' | 'duplicateKind'>>;
}

/** Everything about one comment: notes, audit trail, attachment text, campaign siblings. Staff only. */
export async function getCommentDetails(
  deps: CommentDeps,
  actor: Actor,
  ref: CommentRef,
  options: { maxAttachmentChars?: number } = {},
): Promise<CommentDetails> {
  const comment = await getComment(deps, actor, ref);
  const max = options.maxAttachmentChars ?? 5_000;
  const [attachmentTexts, notes, audit, similar] = await Promise.all([
    deps.db.query<{ name: string; text: string | null }>(
      'SELECT name, left(extracted_text, $2) AS text FROM comment_attachments WHERE comment_id = $1 ORDER BY ordinal',
      [comment.id, max],
    ),
    deps.db.query<CommentNote>(
      'SELECT id, author, body, created_at AS "createdAt" FROM comment_notes WHERE comment_id = $1 ORDER BY id',
      [comment.id],
    ),
    auditTrail(deps.db, comment.id),
    comment.campaignId
      ? deps.db.query<CommentDetails['similar'][number]>(
          `SELECT id, tracking_number AS "trackingNumber", submitter_name AS "submitterName", organization,
                  received_at AS "receivedAt", status, duplicate_kind AS "duplicateKind"
             FROM comments WHERE campaign_id = $1 AND id <> $2 ORDER BY id LIMIT 10`,
          [comment.campaignId, comment.id],
        )
      : Promise.resolve([]),
  ]);
  return { comment, attachmentTexts, notes, audit, similar };
}

async function auditTrail(db: Queryable, commentId: number): Promise<AuditEntry[]> {
  const rows = await db.query<AuditEntry & { id: string | number }>(
    `SELECT id, actor, action, from_value AS "from", to_value AS "to", note, at
       FROM comment_audit WHERE comment_id = $1 ORDER BY id`,
    [commentId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The audit log of one comment, oldest first. Staff only. */
export async function getAuditLog(deps: CommentDeps, actor: Actor, ref: CommentRef): Promise<AuditEntry[]> {
  const comment = await getComment(deps, actor, ref);
  return auditTrail(deps.db, comment.id);
}

// ---------------------------------------------------------------------------------------------
// Submitting

export interface SubmitOptions {
  /**
   * The same key twice returns the first comment instead of storing a second: the Slack view id
   * of a modal submission, the event id of a message shortcut, an e-mail's Message-ID, a CSV row id.
   */
  idempotencyKey?: string;
  /** Who the audit log names for the submission; default: the submitter (Slack id or the source). */
  actor?: Actor;
  /**
   * The submitter's bucket (RATE_LIMIT_COMMENTS_PER_HOUR, see src/rate-limits.ts): a token is
   * taken in the same transaction as the insert, so a refused submission stores nothing and a
   * resubmission of a stored one (same idempotency key) costs nothing.
   */
  rateLimit?: BucketSpec;
  /**
   * Files to be read after the commit (Slack files: downloading and extracting them is a job).
   * They are recorded now by name, after the given attachments, as pending; completeAttachments()
   * fills in their text. Campaign grouping waits for them.
   */
  pendingFiles?: Array<{ name: string; mime?: string | null; size?: number | null; url?: string | null }>;
  /**
   * Runs inside the submission's transaction once the comment is inserted (not for a repeated
   * idempotency key): work that must exist exactly when the comment does, such as the job that
   * sends the receipt and posts the review card.
   */
  onCreated?: (tx: Queryable, comment: Comment) => Promise<void>;
}

export interface SubmitResult {
  comment: Comment;
  /** False when the idempotency key had been seen: the comment was stored before, send no new receipt. */
  created: boolean;
}

function invalid(errors: FieldErrors): AppError {
  return new AppError('comment.invalid', `The comment was not saved. Please fix: ${formatFieldErrors(errors)}`, {
    details: { fieldErrors: errors },
  });
}

/** The `{ field: message }` of a comment.invalid error (Slack: `response_action: errors`), else null. */
export function commentFieldErrors(err: unknown): FieldErrors | null {
  if (!isAppError(err, 'comment.invalid')) return null;
  const details = err.details as { fieldErrors?: FieldErrors } | undefined;
  return details?.fieldErrors ?? null;
}

const isUniqueViolation = (err: unknown, constraint: string) =>
  typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505' &&
  String((err as { constraint?: string; message?: string }).constraint ?? (err as { message?: string }).message).includes(constraint);

/**
 * Validates and stores a comment; resolves only after the transaction has committed, so a receipt
 * sent afterwards is never for an unsaved comment. Anyone may submit (no actor check).
 *
 * Errors: comment.invalid with field errors (`commentFieldErrors`), db.unavailable when the
 * database cannot be written (nothing was stored; the caller keeps the text and says so).
 * After the commit, campaign grouping runs; its failure is logged, never reported as a failed
 * submission.
 */
export async function submitComment(deps: CommentDeps, input: CommentInput, options: SubmitOptions = {}): Promise<SubmitResult> {
  const topics = deps.config.comments.topics;
  const checked = validateCommentInput(input, topics);
  if (!checked.ok) throw invalid(checked.errors);
  const c = checked.value;
  const key = options.idempotencyKey?.trim() || null;
  if (key && key.length > 500) throw new AppError('input.invalid', 'The idempotency key is longer than 500 characters.');

  if (c.attachments.length + (options.pendingFiles?.length ?? 0) > COMMENT_LIMITS.attachments) {
    throw invalid({ attachments: `At most ${COMMENT_LIMITS.attachments} attachments; combine some files.` });
  }
  const pending = (options.pendingFiles ?? []).map((f) => ({
    name: f.name.trim().slice(0, COMMENT_LIMITS.attachmentNameChars) || 'attachment',
    mime: f.mime?.trim() || 'application/octet-stream',
    size: Math.max(0, Math.min(Math.round(f.size ?? 0), COMMENT_LIMITS.attachmentMaxBytes)),
    url: f.url?.slice(0, 2000) || null,
  }));
  const attachmentTexts = c.attachments.map((a) => a.text);
  const dedupeText = dedupeTextOf({ title: c.title, text: c.text, attachmentTexts });
  const suggestion = suggestTopicByKeywords({ title: c.title ?? null, text: c.text, attachmentText: attachmentTexts.filter(Boolean).join('\n'), topics });
  const personalData = detectPersonalData(c.text, c.title, ...attachmentTexts);
  const who = options.actor ? actorLabel(options.actor) : c.slackUserId ? c.slackUserId : `submitter (${c.source})`;

  let stored: { comment: Comment; created: boolean } | undefined;
  for (let attempt = 1; !stored; attempt++) {
    try {
      stored = await deps.db.transaction(async (tx) => {
        if (key) {
          const existing = await readCommentByKey(tx, key);
          if (existing) return { comment: existing, created: false };
        }
        if (options.rateLimit) {
          const taken = await takeToken(tx, options.rateLimit);
          if (!taken.allowed) throw invalid({ text: commentLimitMessage(options.rateLimit, taken) });
        }
        if (c.documentId) {
          const doc = await tx.query('SELECT 1 FROM documents WHERE id = $1', [c.documentId]);
          if (doc.length === 0) {
            throw invalid({
              documentId: `No ingested document has the id "${c.documentId}". Choose one from the list (policy-desk docs shows them) or leave it empty.`,
            });
          }
        }
        const inserted = await tx.query<{ id: number }>(
          `INSERT INTO comments (tracking_number, idempotency_key, submitter_name, email, organization, organization_type,
                                 on_behalf_of, topic, document_id, title, body, consent_to_publish, source, source_ref,
                                 slack_user_id, slack_team_id, submitter_external, received_at, dedupe_text, text_hash,
                                 suggested_topic, suggested_topic_score, suggested_topic_method, personal_data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING id`,
          [
            newTrackingNumber(), key, c.submitterName, c.email ?? null, c.organization ?? null, c.organizationType,
            c.onBehalfOf ?? null, c.topic ?? null, c.documentId ?? null, c.title ?? null, c.text, c.consentToPublish,
            c.source, c.sourceRef ?? null, c.slackUserId ?? null, c.slackTeamId ?? null, c.submitterExternal, c.receivedAt,
            dedupeText, textHash(dedupeText), suggestion?.topic ?? null, suggestion?.score ?? null, suggestion?.method ?? null,
            personalData,
          ],
        );
        const id = inserted[0]?.id;
        if (id === undefined) {
          // Another transaction stored the same key between our check and our insert (Postgres).
          const existing = key ? await readCommentByKey(tx, key) : null;
          if (!existing) throw new AppError('internal', 'the comment insert returned no row');
          return { comment: existing, created: false };
        }
        for (const [i, a] of c.attachments.entries()) {
          await tx.query(
            `INSERT INTO comment_attachments (comment_id, ordinal, name, mime, size_bytes, url, extracted_text, extraction_note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [id, i + 1, a.name, a.mime, a.size, a.url, a.text, a.note],
          );
        }
        for (const [i, f] of pending.entries()) {
          await tx.query(
            `INSERT INTO comment_attachments (comment_id, ordinal, name, mime, size_bytes, url, extraction_note, pending)
             VALUES ($1, $2, $3, $4, $5, $6, $7, true)`,
            [id, c.attachments.length + i + 1, f.name, f.mime, f.size, f.url, PENDING_NOTE],
          );
        }
        await insertAudit(tx, id, who, 'submitted', null, 'new', [c.source, c.sourceRef].filter(Boolean).join(': ') || null);
        const comment = await readComment(tx, id);
        if (!comment) throw new AppError('internal', 'the stored comment could not be read back');
        await options.onCreated?.(tx, comment);
        return { comment, created: true };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'tracking_number') && attempt < 3) continue;
      throw asDbError(err);
    }
  }

  if (!stored.created) return stored;
  if (options.onCreated) wakeLocalWorkers();
  // Committed: from here on the submission has succeeded, whatever else happens. With files
  // still to read, grouping waits for their text (completeAttachments).
  if (pending.length > 0) return stored;
  try {
    const match = await assignCampaign(deps.db, stored.comment.id, deps.config.comments.nearDuplicateThreshold);
    if (match) return { comment: (await readComment(deps.db, stored.comment.id)) ?? stored.comment, created: true };
  } catch (err) {
    deps.logger.warn({ err, commentId: stored.comment.id }, 'comments: campaign grouping failed after submission (run `policy-desk comments regroup`)');
  }
  return stored;
}

/** What a pending attachment says until its file has been read. */
export const PENDING_NOTE = 'being read: the text follows shortly';

/**
 * Fills in the comment's pending attachments (submitComment's `pendingFiles`) with what reading
 * the files gave, in their order, and recomputes what depends on the text: the dedupe text and
 * hash, the topic suggestion, the personal-data flag; then groups the comment into a campaign.
 * Runs once per comment in effect: a second call finds nothing pending and changes nothing (a
 * job retried after its commit). Files missing from `results` are recorded as not read.
 */
export async function completeAttachments(deps: CommentDeps, commentId: number, results: readonly CommentAttachmentInput[]): Promise<{ comment: Comment; completed: number }> {
  const topics = deps.config.comments.topics;
  const completed = await deps.db.transaction(async (tx) => {
    const pending = await tx.query<{ id: number; name: string }>(
      'SELECT id, name FROM comment_attachments WHERE comment_id = $1 AND pending ORDER BY ordinal FOR UPDATE',
      [commentId],
    );
    if (pending.length === 0) return 0;
    for (const [i, row] of pending.entries()) {
      const r = results[i];
      await tx.query(
        `UPDATE comment_attachments SET pending = false, extracted_text = $2, extraction_note = $3,
           mime = coalesce($4, mime), size_bytes = coalesce($5, size_bytes), url = coalesce($6, url)
         WHERE id = $1`,
        r
          ? [row.id, r.text?.slice(0, COMMENT_LIMITS.attachmentTextChars) || null, r.note?.slice(0, 500) ?? null, r.mime || null,
             Math.min(Math.max(0, Math.round(r.size)), COMMENT_LIMITS.attachmentMaxBytes), r.url ?? null]
          : [row.id, null, 'not read: the file could not be fetched from Slack', null, null, null],
      );
    }
    const [c] = await tx.query<{ title: string | null; text: string }>('SELECT title, body AS text FROM comments WHERE id = $1 FOR UPDATE', [commentId]);
    if (!c) throw new AppError('comment.not_found', `No comment with id ${commentId}.`);
    const texts = (await tx.query<{ text: string | null }>('SELECT extracted_text AS text FROM comment_attachments WHERE comment_id = $1 ORDER BY ordinal', [commentId])).map(
      (a) => a.text,
    );
    const dedupeText = dedupeTextOf({ title: c.title, text: c.text, attachmentTexts: texts });
    const suggestion = suggestTopicByKeywords({ title: c.title, text: c.text, attachmentText: texts.filter(Boolean).join('\n'), topics });
    await tx.query(
      `UPDATE comments SET dedupe_text = $2, text_hash = $3, suggested_topic = $4, suggested_topic_score = $5, suggested_topic_method = $6,
         personal_data = $7, updated_at = now() WHERE id = $1`,
      [commentId, dedupeText, textHash(dedupeText), suggestion?.topic ?? null, suggestion?.score ?? null, suggestion?.method ?? null,
       detectPersonalData(c.text, c.title, ...texts)],
    );
    const read = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM comment_attachments WHERE comment_id = $1 AND extracted_text IS NOT NULL', [commentId]))[0]!.n;
    await insertAudit(tx, commentId, 'system', 'attachments', null, null, `${pending.length} file${pending.length === 1 ? '' : 's'} read after submission; ${read} with text`);
    return pending.length;
  });
  try {
    await assignCampaign(deps.db, commentId, deps.config.comments.nearDuplicateThreshold);
  } catch (err) {
    deps.logger.warn({ err, commentId }, 'comments: campaign grouping failed after reading attachments (run `policy-desk comments regroup`)');
  }
  const comment = await readComment(deps.db, commentId);
  if (!comment) throw new AppError('comment.not_found', `No comment with id ${commentId}.`);
  return { comment, completed };
}

/** A comment by id for the app's own follow-up work (receipts, cards): no actor, never shown to a person as such. */
export async function readCommentForDelivery(deps: Pick<CommentDeps, 'db'>, commentId: number): Promise<Comment | null> {
  return readComment(deps.db, commentId);
}

async function readCommentByKey(db: Queryable, key: string): Promise<Comment | null> {
  const rows = await db.query<Comment>(`SELECT ${COMMENT_COLUMNS} FROM ${COMMENT_FROM} WHERE c.idempotency_key = $1`, [key]);
  return rows[0] ?? null;
}

/** Anything that is not one of ours is the database failing: nothing was stored. */
function asDbError(err: unknown): AppError {
  if (isAppError(err)) return err;
  return new AppError(
    'db.unavailable',
    'The comment could not be saved because the database is unavailable. Nothing was recorded; please try again in a few minutes.',
    { cause: err },
  );
}

// ---------------------------------------------------------------------------------------------
// Changing: status, assignee, tags, notes. Each change and its audit entry commit together.

async function insertAudit(
  tx: Queryable,
  commentId: number,
  actor: string,
  action: string,
  from: string | null,
  to: string | null,
  note: string | null,
): Promise<void> {
  await tx.query(
    'INSERT INTO comment_audit (comment_id, actor, action, from_value, to_value, note) VALUES ($1, $2, $3, $4, $5, $6)',
    [commentId, actor, action, from, to, note],
  );
}

interface LockedComment {
  id: number;
  trackingNumber: string;
  status: CommentStatus;
  assignee: string | null;
  tags: string[];
}

async function lockComment(tx: Queryable, ref: CommentRef): Promise<LockedComment> {
  const { sql, value } = refCondition(ref, 1);
  const rows = await tx.query<LockedComment>(
    `SELECT c.id, c.tracking_number AS "trackingNumber", c.status, c.assignee, c.tags FROM comments c WHERE ${sql} FOR UPDATE`,
    [value],
  );
  if (!rows[0]) throw notFound(ref);
  return rows[0];
}

const noteSchema = z
  .string()
  .trim()
  .max(COMMENT_LIMITS.noteChars, { error: `Notes are limited to ${COMMENT_LIMITS.noteChars.toLocaleString('en-US')} characters.` });

function cleanNote(note: string | undefined): string | null {
  if (note === undefined) return null;
  const parsed = noteSchema.safeParse(note);
  if (!parsed.success) throw new AppError('input.invalid', parsed.error.issues[0]!.message);
  return parsed.data || null;
}

async function change(
  deps: CommentDeps,
  actor: Actor,
  action: string,
  ref: CommentRef,
  fn: (tx: Queryable, locked: LockedComment, who: string) => Promise<void>,
): Promise<Comment> {
  requireStaff(deps, actor, action, String(ref));
  const who = actorLabel(actor);
  try {
    return await deps.db.transaction(async (tx) => {
      const locked = await lockComment(tx, ref);
      await fn(tx, locked, who);
      await tx.query('UPDATE comments SET updated_at = now() WHERE id = $1', [locked.id]);
      await deps.onChange?.(tx, locked.id);
      return (await readComment(tx, locked.id))!;
    });
  } catch (err) {
    throw asChangeError(err);
  } finally {
    if (deps.onChange) wakeLocalWorkers();
  }
}

function asChangeError(err: unknown): AppError {
  if (isAppError(err)) return err;
  return new AppError('db.unavailable', 'The change was not saved because the database is unavailable. Please try again.', { cause: err });
}

export function parseStatus(s: string): CommentStatus {
  const v = s.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if ((COMMENT_STATUSES as readonly string[]).includes(v)) return v as CommentStatus;
  throw new AppError('input.invalid', `Unknown status "${s}". Statuses: ${COMMENT_STATUSES.join(', ')}.`);
}

/** Moves a comment to another state (see TRANSITIONS); an invalid move throws comment.transition. Staff only. */
export async function setStatus(
  deps: CommentDeps,
  actor: Actor,
  ref: CommentRef,
  to: CommentStatus,
  options: { note?: string } = {},
): Promise<Comment> {
  const target = parseStatus(to);
  const note = cleanNote(options.note);
  return change(deps, actor, 'comments.set_status', ref, async (tx, locked, who) => {
    if (!canTransition(locked.status, target)) throw transitionError(locked.trackingNumber, locked.status, target);
    await tx.query('UPDATE comments SET status = $1 WHERE id = $2', [target, locked.id]);
    await insertAudit(tx, locked.id, who, 'status', locked.status, target, note);
  });
}

/** Sets or clears (null) the assignee: a Slack user id, or any name from the CLI. Staff only. */
export async function assignComment(
  deps: CommentDeps,
  actor: Actor,
  ref: CommentRef,
  assignee: string | null,
  options: { note?: string } = {},
): Promise<Comment> {
  const to = assignee?.trim() || null;
  if (to && to.length > 100) throw new AppError('input.invalid', 'The assignee is longer than 100 characters.');
  const note = cleanNote(options.note);
  return change(deps, actor, 'comments.assign', ref, async (tx, locked, who) => {
    if (locked.assignee === to) return;
    await tx.query('UPDATE comments SET assignee = $1 WHERE id = $2', [to, locked.id]);
    await insertAudit(tx, locked.id, who, 'assign', locked.assignee, to, note);
  });
}

/** Tags are lower-case words or short phrases: letters, digits, spaces, "-" and "_". */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!t) continue;
    if (t.length > COMMENT_LIMITS.tagChars || !/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u.test(t)) {
      throw new AppError(
        'input.invalid',
        `Tag "${raw.trim().slice(0, 50)}" is not allowed: use up to ${COMMENT_LIMITS.tagChars} letters, digits, spaces, "-" or "_".`,
      );
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export async function addTags(deps: CommentDeps, actor: Actor, ref: CommentRef, tags: readonly string[]): Promise<Comment> {
  const add = normalizeTags(tags);
  return change(deps, actor, 'comments.tag', ref, async (tx, locked, who) => {
    const next = [...locked.tags, ...add.filter((t) => !locked.tags.includes(t))];
    if (next.length === locked.tags.length) return;
    if (next.length > COMMENT_LIMITS.tags) throw new AppError('input.invalid', `A comment can have at most ${COMMENT_LIMITS.tags} tags.`);
    await tx.query('UPDATE comments SET tags = $1 WHERE id = $2', [next, locked.id]);
    await insertAudit(tx, locked.id, who, 'tags', locked.tags.join(', ') || null, next.join(', '), null);
  });
}

export async function removeTags(deps: CommentDeps, actor: Actor, ref: CommentRef, tags: readonly string[]): Promise<Comment> {
  const remove = normalizeTags(tags);
  return change(deps, actor, 'comments.untag', ref, async (tx, locked, who) => {
    const next = locked.tags.filter((t) => !remove.includes(t));
    if (next.length === locked.tags.length) return;
    await tx.query('UPDATE comments SET tags = $1 WHERE id = $2', [next, locked.id]);
    await insertAudit(tx, locked.id, who, 'tags', locked.tags.join(', '), next.join(', ') || null, null);
  });
}

/** An internal note (never shown to the submitter, never exported). Staff only. */
export async function addNote(deps: CommentDeps, actor: Actor, ref: CommentRef, body: string): Promise<Comment> {
  const text = cleanNote(body);
  if (!text) throw new AppError('input.invalid', 'The note is empty.');
  return change(deps, actor, 'comments.note', ref, async (tx, locked, who) => {
    await tx.query('INSERT INTO comment_notes (comment_id, author, body) VALUES ($1, $2, $3)', [locked.id, who, text]);
    await insertAudit(tx, locked.id, who, 'note', null, null, text);
  });
}

/**
 * Runs a topic suggester (e.g. an LLM) for a stored comment and stores its suggestion, labelled
 * with its method, over the previous suggestion; the submitter's `topic` is never touched. A
 * suggestion naming an unconfigured topic is ignored. Staff or system use, after the receipt.
 */
export async function applyTopicSuggestion(deps: CommentDeps, actor: Actor, ref: CommentRef, suggester: TopicSuggester): Promise<Comment> {
  const comment = await getComment(deps, actor, ref);
  const attachments = await deps.db.query<{ text: string | null }>(
    'SELECT extracted_text AS text FROM comment_attachments WHERE comment_id = $1 ORDER BY ordinal',
    [comment.id],
  );
  const topics = deps.config.comments.topics;
  const suggestion = await suggester.suggest({
    title: comment.title,
    text: comment.text,
    attachmentText: attachments.map((a) => a.text).filter(Boolean).join('\n'),
    topics,
  });
  if (!suggestion || !topics.some((t) => t.slug === suggestion.topic)) return comment;
  return change(deps, actor, 'comments.suggest_topic', comment.id, async (tx, locked, who) => {
    await tx.query(
      'UPDATE comments SET suggested_topic = $1, suggested_topic_score = $2, suggested_topic_method = $3 WHERE id = $4',
      [suggestion.topic, suggestion.score, suggestion.method, locked.id],
    );
    await insertAudit(tx, locked.id, who, 'suggested_topic', comment.suggestedTopic, suggestion.topic, `by ${suggestion.method}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Listing and counting

const dateish = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v.trim()) ? new Date(v.trim()) : v),
  z.date({ error: 'expected a date as YYYY-MM-DD' }).refine((d) => !Number.isNaN(d.getTime()), { error: 'expected a date as YYYY-MM-DD' }),
);

const oneOrMany = <T extends z.ZodType>(t: T) => z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(t));

export const commentFilterSchema = z.object({
  status: oneOrMany(z.enum(COMMENT_STATUSES, { error: `expected one of ${COMMENT_STATUSES.join(', ')}` })).optional(),
  /** Slug or label; "none" for comments without a topic. */
  topic: z.string().trim().min(1).optional(),
  organizationType: oneOrMany(z.enum(ORGANIZATION_TYPES, { error: `expected one of ${ORGANIZATION_TYPES.join(', ')}` })).optional(),
  /** An assignee, or null for unassigned comments. */
  assignee: z.string().trim().min(1).nullable().optional(),
  tag: z.string().trim().min(1).optional(),
  campaignId: z.string().trim().min(1).optional(),
  since: dateish.optional(),
  until: dateish.optional(),
  /** Full-text search (web search syntax: words, "phrases", -exclusions) over the comment text, title and attachment text. */
  text: z.string().trim().min(1).max(500).optional(),
  /** Substring of the submitter's name, e-mail or organization. */
  submitter: z.string().trim().min(1).max(200).optional(),
  order: z.enum(['newest', 'oldest']).default('newest'),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});
export type CommentFilter = z.input<typeof commentFilterSchema>;

function topicSlug(topics: readonly CommentTopic[], value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v === 'none') return null;
  const t = topics.find((x) => x.slug === v || x.label.toLowerCase() === v);
  if (!t) throw new AppError('input.invalid', `Unknown topic "${value}". Topics: ${topics.map((x) => x.slug).join(', ')}, or "none".`);
  return t.slug;
}

/** The queue, filtered; `total` counts every match, `comments` is one page. Staff only. */
export async function listComments(
  deps: CommentDeps,
  actor: Actor,
  filter: CommentFilter = {},
): Promise<{ comments: Comment[]; total: number }> {
  requireStaff(deps, actor, 'comments.list');
  const parsed = commentFilterSchema.safeParse(filter);
  if (!parsed.success) {
    throw new AppError('input.invalid', `Invalid filter: ${parsed.error.issues.map((i) => `${String(i.path[0] ?? 'filter')}: ${i.message}`).join('; ')}`);
  }
  const f = parsed.data;
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.status) where.push(`c.status = ANY(${p(f.status)}::text[])`);
  if (f.topic !== undefined) {
    const slug = topicSlug(deps.config.comments.topics, f.topic);
    where.push(slug === null ? 'c.topic IS NULL' : `c.topic = ${p(slug)}`);
  }
  if (f.organizationType) where.push(`c.organization_type = ANY(${p(f.organizationType)}::text[])`);
  if (f.assignee === null) where.push('c.assignee IS NULL');
  else if (f.assignee !== undefined) where.push(`c.assignee = ${p(f.assignee)}`);
  if (f.tag) where.push(`${p(f.tag.toLowerCase())} = ANY(c.tags)`);
  if (f.campaignId) where.push(`c.campaign_id = ${p(f.campaignId)}`);
  if (f.since) where.push(`c.received_at >= ${p(f.since)}`);
  if (f.until) where.push(`c.received_at < ${p(f.until)}`);
  if (f.submitter) {
    const like = p(`%${f.submitter.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    where.push(`(c.submitter_name ILIKE ${like} OR c.email ILIKE ${like} OR c.organization ILIKE ${like})`);
  }
  let rank = '0';
  if (f.text) {
    const q = p(f.text);
    where.push(
      `(c.tsv @@ websearch_to_tsquery('english', ${q}) OR EXISTS (SELECT 1 FROM comment_attachments a WHERE a.comment_id = c.id AND a.tsv @@ websearch_to_tsquery('english', ${q})))`,
    );
    rank = `greatest(ts_rank_cd(c.tsv, websearch_to_tsquery('english', ${q})),
                     coalesce((SELECT max(ts_rank_cd(a.tsv, websearch_to_tsquery('english', ${q}))) FROM comment_attachments a WHERE a.comment_id = c.id), 0))`;
  }
  const dir = f.order === 'oldest' ? 'ASC' : 'DESC';
  const rows = await deps.db.query<Comment & { total: number }>(
    `SELECT ${COMMENT_COLUMNS}, count(*) OVER ()::int AS total
       FROM ${COMMENT_FROM}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${f.text ? `${rank} DESC, ` : ''}c.received_at ${dir}, c.id ${dir}
      LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  const total = rows[0]?.total ?? 0;
  return { comments: rows.map(({ total: _t, ...c }) => c as Comment), total };
}

export interface QueueCounts {
  total: number;
  open: number;
  byStatus: Record<CommentStatus, number>;
  /** Every configured topic (0 when none), then null for "no topic given" when there are such comments. */
  byTopic: Array<{ topic: string | null; label: string; count: number }>;
  byOrganizationType: Record<OrganizationType, number>;
}

/** Counts for the App Home and `comments list --counts`. Staff only. */
export async function queueCounts(deps: CommentDeps, actor: Actor, options: { openOnly?: boolean } = {}): Promise<QueueCounts> {
  requireStaff(deps, actor, 'comments.counts');
  const scope = options.openOnly ? `WHERE status = ANY('{${OPEN_STATUSES.join(',')}}'::text[])` : '';
  const [byStatusRows, byTopicRows, byOrgRows] = await Promise.all([
    deps.db.query<{ key: CommentStatus; n: number }>('SELECT status AS key, count(*)::int AS n FROM comments GROUP BY status'),
    deps.db.query<{ key: string | null; n: number }>(`SELECT topic AS key, count(*)::int AS n FROM comments ${scope} GROUP BY topic`),
    deps.db.query<{ key: OrganizationType; n: number }>(`SELECT organization_type AS key, count(*)::int AS n FROM comments ${scope} GROUP BY organization_type`),
  ]);
  const byStatus = Object.fromEntries(COMMENT_STATUSES.map((s) => [s, 0])) as Record<CommentStatus, number>;
  for (const r of byStatusRows) byStatus[r.key] = r.n;
  const byOrganizationType = Object.fromEntries(ORGANIZATION_TYPES.map((s) => [s, 0])) as Record<OrganizationType, number>;
  for (const r of byOrgRows) byOrganizationType[r.key] = r.n;
  const topics = deps.config.comments.topics;
  const byTopic: QueueCounts['byTopic'] = topics.map((t) => ({
    topic: t.slug,
    label: t.label,
    count: byTopicRows.find((r) => r.key === t.slug)?.n ?? 0,
  }));
  // Topics no longer configured keep their counts under their slug.
  for (const r of byTopicRows) {
    if (r.key !== null && !topics.some((t) => t.slug === r.key)) byTopic.push({ topic: r.key, label: `${r.key} (no longer configured)`, count: r.n });
  }
  const none = byTopicRows.find((r) => r.key === null)?.n ?? 0;
  if (none > 0) byTopic.push({ topic: null, label: 'No topic given', count: none });
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const open = OPEN_STATUSES.reduce((a, s) => a + byStatus[s], 0);
  return { total, open, byStatus, byTopic, byOrganizationType };
}

/** The comments waiting longest for a first look (new or triaged), oldest first. Staff only. */
export async function oldestUnreviewed(deps: CommentDeps, actor: Actor, limit = 5): Promise<Comment[]> {
  const { comments } = await listComments(deps, actor, { status: [...UNREVIEWED_STATUSES], order: 'oldest', limit });
  return comments;
}

/** A reviewer's comments, oldest first; open ones only unless `includeClosed`. Staff only. */
export async function assignedTo(
  deps: CommentDeps,
  actor: Actor,
  assignee: string,
  options: { includeClosed?: boolean; limit?: number } = {},
): Promise<Comment[]> {
  const { comments } = await listComments(deps, actor, {
    assignee,
    status: options.includeClosed ? undefined : [...OPEN_STATUSES],
    order: 'oldest',
    limit: options.limit ?? 20,
  });
  return comments;
}

export interface QueueHome {
  counts: QueueCounts;
  mine: Comment[];
  oldestUnreviewed: Comment[];
}

/** Everything the App Home tab shows a staff member, in one call. Staff only. */
export async function queueHome(deps: CommentDeps, actor: Actor, options: { mineLimit?: number; oldestLimit?: number } = {}): Promise<QueueHome> {
  requireStaff(deps, actor, 'comments.home');
  const me = actorLabel(actor);
  const [counts, mine, oldest] = await Promise.all([
    queueCounts(deps, actor),
    assignedTo(deps, actor, me, { limit: options.mineLimit ?? 10 }),
    oldestUnreviewed(deps, actor, options.oldestLimit ?? 5),
  ]);
  return { counts, mine, oldestUnreviewed: oldest };
}

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

export type { PersonalDataKind };
