import { createHash, randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../db/types.ts';
import { actorLabel, requireStaff, type Actor } from './access.ts';
import type { CommentDeps } from './deps.ts';

/**
 * Duplicates and mass-comment campaigns.
 *
 * Each comment carries `dedupe_text`: its title, text and attachment text with the greeting and
 * the signature block removed, lower-cased, punctuation folded to spaces. Two comments are
 * - exact duplicates when the SHA-256 of that text is equal (letters that differ only in who
 *   signed them are exact duplicates, as regulations.gov counts them), and
 * - near duplicates when pg_trgm `similarity()` of the two texts reaches the threshold
 *   (COMMENT_NEAR_DUPLICATE_THRESHOLD; bench/dedupe-threshold.ts measured the default).
 * A new comment joins the campaign of its best match (creating the campaign when the match had
 * none), and comments still alone that match it join as well (single-link grouping). Trigram
 * similarity is a set measure, so reordered sentences keep most of it.
 */

/** Below this many characters, equal texts ("I support this.") are not called a campaign. */
export const MIN_EXACT_CHARS = 20;
/** Trigram similarity of short texts swings with a single word; they are only compared exactly. */
export const MIN_NEAR_CHARS = 100;
/** Attachment text counted into dedupe_text: a campaign letter is short; its start identifies it. */
const ATTACHMENT_CHARS = 20_000;
const DEDUPE_TEXT_CHARS = 40_000;

const GREETING = /^\s*(?:dear\b|to whom it may concern|hello\b|hi\b|greetings\b|good (?:morning|afternoon)\b)[^\n]*\n/i;
const CLOSING =
  /^\s*(?:sincerely(?: yours)?|regards|best regards|kind regards|warm regards|respectfully(?: submitted| yours)?|thank you(?: for your consideration| for considering (?:my|our|these) comments?)?|thanks|best|cordially|yours truly|very truly yours|signed)\s*[,.!]?\s*$/im;

/** Removes the greeting line and everything from the closing ("Sincerely,") or the "-- " signature separator. */
export function stripSalutations(text: string): string {
  let t = text.replace(/\r\n?/g, '\n').replace(GREETING, '');
  const sep = t.search(/^-- ?$/m);
  if (sep >= 0) t = t.slice(0, sep);
  // The last closing line wins, and only in the second half: "Thank you" may open a letter too.
  let cut = -1;
  const re = new RegExp(CLOSING.source, 'gim');
  for (let m = re.exec(t); m; m = re.exec(t)) if (m.index >= t.length / 2) cut = m.index;
  if (cut >= 0) t = t.slice(0, cut);
  return t;
}

export function normalizeForDedupe(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function dedupeTextOf(parts: { title?: string | null; text: string; attachmentTexts?: Array<string | null> }): string {
  const attachments = (parts.attachmentTexts ?? []).filter(Boolean).join('\n').slice(0, ATTACHMENT_CHARS);
  const body = normalizeForDedupe(stripSalutations(parts.text));
  return normalizeForDedupe([parts.title ?? '', body, stripSalutations(attachments)].join('\n')).slice(0, DEDUPE_TEXT_CHARS);
}

export function textHash(dedupeText: string): string {
  return createHash('sha256').update(dedupeText).digest('hex');
}

/**
 * Postgres: campaign assignment runs one at a time, so two copies arriving together share one
 * campaign. The lock is per schema (its second key), because the campaigns are: stores in other
 * schemas of the same database (the test suite's, one per test file) never wait on each other.
 */
const CAMPAIGN_LOCK = 727_003;

/** SQL: the comment (a row of `comments`) has no attachment still waiting to be read. */
const COMPLETE = 'NOT EXISTS (SELECT 1 FROM comment_attachments pa WHERE pa.comment_id = comments.id AND pa.pending)';

export interface CampaignMatch {
  campaignId: string;
  kind: 'exact' | 'near';
  matchedId: number;
  matchedTrackingNumber: string;
  similarity: number;
}

function newCampaignId(): string {
  return `cmp-${randomBytes(5).toString('hex')}`;
}

/**
 * The best match for a comment among the others: an exact duplicate first (one already in a
 * campaign preferred), else the most similar at or above the threshold. `onlyEarlier` limits it to
 * comments stored before (lower id), which replays arrival order when regrouping. Submission looks
 * at every other comment: two copies committed at the same moment may get their ids in one order
 * and their commits in the other, and whichever is grouped second must still see the first.
 */
export async function findBestMatch(
  tx: Queryable,
  comment: { id: number; dedupeText: string; textHash: string },
  threshold: number,
  options: { onlyEarlier?: boolean } = {},
): Promise<{ id: number; trackingNumber: string; campaignId: string | null; kind: 'exact' | 'near'; similarity: number } | null> {
  // A comment whose files are still being read is not complete yet: neither a match nor matched.
  const others = `${options.onlyEarlier ? 'id < $2' : 'id <> $2'} AND ${COMPLETE}`;
  if (comment.dedupeText.length >= MIN_EXACT_CHARS) {
    const exact = await tx.query<{ id: number; trackingNumber: string; campaignId: string | null }>(
      `SELECT id, tracking_number AS "trackingNumber", campaign_id AS "campaignId" FROM comments
        WHERE text_hash = $1 AND ${others} ORDER BY (campaign_id IS NULL), id LIMIT 1`,
      [comment.textHash, comment.id],
    );
    if (exact[0]) return { ...exact[0], kind: 'exact', similarity: 1 };
  }
  if (comment.dedupeText.length < MIN_NEAR_CHARS) return null;
  // `%` uses the GIN trigram index with this threshold; similarity() then ranks the candidates.
  await tx.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(threshold)]);
  const near = await tx.query<{ id: number; trackingNumber: string; campaignId: string | null; similarity: number }>(
    `SELECT id, tracking_number AS "trackingNumber", campaign_id AS "campaignId",
            similarity(dedupe_text, $1)::float8 AS similarity
       FROM comments
      WHERE dedupe_text % $1 AND ${others} AND length(dedupe_text) >= $3
      ORDER BY similarity DESC, id LIMIT 1`,
    [comment.dedupeText, comment.id, MIN_NEAR_CHARS],
  );
  const best = near[0];
  return best && best.similarity >= threshold ? { ...best, kind: 'near' } : null;
}

async function audit(tx: Queryable, commentId: number, actor: string, campaignId: string, note: string): Promise<void> {
  await tx.query(
    `INSERT INTO comment_audit (comment_id, actor, action, from_value, to_value, note) VALUES ($1, $2, 'campaign', NULL, $3, $4)`,
    [commentId, actor, campaignId, note],
  );
}

/**
 * Puts one comment into the campaign of its best match (see above), in one transaction with the
 * audit entries. When neither is in a campaign yet, a campaign is started: the earlier comment
 * (lower id) represents it and the later one is marked exact or near duplicate. Returns null when
 * the comment matches nothing or is already in a campaign.
 */
export async function assignCampaign(
  db: Db,
  commentId: number,
  threshold: number,
  actor = 'system',
  options: { onlyEarlier?: boolean } = {},
): Promise<CampaignMatch | null> {
  return db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [CAMPAIGN_LOCK]);
    const rows = await tx.query<{ id: number; trackingNumber: string; dedupeText: string; textHash: string; campaignId: string | null }>(
      `SELECT id, tracking_number AS "trackingNumber", dedupe_text AS "dedupeText", text_hash AS "textHash", campaign_id AS "campaignId"
         FROM comments WHERE id = $1 AND ${COMPLETE} FOR UPDATE`,
      [commentId],
    );
    const comment = rows[0];
    if (!comment || comment.campaignId) return null;
    const match = await findBestMatch(tx, comment, threshold, options);
    if (!match) return null;
    const describe = (of: string) =>
      match.kind === 'exact' ? `exact duplicate of ${of}` : `${Math.round(match.similarity * 100)}% similar to ${of}`;
    const mark = async (id: number, campaignId: string, of: string) => {
      await tx.query(
        `UPDATE comments SET campaign_id = $1, duplicate_kind = $2, duplicate_similarity = $3, updated_at = now() WHERE id = $4`,
        [campaignId, match.kind, match.similarity, id],
      );
      await audit(tx, id, actor, campaignId, describe(of));
    };
    let campaignId = match.campaignId;
    if (campaignId) {
      await mark(comment.id, campaignId, match.trackingNumber);
    } else {
      campaignId = newCampaignId();
      const [first, second] = comment.id < match.id ? [comment, match] : [match, comment];
      await tx.query('INSERT INTO campaigns (id, size, representative_id) VALUES ($1, 0, $2)', [campaignId, first.id]);
      await tx.query('UPDATE comments SET campaign_id = $1, updated_at = now() WHERE id = $2', [campaignId, first.id]);
      await audit(tx, first.id, actor, campaignId, `started a campaign with ${second.trackingNumber}`);
      await mark(second.id, campaignId, first.trackingNumber);
    }
    if (!options.onlyEarlier) {
      await tx.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(threshold)]);
      // Copies of this comment still without a campaign join it too. They exist when copies were
      // committed together: one grouped before the others were visible found nothing, and the
      // others then matched an earlier copy instead of it.
      const stragglers = await tx.query<{ id: number; exact: boolean; similarity: number }>(
        `SELECT id, text_hash = $2 AS exact, similarity(dedupe_text, $3)::float8 AS similarity
           FROM comments
          WHERE campaign_id IS NULL AND id <> $1 AND ${COMPLETE}
            AND (text_hash = $2 OR (length($3) >= $4 AND length(dedupe_text) >= $4 AND dedupe_text % $3))
          ORDER BY id`,
        [comment.id, comment.textHash, comment.dedupeText, MIN_NEAR_CHARS],
      );
      for (const s of stragglers) {
        if (!s.exact && s.similarity < threshold) continue;
        await tx.query(
          `UPDATE comments SET campaign_id = $1, duplicate_kind = $2, duplicate_similarity = $3, updated_at = now() WHERE id = $4`,
          [campaignId, s.exact ? 'exact' : 'near', s.exact ? 1 : s.similarity, s.id],
        );
        await audit(tx, s.id, actor, campaignId, s.exact ? `exact duplicate of ${comment.trackingNumber}` : `${Math.round(s.similarity * 100)}% similar to ${comment.trackingNumber}`);
      }
    }
    await tx.query(
      `UPDATE campaigns SET size = (SELECT count(*)::int FROM comments WHERE campaign_id = $1), updated_at = now() WHERE id = $1`,
      [campaignId],
    );
    return {
      campaignId,
      kind: match.kind,
      matchedId: match.id,
      matchedTrackingNumber: match.trackingNumber,
      similarity: match.similarity,
    };
  });
}

/** "N similar comments" for a card: the other members of the comment's campaign (0 without one). */
export async function similarCount(db: Queryable, commentId: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT coalesce(max(cp.size) - 1, 0)::int AS n
       FROM comments c LEFT JOIN campaigns cp ON cp.id = c.campaign_id WHERE c.id = $1`,
    [commentId],
  );
  return rows[0]?.n ?? 0;
}

export interface CampaignSummary {
  campaignId: string;
  size: number;
  /** Like regulations.gov's duplicateComments on the representative comment: size - 1. */
  duplicateComments: number;
  exact: number;
  near: number;
  representativeTrackingNumber: string | null;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
}

/** Campaigns, largest first. Staff only: it names comments. */
export async function listCampaigns(deps: CommentDeps, actor: Actor, options: { minSize?: number; limit?: number } = {}): Promise<CampaignSummary[]> {
  requireStaff(deps, actor, 'comments.campaigns');
  return deps.db.query<CampaignSummary>(
    `SELECT cp.id AS "campaignId", cp.size, (cp.size - 1) AS "duplicateComments",
            count(*) FILTER (WHERE c.duplicate_kind = 'exact')::int AS exact,
            count(*) FILTER (WHERE c.duplicate_kind = 'near')::int AS near,
            r.tracking_number AS "representativeTrackingNumber",
            min(c.received_at) AS "firstReceivedAt", max(c.received_at) AS "lastReceivedAt"
       FROM campaigns cp
       JOIN comments c ON c.campaign_id = cp.id
       LEFT JOIN comments r ON r.id = cp.representative_id
      WHERE cp.size >= $1
      GROUP BY cp.id, cp.size, r.tracking_number
      ORDER BY cp.size DESC, min(c.received_at), cp.id
      LIMIT $2`,
    [options.minSize ?? 2, Math.min(options.limit ?? 100, 1000)],
  );
}

/**
 * Rebuilds every campaign from scratch in the order comments were stored, e.g. after changing the threshold.
 * Returns the number of comments that ended up in a campaign.
 */
export async function regroupCampaigns(deps: CommentDeps, actor: Actor): Promise<number> {
  requireStaff(deps, actor, 'comments.regroup');
  await deps.db.transaction(async (tx) => {
    await tx.query('UPDATE comments SET campaign_id = NULL, duplicate_kind = NULL, duplicate_similarity = NULL WHERE campaign_id IS NOT NULL');
    await tx.query('DELETE FROM campaigns');
  });
  const ids = await deps.db.query<{ id: number }>('SELECT id FROM comments ORDER BY id');
  let grouped = 0;
  for (const { id } of ids) {
    if (await assignCampaign(deps.db, id, deps.config.comments.nearDuplicateThreshold, actorLabel(actor), { onlyEarlier: true })) grouped++;
  }
  const [row] = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE campaign_id IS NOT NULL');
  return row?.n ?? grouped;
}
