import { AppError, isAppError } from '../errors.ts';
import { actorLabel, type Actor } from './access.ts';
import { dedupeTextOf, storeBands, textHash } from './dedupe.ts';
import type { CommentDeps } from './deps.ts';
import { formatFieldErrors, validateCommentInput, type CommentInput, type ValidCommentInput } from './schema.ts';
import { newTrackingNumber } from './queue.ts';
import { detectPersonalData, suggestTopicByKeywords } from './triage.ts';

/**
 * Bulk import's write path: many validated records stored in a few multi-row statements, one
 * transaction per batch, with the same idempotency as submitComment (a key seen before, in the
 * store or earlier in the batch, returns the stored comment and stores nothing). Each comment is
 * stored whole with its attachments, its audit entry and its LSH bands, and marked
 * grouping_pending; the importer then groups the batch (groupPending in dedupe.ts). A batch
 * either commits whole or not at all, so a killed import leaves whole comments only.
 *
 * The row written is the one submitComment writes (src/comments/submit.ts); a column added there
 * belongs in rowOf below too. Slack-only concerns (rate limits, pending files, receipts) are not
 * here: imports have none.
 */

/** Comments per transaction: large enough that per-statement cost vanishes, small enough to hold letters of 20,000+ characters. */
export const STORE_BATCH = 250;

export interface StoreItem {
  where: string;
  input: CommentInput;
  idempotencyKey: string;
}

export type StoreOutcome =
  | { status: 'imported' | 'duplicate'; where: string; trackingNumber: string; commentId: number }
  | { status: 'failed'; where: string; reason: string };

type Row = Record<string, unknown>;

function rowOf(c: ValidCommentInput, key: string, topics: CommentDeps['config']['comments']['topics']): { row: Row; dedupeText: string } {
  const attachmentTexts = c.attachments.map((a) => a.text);
  const dedupeText = dedupeTextOf({ title: c.title, text: c.text, attachmentTexts });
  const suggestion = suggestTopicByKeywords({ title: c.title ?? null, text: c.text, attachmentText: attachmentTexts.filter(Boolean).join('\n'), topics });
  const x = c as ValidCommentInput & Record<string, unknown>;
  const row: Row = {
    tracking_number: newTrackingNumber(),
    idempotency_key: key,
    submitter_name: c.submitterName,
    email: c.email ?? null,
    organization: c.organization ?? null,
    organization_type: c.organizationType,
    on_behalf_of: c.onBehalfOf ?? null,
    topic: c.topic ?? null,
    document_id: c.documentId ?? null,
    title: c.title ?? null,
    body: c.text,
    consent_to_publish: c.consentToPublish,
    source: c.source,
    source_ref: c.sourceRef ?? null,
    slack_user_id: c.slackUserId ?? null,
    slack_team_id: c.slackTeamId ?? null,
    submitter_external: c.submitterExternal,
    received_at: c.receivedAt,
    dedupe_text: dedupeText,
    text_hash: textHash(dedupeText),
    suggested_topic: suggestion?.topic ?? null,
    suggested_topic_score: suggestion?.score ?? null,
    suggested_topic_method: suggestion?.method ?? null,
    personal_data: detectPersonalData(c.text, c.title, ...attachmentTexts),
  };
  // Fields of regulations.gov records (migration 014), when the schema has them.
  const optional: Array<[string, unknown]> = [
    ['organization_label', x.organizationLabel],
    ['raw_body', typeof x.rawText === 'string' && x.rawText !== c.text ? x.rawText : null],
    ['duplicate_comments', x.duplicateComments],
    ['source_document_id', x.sourceDocumentId],
    ['comment_on_ref', x.commentOnRef],
    ['docket_id', x.docketId],
    ['source_fields', x.sourceFields],
    ['source_stance', x.sourceStance],
    ['posted_at', x.postedAt],
  ];
  for (const [col, v] of optional) if (v !== undefined && v !== null) row[col] = v;
  return { row, dedupeText };
}

/** Lost connection, server shutting down, or too many clients: every later batch would fail the same way. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  if (!code) return /ECONNREFUSED|ECONNRESET|terminat|closed|not open/i.test(String((err as Error)?.message ?? err));
  return /^(08|57P|53)/.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

const isUniqueViolation = (err: unknown, constraint: string) =>
  typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505' &&
  String((err as { constraint?: string; message?: string }).constraint ?? (err as { message?: string }).message).includes(constraint);

/**
 * Stores a batch of records (see above); returns one outcome per item, in order. Invalid records
 * and ones naming a document that is not ingested are failed outcomes; a database that cannot be
 * written throws db.unavailable (nothing of the batch was stored).
 */
export async function storeCommentBatch(deps: CommentDeps, items: readonly StoreItem[], actor: Actor): Promise<StoreOutcome[]> {
  const topics = deps.config.comments.topics;
  const outcomes: Array<StoreOutcome | undefined> = new Array(items.length);
  const valid: Array<{ i: number; c: ValidCommentInput; key: string }> = [];
  for (const [i, item] of items.entries()) {
    const key = item.idempotencyKey.trim();
    const checked = validateCommentInput(item.input, topics);
    if (!checked.ok) outcomes[i] = { status: 'failed', where: item.where, reason: formatFieldErrors(checked.errors) };
    else if (!key || key.length > 500) outcomes[i] = { status: 'failed', where: item.where, reason: 'the idempotency key is empty or longer than 500 characters' };
    else valid.push({ i, c: checked.value, key });
  }
  const who = actorLabel(actor);
  for (let attempt = 1; ; attempt++) {
    try {
      const stored = await deps.db.transaction(async (tx) => {
        const result = new Map<number, StoreOutcome>();
        const keys = [...new Set(valid.map((v) => v.key))];
        const existing = new Map(
          (
            await tx.query<{ id: number; key: string; trackingNumber: string }>(
              `SELECT id, idempotency_key AS key, tracking_number AS "trackingNumber" FROM comments WHERE idempotency_key = ANY($1::text[])`,
              [keys],
            )
          ).map((r) => [r.key, r]),
        );
        const docIds = [...new Set(valid.map((v) => v.c.documentId).filter((d): d is string => !!d))];
        const docs = new Set(
          docIds.length ? (await tx.query<{ id: string }>('SELECT id FROM documents WHERE id = ANY($1::text[])', [docIds])).map((r) => r.id) : [],
        );
        const fresh: Array<{ i: number; c: ValidCommentInput; key: string; row: Row; dedupeText: string }> = [];
        const firstOfKey = new Map<string, number>();
        for (const v of valid) {
          const where = items[v.i]!.where;
          const seen = existing.get(v.key);
          if (seen) {
            result.set(v.i, { status: 'duplicate', where, trackingNumber: seen.trackingNumber, commentId: seen.id });
          } else if (v.c.documentId && !docs.has(v.c.documentId)) {
            result.set(v.i, {
              status: 'failed',
              where,
              reason: `documentId: No ingested document has the id "${v.c.documentId}". Choose one from the list (policy-desk docs shows them) or leave it empty.`,
            });
          } else if (firstOfKey.has(v.key)) {
            // The same key twice in one batch: the later one is a repeat of the first (filled in below).
          } else {
            firstOfKey.set(v.key, v.i);
            fresh.push({ ...v, ...rowOf(v.c, v.key, topics) });
          }
        }
        if (fresh.length) {
          const columns = [...new Set(fresh.flatMap((f) => Object.keys(f.row)))];
          const list = columns.join(', ');
          const inserted = await tx.query<{ id: number; key: string; trackingNumber: string }>(
            `INSERT INTO comments (${list})
             SELECT ${list} FROM jsonb_populate_recordset(NULL::comments, $1::jsonb)
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id, idempotency_key AS key, tracking_number AS "trackingNumber"`,
            [JSON.stringify(fresh.map((f) => f.row))],
          );
          const byKey = new Map(inserted.map((r) => [r.key, r]));
          const attachments: Row[] = [];
          const stored: Array<{ id: number; dedupeText: string }> = [];
          const audit: { ids: number[]; notes: Array<string | null> } = { ids: [], notes: [] };
          for (const f of fresh) {
            const r = byKey.get(f.key);
            const where = items[f.i]!.where;
            if (!r) {
              // Stored by another transaction between our lookup and our insert (Postgres).
              const [again] = await tx.query<{ id: number; trackingNumber: string }>(
                'SELECT id, tracking_number AS "trackingNumber" FROM comments WHERE idempotency_key = $1',
                [f.key],
              );
              if (!again) throw new AppError('internal', 'the comment insert returned no row');
              result.set(f.i, { status: 'duplicate', where, trackingNumber: again.trackingNumber, commentId: again.id });
              continue;
            }
            result.set(f.i, { status: 'imported', where, trackingNumber: r.trackingNumber, commentId: r.id });
            stored.push({ id: r.id, dedupeText: f.dedupeText });
            audit.ids.push(r.id);
            audit.notes.push([f.c.source, f.c.sourceRef].filter(Boolean).join(': ') || null);
            for (const [k, a] of f.c.attachments.entries()) {
              attachments.push({
                comment_id: r.id, ordinal: k + 1, name: a.name, mime: a.mime, size_bytes: a.size, url: a.url ?? null,
                extracted_text: a.text ?? null, extraction_note: a.note ?? null,
              });
            }
          }
          if (attachments.length) {
            await tx.query(
              `INSERT INTO comment_attachments (comment_id, ordinal, name, mime, size_bytes, url, extracted_text, extraction_note)
               SELECT comment_id, ordinal, name, mime, size_bytes, url, extracted_text, extraction_note
                 FROM jsonb_populate_recordset(NULL::comment_attachments, $1::jsonb)`,
              [JSON.stringify(attachments)],
            );
          }
          if (audit.ids.length) {
            await tx.query(
              `INSERT INTO comment_audit (comment_id, actor, action, from_value, to_value, note)
               SELECT u.id, $1, 'submitted', NULL, 'new', u.note FROM unnest($2::int[], $3::text[]) AS u(id, note)`,
              [who, audit.ids, audit.notes],
            );
          }
          await storeBands(tx, stored, true);
        }
        for (const v of valid) {
          if (result.has(v.i)) continue;
          const first = result.get(firstOfKey.get(v.key)!);
          if (first && first.status !== 'failed') result.set(v.i, { ...first, status: 'duplicate', where: items[v.i]!.where });
        }
        return result;
      });
      for (const [i, o] of stored) outcomes[i] = o;
      return outcomes.map((o, i) => o ?? { status: 'failed', where: items[i]!.where, reason: 'not stored' });
    } catch (err) {
      if (isUniqueViolation(err, 'tracking_number') && attempt < 3) continue;
      if (isAppError(err) && err.code !== 'internal') throw err;
      if (isConnectionError(err)) {
        throw new AppError('db.unavailable', 'The database is unavailable; nothing of the current batch was stored.', { cause: err });
      }
      // One record the database refused must not cost the batch: store them one by one.
      if (valid.length > 1) {
        for (const v of valid) outcomes[v.i] = (await storeCommentBatch(deps, [items[v.i]!], actor))[0];
        return outcomes.map((o, i) => o ?? { status: 'failed', where: items[i]!.where, reason: 'not stored' });
      }
      const code = (err as { code?: string }).code;
      deps.logger.warn({ err, where: items[valid[0]?.i ?? 0]?.where }, 'comments: a record was refused by the database');
      return outcomes.map((o, i) => o ?? { status: 'failed', where: items[i]!.where, reason: `the database refused this record${code ? ` (error ${code})` : ''}` });
    }
  }
}
