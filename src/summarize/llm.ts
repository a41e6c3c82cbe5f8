import { z } from 'zod';
import { completeJson, logExcerpt, type LlmContext } from '../answer/llm.ts';
import type { GroundDrop } from './ground.ts';

/**
 * Output contracts for summaries: strict JSON schemas sent to the model (structured outputs) and
 * the zod schemas each reply must pass. The calls themselves go through completeJson, the same
 * path (client, deadline, failure classes) as answers.
 */

const rawQuote = z.object({ source: z.string(), quote: z.string() });
const rawPoint = z.object({ text: z.string(), sources: z.array(z.string()).max(200), quotes: z.array(rawQuote).max(20) });
/** Lists are cut to a sane length here rather than refused: a long list is not a broken reply. */
const list = <T extends z.ZodTypeAny>(item: T, keep: number) => z.array(item).max(500).transform((a) => a.slice(0, keep));

export const threadOutputSchema = z.object({
  overview: list(rawPoint, 8),
  positions: list(z.object({ participant: z.string(), organization: z.string(), points: list(rawPoint, 5) }), 40),
  agreements: list(rawPoint, 10),
  disagreements: list(rawPoint, 10),
  /** Optional for replies written before decisions existed; the JSON schema requires it. */
  decisions: z.array(rawPoint).max(500).optional().transform((a) => (a ?? []).slice(0, 10)),
  openQuestions: list(rawPoint, 10),
  actionItems: list(rawPoint.extend({ owner: z.string(), due: z.string().optional() }), 15),
});
export type ThreadOutput = z.infer<typeof threadOutputSchema>;

const QUOTE_JSON = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'quote'],
  properties: {
    source: { type: 'string', description: 'The id of the quoted message or comment, exactly as in the input.' },
    quote: { type: 'string', description: 'Words copied exactly from that source, one contiguous span.' },
  },
} as const;

const POINT_PROPERTIES = {
  text: { type: 'string', description: 'The point in one neutral sentence.' },
  sources: { type: 'array', items: { type: 'string' }, description: 'Ids of the messages or comments the point is drawn from.' },
  quotes: { type: 'array', items: QUOTE_JSON },
} as const;

const POINT_JSON = { type: 'object', additionalProperties: false, required: ['text', 'sources', 'quotes'], properties: POINT_PROPERTIES } as const;

const ACTION_JSON = {
  type: 'object',
  additionalProperties: false,
  required: ['text', 'owner', 'due', 'sources', 'quotes'],
  properties: {
    ...POINT_PROPERTIES,
    owner: { type: 'string', description: 'Who is to do it: the author name as in the input, or the mentioned person; "" when the thread does not say. Never a pronoun.' },
    due: { type: 'string', description: 'When it is due, in the words of the message ("by Friday"); "" when not stated.' },
  },
} as const;

export const THREAD_JSON_SCHEMA = {
  name: 'thread_summary',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['overview', 'positions', 'agreements', 'disagreements', 'decisions', 'openQuestions', 'actionItems'],
    properties: {
      overview: { type: 'array', items: POINT_JSON },
      positions: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['participant', 'organization', 'points'],
          properties: {
            participant: { type: 'string', description: 'The author name exactly as in the input.' },
            organization: { type: 'string', description: 'The organization as in the input; "" when unknown.' },
            points: { type: 'array', items: POINT_JSON },
          },
        },
      },
      agreements: { type: 'array', items: POINT_JSON },
      disagreements: { type: 'array', items: POINT_JSON },
      decisions: { type: 'array', items: POINT_JSON },
      openQuestions: { type: 'array', items: POINT_JSON },
      actionItems: { type: 'array', items: ACTION_JSON },
    },
  },
} as const;

const rawTheme = z.object({ title: z.string(), summary: z.string(), quotes: list(rawQuote, 5) });

export const docketMapOutputSchema = z.object({
  themes: list(rawTheme.extend({ comments: z.array(z.string()).max(2000) }), 12),
});
export type DocketMapOutput = z.infer<typeof docketMapOutputSchema>;

export const docketReduceOutputSchema = z.object({
  overview: list(rawPoint, 6),
  themes: list(rawTheme.extend({ from: z.array(z.string()).max(2000) }), 12),
});
export type DocketReduceOutput = z.infer<typeof docketReduceOutputSchema>;

const THEME_PROPERTIES = {
  title: { type: 'string', description: 'At most ten words.' },
  summary: { type: 'string', description: 'One or two neutral sentences.' },
  quotes: { type: 'array', items: QUOTE_JSON },
} as const;

export const DOCKET_MAP_JSON_SCHEMA = {
  name: 'docket_themes',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['themes'],
    properties: {
      themes: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'summary', 'comments', 'quotes'],
          properties: { ...THEME_PROPERTIES, comments: { type: 'array', items: { type: 'string' }, description: 'Ids of the comments in this theme.' } },
        },
      },
    },
  },
} as const;

export const DOCKET_REDUCE_JSON_SCHEMA = {
  name: 'docket_summary',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['overview', 'themes'],
    properties: {
      overview: { type: 'array', items: POINT_JSON },
      themes: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'summary', 'from', 'quotes'],
          properties: { ...THEME_PROPERTIES, from: { type: 'array', items: { type: 'string' }, description: 'Ids of the input themes merged into this one.' } },
        },
      },
    },
  },
} as const;

export type SummaryRequest<T> = Parameters<typeof completeJson<T>>[1];

export function callModel<T>(ctx: LlmContext, req: SummaryRequest<T>): Promise<T> {
  return completeJson(ctx, req);
}

/** One warn line per step with counts by reason and a few redacted examples, not one line per drop. */
export function logDrops(ctx: Pick<LlmContext, 'logger' | 'ref'>, step: string, drops: readonly GroundDrop[]): void {
  if (drops.length === 0) return;
  const byReason: Record<string, number> = {};
  for (const d of drops) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
  ctx.logger.warn(
    {
      ref: ctx.ref,
      step,
      dropped: drops.length,
      byReason,
      examples: drops.slice(0, 5).map((d) => ({ reason: d.reason, source: d.source, quote: d.quote ? logExcerpt(d.quote, 120) : undefined })),
    },
    'dropped summary references the sources do not support',
  );
}
