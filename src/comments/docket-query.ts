import { AppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import type { CommentDeps } from './deps.ts';
import { commentFilterSchema } from './queue.ts';
import type { OrganizationType } from './schema.ts';

/**
 * Read-only access to the comment store for docket summaries (src/summarize/docket.ts): every
 * comment matching a topic and a start date, in id order, a page at a time, with the text of its
 * attachments (industry comments are often only "See attached") and its campaign. Staff only,
 * like every read of the queue.
 */

export interface DocketComment {
  id: number;
  trackingNumber: string;
  organizationType: OrganizationType;
  organization: string | null;
  /** Topic slug, or null when the submitter gave none. */
  topic: string | null;
  consentToPublish: boolean;
  campaignId: string | null;
  /** The campaign's representative (the first comment of the group). */
  campaignRepresentative: boolean;
  receivedAt: Date;
  /** The organization type as the source labelled it. */
  organizationLabel: string | null;
  /** regulations.gov's `Duplicate Comments`: identical copies behind this one. */
  duplicateComments: number;
  position: string | null;
  positionQuote: string | null;
  /** The comment text, then the extracted text of its attachments (each cut to ATTACHMENT_CHARS). */
  text: string;
}

export interface DocketFilter {
  /** A topic slug or label, or "none". */
  topic?: string;
  /** Received on or after this day (YYYY-MM-DD). */
  since?: string;
}

/** Enough of an attached letter to summarize it; the whole of it stays in the store. */
export const ATTACHMENT_CHARS = 20_000;

const filterSchema = commentFilterSchema.pick({ topic: true, since: true });

function whereClause(deps: CommentDeps, filter: DocketFilter): { sql: string; params: unknown[] } {
  const parsed = filterSchema.safeParse(filter);
  if (!parsed.success) {
    throw new AppError('input.invalid', `Invalid filter: ${parsed.error.issues.map((i) => `${String(i.path[0] ?? 'filter')}: ${i.message}`).join('; ')}`);
  }
  const f = parsed.data;
  // Spam is not part of anyone's docket.
  const where = ["c.status <> 'spam'"];
  const params: unknown[] = [];
  if (f.topic !== undefined) {
    const v = f.topic.trim().toLowerCase();
    if (v === 'none') where.push('c.topic IS NULL');
    else {
      const topics = deps.config.comments.topics;
      const t = topics.find((x) => x.slug === v || x.label.toLowerCase() === v);
      if (!t) throw new AppError('input.invalid', `Unknown topic "${f.topic}". Topics: ${topics.map((x) => x.slug).join(', ')}, or "none".`);
      params.push(t.slug);
      where.push(`c.topic = $${params.length}`);
    }
  }
  if (f.since) {
    params.push(f.since);
    where.push(`c.received_at >= $${params.length}`);
  }
  return { sql: where.join(' AND '), params };
}

/** How many comments a docket summary with this filter will read. Staff only. */
export async function countDocket(deps: CommentDeps, actor: Actor, filter: DocketFilter = {}): Promise<number> {
  requireStaff(deps, actor, 'comments.summary');
  const { sql, params } = whereClause(deps, filter);
  const [row] = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments c WHERE ${sql}`, params);
  return row?.n ?? 0;
}

/** The matching comments, oldest id first, `pageSize` at a time (keyset paging: no OFFSET scans). Staff only. */
export async function* readDocket(deps: CommentDeps, actor: Actor, filter: DocketFilter = {}, pageSize = 1000): AsyncGenerator<DocketComment[]> {
  requireStaff(deps, actor, 'comments.summary');
  const { sql, params } = whereClause(deps, filter);
  let after = 0;
  for (;;) {
    const rows = await deps.db.query<DocketComment>(
      `SELECT c.id, c.tracking_number AS "trackingNumber", c.organization_type AS "organizationType", c.organization,
              c.topic, c.consent_to_publish AS "consentToPublish", c.campaign_id AS "campaignId",
              (cp.representative_id IS NOT NULL AND cp.representative_id = c.id) AS "campaignRepresentative",
              c.received_at AS "receivedAt", c.organization_label AS "organizationLabel",
              c.duplicate_comments AS "duplicateComments", c.position, c.position_quote AS "positionQuote",
              c.body || coalesce(E'\\n\\n' || (
                SELECT string_agg(left(a.extracted_text, ${ATTACHMENT_CHARS}), E'\\n\\n' ORDER BY a.ordinal)
                  FROM comment_attachments a WHERE a.comment_id = c.id AND a.extracted_text IS NOT NULL), '') AS text
         FROM comments c LEFT JOIN campaigns cp ON cp.id = c.campaign_id
        WHERE ${sql} AND c.id > $${params.length + 1}
        ORDER BY c.id
        LIMIT $${params.length + 2}`,
      [...params, after, pageSize],
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
    if (rows.length < pageSize) return;
  }
}
