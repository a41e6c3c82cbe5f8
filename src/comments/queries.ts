import { z } from 'zod';
import type { CommentTopic } from '../config.ts';
import { AppError } from '../errors.ts';
import { actorLabel, requireStaff, type Actor } from './access.ts';
import { auditTrail, type AuditEntry } from './audit.ts';
import type { CommentDeps } from './deps.ts';
import { COMMENT_COLUMNS, COMMENT_FROM, getComment, type CommentRef } from './read.ts';
import { COMMENT_STATUSES, ORGANIZATION_TYPES, type Comment, type CommentStatus, type OrganizationType } from './schema.ts';
import { OPEN_STATUSES, UNREVIEWED_STATUSES } from './states.ts';

export interface CommentNote {
  id: number;
  author: string;
  body: string;
  createdAt: Date;
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
