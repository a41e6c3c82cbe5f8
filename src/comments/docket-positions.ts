import { z } from 'zod';
import { completeJson, LlmFailure, type LlmContext } from '../answer/llm.ts';
import { checkQuote } from '../answer/verify.ts';
import { fenceText } from '../answer/prompts.ts';
import { AppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import { change, insertAudit } from './audit.ts';
import type { CommentDeps } from './deps.ts';
import { frameProposal, readPosition, type PositionReading, type ProposalFrame } from './positions.ts';
import type { CommentRef } from './read.ts';
import { POSITIONS, type Comment, type Position } from './schema.ts';

/**
 * Positions in the store: what each docket responds to (the `dockets` table, else
 * DOCKET_PROPOSAL), each comment's position read against it, a campaign's once from its form
 * letter, and reviewers' corrections, which nothing overwrites.
 */

/** The docket of comments whose source named none. */
export const DEFAULT_DOCKET = '';

export interface DocketInfo {
  id: string;
  proposal: string | null;
  commentOnDocumentId: string | null;
}

const proposalSchema = z
  .string()
  .trim()
  .min(5, { error: 'The proposal is too short: say in one line what the docket responds to.' })
  .max(1000, { error: 'The proposal is longer than 1,000 characters: say it in one line.' })
  .refine((v) => !v.includes('\n'), { error: 'The proposal must be one line.' });

/** Sets what a docket responds to (`comments import --proposal`, `comments proposal set`). Staff only. */
export async function setDocketProposal(
  deps: CommentDeps,
  actor: Actor,
  docketId: string | null | undefined,
  proposal: string,
  commentOnDocumentId?: string | null,
): Promise<DocketInfo> {
  requireStaff(deps, actor, 'comments.proposal');
  const parsed = proposalSchema.safeParse(proposal);
  if (!parsed.success) throw new AppError('input.invalid', parsed.error.issues[0]!.message);
  const id = docketId?.trim() ?? DEFAULT_DOCKET;
  await deps.db.query(
    `INSERT INTO dockets (id, proposal, comment_on_document_id) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET proposal = EXCLUDED.proposal,
       comment_on_document_id = coalesce(EXCLUDED.comment_on_document_id, dockets.comment_on_document_id), updated_at = now()`,
    [id, parsed.data, commentOnDocumentId?.trim() || null],
  );
  return { id, proposal: parsed.data, commentOnDocumentId: commentOnDocumentId?.trim() || null };
}

/** Every docket with comments or a proposal, with what it responds to (its own proposal, else DOCKET_PROPOSAL). */
export async function listDockets(deps: CommentDeps): Promise<DocketInfo[]> {
  const rows = await deps.db.query<{ id: string; proposal: string | null; commentOn: string | null }>(
    `SELECT d.id, k.proposal,
            coalesce(k.comment_on_document_id, (SELECT min(c.comment_on_ref) FROM comments c WHERE coalesce(c.docket_id, '') = d.id)) AS "commentOn"
       FROM (SELECT DISTINCT coalesce(docket_id, '') AS id FROM comments UNION SELECT id FROM dockets) d
       LEFT JOIN dockets k ON k.id = d.id
      ORDER BY d.id`,
  );
  return rows.map((r) => ({ id: r.id, proposal: r.proposal ?? deps.config.comments.proposal ?? null, commentOnDocumentId: r.commentOn }));
}

/** Reads one comment's position against a framed proposal. */
export interface PositionReader {
  method: string;
  read(text: string, frame: ProposalFrame): Promise<PositionReading>;
}

/** Offline: stance cues read against the proposal's terms (positions.ts). */
export const cueReader: PositionReader = { method: 'cues', read: async (text, frame) => readPosition(text, frame) };

const llmPositionSchema = z.object({ position: z.enum(POSITIONS), quote: z.string().max(5_000) });

/**
 * LLM mode: the model's position, kept only with a quote that is verbatim in the comment (the
 * rule every quote follows); without one, or when the model fails, the offline reading stands.
 */
export function llmReader(ctx: LlmContext): PositionReader {
  return {
    method: 'llm',
    async read(text, frame) {
      const offline = readPosition(text, frame);
      try {
        const out = await completeJson(ctx, {
          purpose: 'comment position',
          messages: [{ role: 'user', content: ctx.prompts.commentPosition.render({ proposal: frame.proposal, comment: fenceText(text.slice(0, 24_000)) }) }],
          jsonSchema: {
            name: 'comment_position',
            strict: true,
            schema: {
              type: 'object',
              additionalProperties: false,
              required: ['position', 'quote'],
              properties: { position: { type: 'string', enum: [...POSITIONS] }, quote: { type: 'string' } },
            },
          },
          schema: llmPositionSchema,
        });
        if (out.position === 'unclear') return { position: 'unclear', quote: null, support: 0, oppose: 0 };
        const checked = checkQuote(out.quote, text);
        if (!checked.ok) {
          ctx.logger.info({ ref: ctx.ref, reason: checked.reason }, 'comments: position quote not in the comment; the offline reading stands');
          return { ...offline, method: 'cues' } as PositionReading;
        }
        return { position: out.position, quote: checked.quote, support: 0, oppose: 0 };
      } catch (err) {
        if (!(err instanceof LlmFailure)) throw err;
        ctx.logger.warn({ ref: ctx.ref, reason: err.reason }, 'comments: position by model failed; the offline reading stands');
        return { ...offline, method: 'cues' } as PositionReading;
      }
    },
  };
}

export interface PositionRun {
  /** Comments given a position (reviewer corrections and comments of dockets without a proposal left alone). */
  read: number;
  /** Campaign members that took their form letter's position. */
  fromCampaign: number;
  /** Comments in dockets with no proposal set (no position). */
  withoutProposal: number;
}

const BATCH = 500;

/**
 * Positions for the store's comments: only those without one, or all of them (`all`, e.g. after
 * the proposal changed), never a reviewer's correction. A campaign is read once, from its
 * representative (the form letter), and every member takes that position.
 */
export async function assignPositions(
  deps: CommentDeps,
  options: { all?: boolean; docketId?: string; reader?: PositionReader } = {},
): Promise<PositionRun> {
  const reader = options.reader ?? cueReader;
  const run: PositionRun = { read: 0, fromCampaign: 0, withoutProposal: 0 };
  for (const docket of await listDockets(deps)) {
    if (options.docketId !== undefined && docket.id !== options.docketId) continue;
    const where = `coalesce(c.docket_id, '') = $1 AND coalesce(c.position_method, '') <> 'reviewer'${options.all ? '' : ' AND c.position IS NULL'}`;
    if (!docket.proposal) {
      const [n] = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments c WHERE ${where}`, [docket.id]);
      run.withoutProposal += n?.n ?? 0;
      continue;
    }
    const frame = frameProposal(docket.proposal);
    const campaignReading = new Map<string, PositionReading>();
    let after = 0;
    for (;;) {
      const rows = await deps.db.query<{ id: number; text: string; campaignId: string | null; repId: number | null; repText: string | null }>(
        `SELECT c.id, c.body AS text, c.campaign_id AS "campaignId", cp.representative_id AS "repId", r.body AS "repText"
           FROM comments c LEFT JOIN campaigns cp ON cp.id = c.campaign_id LEFT JOIN comments r ON r.id = cp.representative_id
          WHERE ${where} AND c.id > $2 ORDER BY c.id LIMIT ${BATCH}`,
        [docket.id, after],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const ids: number[] = [];
      const positions: string[] = [];
      const quotes: Array<string | null> = [];
      const methods: string[] = [];
      for (const r of rows) {
        let reading: PositionReading & { method?: string };
        let method = reader.method;
        if (r.campaignId && r.repId !== null && r.repId !== r.id && r.repText !== null) {
          let rep = campaignReading.get(r.campaignId);
          if (!rep) {
            rep = await reader.read(r.repText, frame);
            campaignReading.set(r.campaignId, rep);
          }
          reading = rep;
          method = 'campaign';
          run.fromCampaign++;
        } else {
          reading = await reader.read(r.text, frame);
          if (r.campaignId) campaignReading.set(r.campaignId, reading);
          if (reading.method) method = reading.method;
        }
        ids.push(r.id);
        positions.push(reading.position);
        quotes.push(reading.quote);
        methods.push(method);
      }
      await deps.db.query(
        `UPDATE comments c SET position = v.p, position_quote = v.q, position_method = v.m
           FROM (SELECT unnest($1::int[]) AS id, unnest($2::text[]) AS p, unnest($3::text[]) AS q, unnest($4::text[]) AS m) v
          WHERE c.id = v.id AND coalesce(c.position_method, '') <> 'reviewer'`,
        [ids, positions, quotes, methods],
      );
      run.read += rows.length;
      if (rows.length < BATCH) break;
    }
  }
  deps.logger.info(run, 'comments: positions read');
  return run;
}

/**
 * A reviewer's correction of a comment's position: audited, and kept over every later reading
 * (re-triage, a new proposal). The quote stays the comment's own sentence when one is given. Staff only.
 */
export async function setPosition(
  deps: CommentDeps,
  actor: Actor,
  ref: CommentRef,
  position: Position | string,
  options: { quote?: string; note?: string } = {},
): Promise<Comment> {
  const p = String(position).trim().toLowerCase();
  if (!(POSITIONS as readonly string[]).includes(p)) {
    throw new AppError('input.invalid', `Unknown position "${position}". Positions: ${POSITIONS.join(', ')}.`);
  }
  return change(deps, actor, 'comments.set_position', ref, async (tx, locked, who) => {
    const [row] = await tx.query<{ position: string | null; text: string; quote: string | null }>(
      'SELECT position, body AS text, position_quote AS quote FROM comments WHERE id = $1',
      [locked.id],
    );
    let quote = row?.quote ?? null;
    if (options.quote?.trim()) {
      const checked = checkQuote(options.quote, row?.text ?? '');
      if (!checked.ok) throw new AppError('input.invalid', 'The quote is not a sentence of the comment: copy it from the comment text as it is.');
      quote = checked.quote;
    }
    if (p === 'unclear') quote = null;
    await tx.query("UPDATE comments SET position = $1, position_quote = $2, position_method = 'reviewer' WHERE id = $3", [p, quote, locked.id]);
    await insertAudit(tx, locked.id, who, 'position', row?.position ?? null, p, options.note?.trim().slice(0, 5_000) || null);
  });
}
