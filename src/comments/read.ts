import type { Queryable } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import type { CommentDeps } from './deps.ts';
import type { Comment } from './schema.ts';
import { normalizeTrackingNumber, TRACKING_NUMBER_PATTERN } from './states.ts';

/** A comment is named by its numeric id or its tracking number. */
export type CommentRef = number | string;

// ---------------------------------------------------------------------------------------------
// Reading

export const COMMENT_COLUMNS = `
  c.id, c.tracking_number AS "trackingNumber", c.submitter_name AS "submitterName", c.email,
  c.organization, c.organization_type AS "organizationType", c.on_behalf_of AS "onBehalfOf", c.topic,
  c.document_id AS "documentId", c.title, c.body AS "text", c.consent_to_publish AS "consentToPublish",
  c.source, c.source_ref AS "sourceRef", c.slack_user_id AS "slackUserId", c.slack_team_id AS "slackTeamId",
  c.submitter_external AS "submitterExternal", c.received_at AS "receivedAt", c.created_at AS "createdAt",
  c.updated_at AS "updatedAt", c.status, c.assignee, c.tags, c.campaign_id AS "campaignId",
  coalesce(cp.size - 1, 0)::int AS "similarCount", c.duplicate_kind AS "duplicateKind",
  c.suggested_topic AS "suggestedTopic", round(c.suggested_topic_score::numeric, 3)::float8 AS "suggestedTopicScore",
  c.suggested_topic_method AS "suggestedTopicMethod", c.personal_data AS "personalData", c.posted_at AS "postedAt",
  c.source_document_id AS "sourceDocumentId", c.comment_on_ref AS "commentOnRef", c.docket_id AS "docketId",
  c.organization_label AS "organizationLabel", c.duplicate_comments AS "duplicateComments", c.raw_body AS "rawText",
  c.source_fields AS "sourceFields", c.source_stance AS "sourceStance", c.position, c.position_quote AS "positionQuote",
  c.position_method AS "positionMethod",
  coalesce((
    SELECT json_agg(json_build_object(
      'name', a.name, 'mime', a.mime, 'size', a.size_bytes, 'url', a.url,
      'textChars', coalesce(length(a.extracted_text), 0), 'note', a.extraction_note) ORDER BY a.ordinal)
      FROM comment_attachments a WHERE a.comment_id = c.id), '[]'::json) AS attachments`;

export const COMMENT_FROM = 'comments c LEFT JOIN campaigns cp ON cp.id = c.campaign_id';

export function refCondition(ref: CommentRef, param: number): { sql: string; value: number | string } {
  if (typeof ref === 'number') return { sql: `c.id = $${param}`, value: ref };
  return { sql: `c.tracking_number = $${param}`, value: normalizeTrackingNumber(ref) };
}

export function notFound(ref: CommentRef): AppError {
  const what = typeof ref === 'number' ? `id ${ref}` : `tracking number "${ref.trim()}"`;
  const hint = typeof ref === 'string' && !TRACKING_NUMBER_PATTERN.test(normalizeTrackingNumber(ref)) ? ' Tracking numbers look like abc-1234-wxyz.' : '';
  return new AppError('comment.not_found', `No comment with ${what}.${hint}`, { details: { ref } });
}

export async function readComment(db: Queryable, ref: CommentRef): Promise<Comment | null> {
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

/** A comment by id for the app's own follow-up work (receipts, cards): no actor, never shown to a person as such. */
export async function readCommentForDelivery(deps: Pick<CommentDeps, 'db'>, commentId: number): Promise<Comment | null> {
  return readComment(deps.db, commentId);
}

export async function readCommentByKey(db: Queryable, key: string): Promise<Comment | null> {
  const rows = await db.query<Comment>(`SELECT ${COMMENT_COLUMNS} FROM ${COMMENT_FROM} WHERE c.idempotency_key = $1`, [key]);
  return rows[0] ?? null;
}

