import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { sentenceSpans } from '../../src/text/sentences.ts';

/**
 * A local OpenAI-compatible server for tests (and for trying the CLI by hand): real HTTP on
 * 127.0.0.1, so the real `openai` client, its timeout and its retries are what is tested.
 *
 * - POST /v1/chat/completions answers from a per-test script: a queue of replies, each a
 *   fixed reply or a function of the request (so an answer can quote the passages the app
 *   really retrieved). An empty queue falls back to `defaultChat`, or to a 500 that is
 *   counted in `unexpected` so a test notices.
 * - POST /v1/embeddings answers deterministically with hashing vectors (the app's own
 *   hashing embedder, so similar texts get similar vectors), honouring `dimensions` and
 *   `encoding_format` (the openai client asks for base64 by default).
 * - Every request is recorded, in order.
 */

export interface ChatMessage {
  role: string;
  content: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  at: number;
}

export interface ChatRequest extends RecordedRequest {
  body: {
    model: string;
    messages: ChatMessage[];
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
    [k: string]: unknown;
  };
}

export interface Reply {
  /** HTTP status; 200 by default. */
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before sending anything (the client's timeout fires first if it is shorter). */
  delayMs?: number;
  /** For a 200: the assistant message content; objects are sent as their JSON text. */
  content?: string | object;
  refusal?: string;
  finishReason?: string;
  /** Send this raw body instead of a chat completion (error bodies, broken responses). */
  rawBody?: string;
}

export type Scripted = Reply | ((req: ChatRequest) => Reply);

export const reply = {
  json: (content: object): Reply => ({ content }),
  text: (content: string): Reply => ({ content }),
  refusal: (refusal: string): Reply => ({ refusal }),
  status: (status: number, retryAfterMs = 10): Reply => ({
    status,
    headers: { 'retry-after-ms': String(retryAfterMs) },
    rawBody: JSON.stringify({ error: { message: `scripted ${status}`, type: 'server_error', code: null } }),
  }),
  hang: (delayMs: number, then: Reply = { content: {} }): Reply => ({ ...then, delayMs }),
};

export interface OpenAIStandIn {
  url: string;
  /** The base URL to give the openai client (OPENAI_BASE_URL). */
  baseUrl: string;
  requests: RecordedRequest[];
  chatRequests(): ChatRequest[];
  embeddingRequests(): RecordedRequest[];
  /** Chat requests that found the queue empty and no default, or whose script threw. */
  unexpected: number;
  /** Messages of errors thrown by scripts (a failed expect() inside a script lands here). */
  scriptErrors: string[];
  enqueue(...items: Scripted[]): void;
  /** Used when the queue is empty; null means "500 and count it as unexpected". */
  defaultChat: Scripted | null;
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let completionSeq = 0;

function chatCompletion(model: string, r: Reply): string {
  const content = r.refusal !== undefined ? null : typeof r.content === 'string' ? r.content : JSON.stringify(r.content ?? {});
  return JSON.stringify({
    id: `chatcmpl-standin-${++completionSeq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: r.refusal ?? null },
        finish_reason: r.finishReason ?? 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

function embeddingsBody(body: any, ignoreEncodingFormat: boolean): { status: number; json: unknown } {
  const inputs: unknown[] = Array.isArray(body?.input) ? body.input : [body?.input];
  if (inputs.some((t) => typeof t !== 'string')) return { status: 400, json: { error: { message: 'input must be strings', type: 'invalid_request_error' } } };
  const dims = Number.isInteger(body?.dimensions) && body.dimensions > 0 ? body.dimensions : 256;
  const embedder = new HashingEmbedder(dims);
  const data = (inputs as string[]).map((text, index) => {
    const v = embedder.embedOne(text);
    const embedding = body?.encoding_format === 'base64' && !ignoreEncodingFormat ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
    return { object: 'embedding', index, embedding };
  });
  return { status: 200, json: { object: 'list', data, model: body?.model ?? 'stand-in', usage: { prompt_tokens: 0, total_tokens: 0 } } };
}

export interface StandInOptions {
  defaultChat?: Scripted | null;
  port?: number;
  /**
   * Answer embeddings with float arrays even when base64 is asked for, as some Ollama versions
   * do; the openai client then silently decodes vectors a quarter of the size.
   */
  ignoreEncodingFormat?: boolean;
}

export async function startOpenAIStandIn(options: StandInOptions = {}): Promise<OpenAIStandIn> {
  const queue: Scripted[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state: OpenAIStandIn = {
    url: '',
    baseUrl: '',
    requests: [],
    unexpected: 0,
    scriptErrors: [],
    defaultChat: options.defaultChat ?? null,
    chatRequests: () => state.requests.filter((r) => r.path === '/v1/chat/completions') as ChatRequest[],
    embeddingRequests: () => state.requests.filter((r) => r.path === '/v1/embeddings'),
    enqueue: (...items) => void queue.push(...items),
    reset: () => {
      queue.length = 0;
      state.requests.length = 0;
      state.unexpected = 0;
      state.scriptErrors.length = 0;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      send(res, 400, JSON.stringify({ error: { message: 'request body is not JSON', type: 'invalid_request_error' } }));
      return;
    }
    const path = (req.url ?? '').split('?')[0]!;
    const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, at: Date.now() };
    state.requests.push(recorded);

    if (req.method === 'POST' && path === '/v1/embeddings') {
      const out = embeddingsBody(body, options.ignoreEncodingFormat ?? false);
      send(res, out.status, JSON.stringify(out.json));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      send(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'not_found' } }));
      return;
    }
    const next = queue.shift() ?? state.defaultChat;
    if (!next) {
      state.unexpected++;
      send(res, 500, JSON.stringify({ error: { message: 'stand-in: no scripted reply', type: 'server_error' } }), { 'x-should-retry': 'false' });
      return;
    }
    let r: Reply;
    try {
      r = typeof next === 'function' ? next(recorded as ChatRequest) : next;
    } catch (err) {
      state.unexpected++;
      state.scriptErrors.push((err as Error).message);
      send(res, 500, JSON.stringify({ error: { message: `stand-in script threw: ${(err as Error).message}`, type: 'server_error' } }), { 'x-should-retry': 'false' });
      return;
    }
    const respond = () => {
      const status = r.status ?? 200;
      const payload = r.rawBody ?? (status === 200 ? chatCompletion(body?.model ?? 'stand-in', r) : JSON.stringify({ error: { message: `status ${status}` } }));
      send(res, status, payload, r.headers);
    };
    if (r.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        respond();
      }, r.delayMs);
      timers.add(t);
    } else respond();
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.baseUrl = `${state.url}/v1`;
  return state;
}

// ---------------------------------------------------------------------------------------
// Reading what the app sent, to script answers that quote what it really retrieved.

export interface SeenPassage {
  id: string;
  document: string;
  date: string;
  text: string;
  /** Every attribute of the fence as sent (date_source, status, superseded_by, pages, section …), unescaped. */
  attributes: Record<string, string>;
}

function unescapeAttr(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function messagesOf(req: ChatRequest, role: string): string[] {
  return req.body.messages.filter((m) => m.role === role).map((m) => m.content);
}

/** The fenced passages of an answer request, as the model sees them. */
export function passagesIn(req: ChatRequest): SeenPassage[] {
  const user = messagesOf(req, 'user').join('\n');
  return [...user.matchAll(/<passage id="([^"]*)" document="([^"]*)" date="([^"]*)"((?: [a-z_]+="[^"]*")*)>\n([\s\S]*?)\n<\/passage>/g)].map((m) => ({
    id: m[1]!,
    document: m[2]!,
    date: m[3]!,
    text: m[5]!,
    attributes: Object.fromEntries([...`id="${m[1]}" document="${m[2]}" date="${m[3]}"${m[4]}`.matchAll(/([a-z_]+)="([^"]*)"/g)].map((a) => [a[1]!, unescapeAttr(a[2]!)])),
  }));
}

export function isRewriteRequest(req: ChatRequest): boolean {
  return req.body.response_format?.json_schema?.name === 'standalone_question';
}

/** The first sentence of any passage that contains `needle` (case-insensitive), with its passage id. */
export function findSentence(req: ChatRequest, needle: string): { passageId: string; quote: string } | null {
  const n = needle.toLowerCase();
  for (const p of passagesIn(req)) {
    for (const s of sentenceSpans(p.text)) {
      const sentence = p.text.slice(s.start, s.end);
      if (sentence.toLowerCase().includes(n)) return { passageId: p.id, quote: sentence };
    }
  }
  return null;
}

/**
 * A plausible model for hand testing: rewrites a follow-up by prefixing the last user turn,
 * and answers by quoting the first sentence of the best-ranked passage.
 */
export const naiveModel = (req: ChatRequest): Reply => {
  const user = messagesOf(req, 'user').join('\n');
  if (isRewriteRequest(req)) {
    const turns = [...user.matchAll(/<turn role="user">\n([\s\S]*?)\n<\/turn>/g)].map((m) => m[1]!);
    const q = /<question>\n([\s\S]*?)\n<\/question>/.exec(user)?.[1] ?? '';
    return reply.json({ standalone: `${turns.at(-1) ?? ''} ${q}`.trim() });
  }
  const first = passagesIn(req)[0];
  const span = first ? sentenceSpans(first.text)[0] : undefined;
  if (!first || !span) return reply.json({ answer: '', abstain: true, citations: [] });
  const quote = first.text.slice(span.start, span.end);
  return reply.json({ answer: `According to "${first.document}": ${quote} [1]`, abstain: false, citations: [{ n: 1, passageId: first.id, quote }] });
};

// `npx tsx test/helpers/openai-stand-in.ts [port]` serves the naive model for trying the CLI by hand.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const standIn = await startOpenAIStandIn({ defaultChat: naiveModel, port: Number(process.argv[2] ?? 0) });
  process.stdout.write(`OpenAI stand-in listening; set OPENAI_BASE_URL=${standIn.baseUrl}\n`);
}
