import { fetchUrl, type FetchOptions } from '../net/safe-fetch.ts';
import { isAppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import { readAttachment } from './attachments.ts';
import type { CommentDeps } from './deps.ts';
import { NOT_FETCHED_NOTE } from './import-records.ts';
import { completeAttachments } from './submit.ts';
import { COMMENT_LIMITS, type CommentAttachmentInput } from './schema.ts';

/**
 * `comments fetch-attachments`: the files an import recorded by URL (regulations.gov's
 * `Attachment Files`) downloaded on request, through the same guarded fetch as document ingest
 * (src/net/safe-fetch.ts: no private addresses unless allowed, size and time limits, redirects
 * checked), and their text extracted as for Slack files. The comment's text-derived fields
 * (dedupe text, topic suggestion, personal data) and its campaign follow, as when a Slack file
 * is read (completeAttachments). A file that cannot be fetched keeps its URL and says why; the
 * next run tries it again.
 */

export const FETCH_FAILED_PREFIX = 'could not fetch';

export interface FetchAttachmentsResult {
  comments: number;
  fetched: number;
  withText: number;
  failed: Array<{ url: string; reason: string }>;
}

export async function fetchAttachments(
  deps: CommentDeps,
  actor: Actor,
  options: { docketId?: string; fetch?: FetchOptions; onProgress?: (done: number, total: number, url: string) => void } = {},
): Promise<FetchAttachmentsResult> {
  requireStaff(deps, actor, 'comments.fetch_attachments');
  const rows = await deps.db.query<{ commentId: number; id: number; name: string; url: string }>(
    `SELECT a.comment_id AS "commentId", a.id, a.name, a.url
       FROM comment_attachments a JOIN comments c ON c.id = a.comment_id
      WHERE a.url IS NOT NULL AND a.extracted_text IS NULL AND NOT a.pending
        AND (a.extraction_note = $1 OR a.extraction_note LIKE $2)
        ${options.docketId !== undefined ? 'AND coalesce(c.docket_id, \'\') = $3' : ''}
      ORDER BY a.comment_id, a.ordinal`,
    options.docketId !== undefined ? [NOT_FETCHED_NOTE, `${FETCH_FAILED_PREFIX}%`, options.docketId] : [NOT_FETCHED_NOTE, `${FETCH_FAILED_PREFIX}%`],
  );
  const byComment = new Map<number, typeof rows>();
  for (const r of rows) byComment.set(r.commentId, [...(byComment.get(r.commentId) ?? []), r]);
  const result: FetchAttachmentsResult = { comments: byComment.size, fetched: 0, withText: 0, failed: [] };
  let done = 0;
  for (const [commentId, files] of byComment) {
    const results: CommentAttachmentInput[] = [];
    for (const f of files) {
      options.onProgress?.(done++, rows.length, f.url);
      try {
        const got = await fetchUrl(f.url, { maxBytes: COMMENT_LIMITS.attachmentBytes, ...options.fetch });
        if (got.status !== 'ok') throw new Error('the server sent no document');
        const read = await readAttachment({ name: f.name, mime: got.contentType, content: got.body, size: got.body.byteLength, url: f.url });
        results.push(read);
        result.fetched++;
        if (read.text) result.withText++;
      } catch (err) {
        const reason = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
        result.failed.push({ url: f.url, reason });
        results.push({ name: f.name, size: 0, url: f.url, text: null, note: `${FETCH_FAILED_PREFIX}: ${reason}`.slice(0, 500) });
      }
    }
    // Mark them pending, in order, so completeAttachments fills them in and regroups the comment.
    await deps.db.query('UPDATE comment_attachments SET pending = true WHERE id = ANY($1::int[])', [files.map((f) => f.id)]);
    await completeAttachments(deps, commentId, results);
  }
  deps.logger.info({ comments: result.comments, fetched: result.fetched, failed: result.failed.length }, 'comments: attachments fetched');
  return result;
}
