import { takeToken, type BucketSpec } from '../db/rate-limits.ts';
import { commentLimitMessage } from './limits.ts';
import type { Queryable } from '../db/types.ts';
import { AppError, isAppError } from '../errors.ts';
import { wakeLocalWorkers } from '../jobs/queue.ts';
import { actorLabel, type Actor } from './access.ts';
import { insertAudit } from './audit.ts';
import { assignCampaign, dedupeTextOf, textHash } from './dedupe.ts';
import type { CommentDeps } from './deps.ts';
import { readComment, readCommentByKey } from './read.ts';
import {
  COMMENT_LIMITS,
  formatFieldErrors,
  validateCommentInput,
  type Comment,
  type CommentInput,
  type FieldErrors,
  type CommentAttachmentInput,
} from './schema.ts';
import { newTrackingNumber } from './states.ts';
import { detectPersonalData, suggestTopicByKeywords } from './triage.ts';

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
   * The submitter's bucket (RATE_LIMIT_COMMENTS_PER_HOUR, see src/app/rate-limits.ts): a token is
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
                                 suggested_topic, suggested_topic_score, suggested_topic_method, personal_data,
                                 organization_label, raw_body, duplicate_comments, source_document_id, comment_on_ref, docket_id,
                                 source_fields, source_stance, posted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
                   $25, $26, $27, $28, $29, $30, $31::jsonb, $32, $33)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING id`,
          [
            newTrackingNumber(), key, c.submitterName, c.email ?? null, c.organization ?? null, c.organizationType,
            c.onBehalfOf ?? null, c.topic ?? null, c.documentId ?? null, c.title ?? null, c.text, c.consentToPublish,
            c.source, c.sourceRef ?? null, c.slackUserId ?? null, c.slackTeamId ?? null, c.submitterExternal, c.receivedAt,
            dedupeText, textHash(dedupeText), suggestion?.topic ?? null, suggestion?.score ?? null, suggestion?.method ?? null,
            personalData,
            c.organizationLabel ?? null, c.rawText && c.rawText !== c.text ? c.rawText : null, c.duplicateComments,
            c.sourceDocumentId ?? null, c.commentOnRef ?? null, c.docketId ?? null,
            c.sourceFields ? JSON.stringify(c.sourceFields) : null, c.sourceStance ?? null, c.postedAt ?? null,
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

/** Anything that is not one of ours is the database failing: nothing was stored. */
function asDbError(err: unknown): AppError {
  if (isAppError(err)) return err;
  return new AppError(
    'db.unavailable',
    'The comment could not be saved because the database is unavailable. Nothing was recorded; please try again in a few minutes.',
    { cause: err },
  );
}
