import { citedDocument, describeDate, type DateSource } from '../domain/document.ts';
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { redactUrl } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { redactPersonalData, type Logger } from '../log.ts';
import { createOpenAIClient, loadedOpenAI } from '../search/embedder.ts';
import type { Passage } from '../search/retrieve.ts';
import { locateQuote, quotePlace, sectionOf } from './citations.ts';
import { abstention } from './extractive.ts';
import { fenceHistory, fencePassages, fenceText, restoreFenceTags, type Prompts } from './prompts.ts';
import type { Answer, Citation, ConversationTurn } from '../domain/answer.ts';
import { verifyCitations, type VerifiedCitation } from './verify.ts';

/** What the LLM steps need; `ref` ties every log line about one question together. */
export interface LlmContext {
  config: Config;
  logger: Logger;
  prompts: Prompts;
  ref: string;
}

// ---------------------------------------------------------------------------------------
// Output contracts: a strict JSON schema sent to the model (structured outputs), and the zod
// schema its reply must pass here. Servers that ignore response_format still get checked.

export const answerOutputSchema = z.object({
  answer: z.string(),
  abstain: z.boolean(),
  citations: z.array(z.object({ n: z.number().int().min(1), passageId: z.string(), quote: z.string() })).max(50),
});
export type AnswerOutput = z.infer<typeof answerOutputSchema>;

export const ANSWER_JSON_SCHEMA = {
  name: 'cited_answer',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['answer', 'abstain', 'citations'],
    properties: {
      answer: { type: 'string', description: 'The answer in plain prose; every factual sentence ends with citation markers such as [1].' },
      abstain: { type: 'boolean', description: 'true when the passages do not answer the question; answer is then "" and citations [].' },
      citations: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['n', 'passageId', 'quote'],
          properties: {
            n: { type: 'integer', description: 'The marker number used in the answer text.' },
            passageId: { type: 'string', description: 'The id attribute of the cited passage, e.g. "P2".' },
            quote: { type: 'string', description: 'Words copied exactly from that passage, one contiguous span.' },
          },
        },
      },
    },
  },
} as const;

export const standaloneOutputSchema = z.object({ standalone: z.string().trim().min(1).max(1000) });

export const STANDALONE_JSON_SCHEMA = {
  name: 'standalone_question',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['standalone'],
    properties: { standalone: { type: 'string', description: 'The follow-up rewritten as one standalone question.' } },
  },
} as const;

// ---------------------------------------------------------------------------------------
// Failures: each has a reason for the log; callers fall back on any of them.

export type LlmFailureReason =
  | 'timeout'
  | 'connection'
  | 'rate_limited'
  | 'server_error'
  | 'http_error'
  | 'refusal'
  | 'truncated'
  | 'empty'
  | 'malformed_json'
  | 'schema_mismatch'
  | 'unexpected';

const OUTPUT_REASONS: ReadonlySet<LlmFailureReason> = new Set(['refusal', 'truncated', 'empty', 'malformed_json', 'schema_mismatch']);

export class LlmFailure extends AppError {
  readonly status: number | undefined;

  constructor(
    readonly reason: LlmFailureReason,
    message: string,
    options: { cause?: unknown; details?: unknown; status?: number } = {},
  ) {
    super(OUTPUT_REASONS.has(reason) ? 'llm.invalid_output' : 'llm.unavailable', message, options);
    this.status = options.status;
  }

  /** The endpoint itself is down or overloaded (as opposed to one bad reply): no point asking it again at once. */
  get endpointDown(): boolean {
    return ['timeout', 'connection', 'rate_limited', 'server_error'].includes(this.reason);
  }
}

/** The openai client has already retried 429/5xx/timeouts (maxRetries) when one of these reaches us. */
function classify(err: unknown): LlmFailure {
  const message = (err as Error)?.message ?? String(err);
  // The package loads with the first client (src/search/embedder.ts), before any error of its.
  const OpenAI = loadedOpenAI();
  if (!OpenAI) return new LlmFailure('unexpected', message, { cause: err });
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new LlmFailure('timeout', `the model did not answer in time: ${message}`, { cause: err });
  if (err instanceof OpenAI.APIConnectionError) return new LlmFailure('connection', `cannot reach the model endpoint: ${message}`, { cause: err });
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const reason: LlmFailureReason = status === 429 ? 'rate_limited' : status !== undefined && status >= 500 ? 'server_error' : 'http_error';
    return new LlmFailure(reason, `the model endpoint answered HTTP ${status ?? '?'}: ${message}`, { cause: err, status });
  }
  if (err instanceof SyntaxError) return new LlmFailure('malformed_json', `the endpoint's response was not JSON: ${message}`, { cause: err });
  return new LlmFailure('unexpected', message, { cause: err });
}

const clients = new WeakMap<Config, Promise<OpenAI>>();

/** One client per configuration: the same OPENAI_BASE_URL, key, timeout and retries as the embedder. */
export function chatClient(config: Config): Promise<OpenAI> {
  let c = clients.get(config);
  if (!c) {
    c = createOpenAIClient(config);
    clients.set(config, c);
  }
  return c;
}

/** Local servers sometimes wrap JSON in a Markdown code fence even when asked for JSON. */
export function stripCodeFence(content: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i.exec(content);
  return m ? m[1]! : content;
}

/** Short and free of personal data: model output and quotes may carry e-mail addresses from documents. */
export function logExcerpt(s: string, max = 300): string {
  const t = redactPersonalData(s.replace(/\s+/g, ' ').trim());
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export interface JsonRequest<T> {
  purpose: string;
  messages: ChatCompletionMessageParam[];
  jsonSchema: { name: string; strict: boolean; schema: Record<string, unknown> };
  schema: z.ZodType<T>;
}

/**
 * An overall deadline for one model call, retries included: every attempt's timeout plus the
 * client's default back-off between attempts (0.5 s doubling, at most 8 s), plus a little
 * grace. The client's own timeout stops waiting once response headers arrive, and it honours
 * any Retry-After a server sends, however long; this bounds both, so a stalled body or a
 * "Retry-After: 3600" cannot leave a user without a reply.
 */
export function callBudgetMs(openai: Pick<Config['openai'], 'timeoutMs' | 'maxRetries'>): number {
  let backoff = 0;
  for (let i = 0; i < openai.maxRetries; i++) backoff += Math.min(500 * 2 ** i, 8000);
  return openai.timeoutMs * (openai.maxRetries + 1) + backoff + 500;
}

/** One chat completion whose reply must be JSON matching `schema`; anything else is an LlmFailure. */
export async function completeJson<T>(ctx: LlmContext, req: JsonRequest<T>): Promise<T> {
  const started = performance.now();
  const budget = callBudgetMs(ctx.config.openai);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new LlmFailure('timeout', `no reply within the overall budget of ${budget} ms (retries included)`));
    }, budget);
  });
  let res: OpenAI.Chat.Completions.ChatCompletion;
  try {
    const call = (await chatClient(ctx.config)).chat.completions.create(
      {
        model: ctx.config.openai.chatModel,
        messages: req.messages,
        response_format: { type: 'json_schema', json_schema: req.jsonSchema },
      },
      { signal: controller.signal },
    );
    // The loser of the race still settles (an abort error); nobody else is listening for it.
    call.catch(() => undefined);
    res = await Promise.race([call, deadline]);
  } catch (err) {
    throw err instanceof LlmFailure ? err : classify(err);
  } finally {
    clearTimeout(timer);
  }
  const choice = res.choices?.[0];
  if (!choice?.message) throw new LlmFailure('empty', 'the response had no message');
  if (choice.message.refusal) throw new LlmFailure('refusal', 'the model refused', { details: { refusal: logExcerpt(choice.message.refusal) } });
  if (choice.finish_reason === 'content_filter') throw new LlmFailure('refusal', 'the reply was withheld by a content filter');
  if (choice.finish_reason === 'length') throw new LlmFailure('truncated', 'the reply was cut off at the token limit');
  const content = choice.message.content;
  if (!content || !content.trim()) throw new LlmFailure('empty', 'the reply was empty');
  let json: unknown;
  try {
    json = JSON.parse(stripCodeFence(content));
  } catch (err) {
    throw new LlmFailure('malformed_json', 'the reply was not valid JSON', { cause: err, details: { content: logExcerpt(content) } });
  }
  const parsed = req.schema.safeParse(json);
  if (!parsed.success) {
    throw new LlmFailure('schema_mismatch', 'the reply did not match the expected JSON shape', {
      details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`), content: logExcerpt(content) },
    });
  }
  ctx.logger.debug({ ref: ctx.ref, purpose: req.purpose, model: res.model, ms: Math.round(performance.now() - started), usage: res.usage }, 'model reply');
  return parsed.data;
}

/** Writes an LlmFailure (or anything else thrown on the LLM path) to the log under the question's reference id. */
export function logLlmFailure(ctx: Pick<LlmContext, 'logger' | 'ref' | 'config'>, step: string, err: unknown): void {
  const f = err instanceof LlmFailure ? err : classify(err);
  ctx.logger.warn(
    {
      ref: ctx.ref,
      step,
      reason: f.reason,
      status: f.status,
      model: ctx.config.openai.chatModel,
      baseUrl: ctx.config.openai.baseUrl ? redactUrl(ctx.config.openai.baseUrl) : 'https://api.openai.com/v1',
      details: f.details,
      cause: f.reason === 'unexpected' ? (err as Error)?.stack : undefined,
    },
    `language model step failed: ${f.message}`,
  );
}

// ---------------------------------------------------------------------------------------
// Answers

/** Passage ids shown to the model: P1..Pk in rank order. Short, and no internal ids leak. */
export function passageIds(passages: readonly Passage[]): string[] {
  return passages.map((_, i) => `P${i + 1}`);
}

/** What the model is told about a document that supersedes a passage's document. */
export interface SuccessorFacts {
  title: string;
  publishedOn: string | null;
  dateSource: DateSource | null;
}

/** Looks up documents by id (the catalog facts of what supersedes a passage's document). */
export type DocumentLookup = (ids: readonly string[]) => Promise<ReadonlyMap<string, SuccessorFacts>>;

/**
 * How a passage names what supersedes its document: title and date with its source ("The U.S.
 * Conventional Arms Transfer Policy, Feb 2023 (catalog)"), from the looked-up facts or another
 * passage of that document; the bare id when neither knows it. Null when nothing supersedes it.
 */
function supersededByLabel(p: Passage, passages: readonly Passage[], known: ReadonlyMap<string, SuccessorFacts>): string | null {
  const ids = p.document.supersededBy ?? [];
  if (ids.length === 0) return null;
  return ids
    .map((id) => {
      const f = known.get(id);
      const other = passages.find((q) => q.documentId === id)?.document;
      const title = f?.title ?? other?.title;
      if (!title) return id;
      const date = f ? f.publishedOn : (other?.date ?? null);
      const source = f ? f.dateSource : (other?.dateSource ?? null);
      return date ? `${title}, ${describeDate(date, source)}` : title;
    })
    .join('; ');
}

/**
 * Exactly what is sent for an answer: the system template, then the question and fenced
 * passages. Each passage carries its document's title, date with where the date came from
 * (text or catalog), status, and what supersedes it where known, so the model can prefer
 * current documents; the warning on a superseded one is still added by code (./versions.ts).
 */
export function answerMessages(
  prompts: Prompts,
  question: string,
  passages: readonly Passage[],
  successors: ReadonlyMap<string, SuccessorFacts> = new Map(),
): ChatCompletionMessageParam[] {
  const ids = passageIds(passages);
  return [
    { role: 'system', content: prompts.answerSystem.render({}) },
    {
      role: 'user',
      content: prompts.answer.render({
        question: fenceText(question),
        passages: fencePassages(
          passages.map((p, i) => ({
            id: ids[i]!,
            document: p.document.title,
            date: p.document.date,
            dateSource: p.document.dateSource ?? (p.document.date ? 'text' : null),
            status: p.document.status ?? null,
            supersededBy: supersededByLabel(p, passages, successors),
            text: p.text,
            pages: p.pages ? (p.pages.last > p.pages.first ? `${p.pages.first}-${p.pages.last}` : `${p.pages.first}`) : null,
            section: sectionOf(p.headingPath, p.document.title),
          })),
        ),
      }),
    },
  ];
}

function toCitation(v: VerifiedCitation<Passage>): Citation {
  const p = v.passage;
  return {
    n: v.n,
    document: citedDocument(p.document),
    quote: v.quote,
    passage: p.text,
    chunkId: p.chunkId,
    score: Number(p.score.toFixed(6)),
    ...quotePlace(p, v.quote),
  };
}

export const UNVERIFIED_NOTE = "The model's answer was withheld because none of its quotes could be found in the cited documents.";

/**
 * An LLM answer over retrieved passages, verified: quotes not in their passage, citations of
 * passages that were not retrieved, and markers with nothing behind them are dropped; with no
 * verified citation left the answer abstains. Throws LlmFailure when the model is unusable.
 */
export async function llmAnswer(
  ctx: LlmContext,
  question: string,
  passages: readonly Passage[],
  options: { documents?: DocumentLookup } = {},
): Promise<Answer> {
  if (passages.length === 0) return abstention(question, 'llm');
  const ids = passageIds(passages);
  const byId = new Map(passages.map((p, i) => [ids[i]!, p]));
  const successorIds = [...new Set(passages.flatMap((p) => p.document.supersededBy ?? []))];
  const successors = successorIds.length && options.documents ? await options.documents(successorIds) : new Map<string, SuccessorFacts>();
  const out = await completeJson(ctx, {
    purpose: 'answer',
    messages: answerMessages(ctx.prompts, question, passages, successors),
    jsonSchema: ANSWER_JSON_SCHEMA,
    schema: answerOutputSchema,
  });
  if (out.abstain) {
    ctx.logger.info({ ref: ctx.ref, passages: passages.length }, 'the model abstained');
    return abstention(question, 'llm');
  }
  // Quotes are checked against the stored passage text, not the fenced copy the model saw:
  // a quote that copied a fence escape ("&lt;/passage>") gets the document's "<" back.
  const citations = out.citations.map((c) => {
    const restored = restoreFenceTags(c.quote);
    const text = byId.get(c.passageId.trim())?.text;
    return restored !== c.quote && text !== undefined && !locateQuote(c.quote, text) ? { ...c, quote: restored } : c;
  });
  const verified = verifyCitations(out.answer, citations, byId);
  for (const d of verified.dropped) {
    ctx.logger.warn({ ref: ctx.ref, reason: d.reason, n: d.n, passageId: d.passageId, quote: logExcerpt(d.quote, 200) }, 'dropped a citation from the model');
  }
  if (verified.removedMarkers.length > 0) {
    ctx.logger.warn({ ref: ctx.ref, markers: verified.removedMarkers }, 'removed citation markers with no verified citation');
  }
  if (verified.citations.length === 0) {
    return abstention(question, 'llm', citations.length > 0 || out.answer.trim() ? UNVERIFIED_NOTE : undefined);
  }
  return { question, answer: verified.text, mode: 'llm', abstained: false, citations: verified.citations.map(toCitation) };
}

// ---------------------------------------------------------------------------------------
// Follow-ups

/** Enough context to resolve "that plan" without sending a whole long thread. */
export const MAX_HISTORY_TURNS = 8;
export const MAX_TURN_CHARS = 1500;

export function rewriteMessages(prompts: Prompts, question: string, history: readonly ConversationTurn[]): ChatCompletionMessageParam[] {
  const turns = history.slice(-MAX_HISTORY_TURNS).map((t) => ({
    role: t.role,
    text: t.text.length > MAX_TURN_CHARS ? `${t.text.slice(0, MAX_TURN_CHARS)}…` : t.text,
  }));
  return [
    { role: 'system', content: prompts.rewriteSystem.render({}) },
    { role: 'user', content: prompts.rewrite.render({ history: fenceHistory(turns), question: fenceText(question) }) },
  ];
}

/** The follow-up as a standalone question, from the model. Throws LlmFailure. */
export async function rewriteFollowUp(ctx: LlmContext, question: string, history: readonly ConversationTurn[]): Promise<string> {
  const out = await completeJson(ctx, {
    purpose: 'rewrite-followup',
    messages: rewriteMessages(ctx.prompts, question, history),
    jsonSchema: STANDALONE_JSON_SCHEMA,
    schema: standaloneOutputSchema,
  });
  return out.standalone.replace(/\s+/g, ' ');
}
