import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One request the stand-in received: a Web API method call or a post to a response_url. */
export interface RecordedCall {
  /** `chat.postMessage`, ... or `response_url` for posts to /respond/<id>. */
  method: string;
  /** The path after /respond/ for response_url posts. */
  responseId?: string;
  /** Form fields or JSON body; JSON-encoded form fields (blocks, prompts, view) are decoded. */
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** performance.now() when the request arrived. */
  at: number;
  status: number;
}

export interface ScriptedFailure {
  /** HTTP status (429 for rate limiting) or a Slack platform error with HTTP 200. */
  status?: number;
  retryAfter?: number;
  error?: string;
}

export interface StoredMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  text: string;
  thread_ts?: string;
  subtype?: string;
  blocks?: unknown;
}

export const STAND_IN_BOT = { userId: 'UPOLICYBOT', botId: 'BPOLICYBOT', teamId: 'TPOLICY', appId: 'APOLICY' } as const;

/**
 * A local stand-in for Slack's Web API (and response_urls) on 127.0.0.1 with a random port. It
 * answers like Slack for the methods the app uses, keeps posted messages per thread so
 * conversations.replies returns them (paged), records every call, and can be scripted to fail
 * (a 429 with Retry-After, or a platform error) for the next call of a method.
 */
export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  private server: Server | null = null;
  private seq = 0;
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private readonly threads = new Map<string, StoredMessage[]>();
  private readonly held = new Map<string, Promise<void>>();
  private base = '';
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  /** users.info and team.info answers, by id (see addUsers). */
  private readonly users = new Map<string, { id: string; name: string; real_name: string; team_id: string; display_name: string }>();
  private readonly teams = new Map<string, string>();
  /** Channels whose members are known: chat.postEphemeral to anyone else fails with user_not_in_channel. */
  private readonly members = new Map<string, Set<string>>();
  /** Like Slack, repeat the thread's parent message at the top of every conversations.replies page. */
  repeatRootInPages = false;
  /** Envelope acks the app sent back over Socket Mode: envelope_id and optional payload. */
  readonly socketAcks: Array<{ envelope_id: string; payload?: unknown; at: number }> = [];

  /** The Web API base URL to give the app as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response_url that records posts under `id`. */
  responseUrl(id: string): string {
    return `${this.base}/respond/${id}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Socket Mode: apps.connections.open hands out ws://.../socket; the app connects here.
    this.wss = new WebSocketServer({ server: this.server, path: '/socket' });
    this.wss.on('connection', (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id: string; payload?: unknown };
        this.socketAcks.push({ ...msg, at: performance.now() });
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'stand-in' }, connection_info: { app_id: STAND_IN_BOT.appId } }));
    });
    // Keep-alive sockets from the app's HTTP agent must not hold close() open.
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** How many Socket Mode connections are open. */
  get socketConnections(): number {
    return this.sockets.size;
  }

  /**
   * Sends a Socket Mode envelope to every connected app, as Slack does: `events_api` (payload =
   * the event_callback body), `slash_commands` or `interactive` (payload = the form's fields).
   */
  sendEnvelope(envelope: { envelope_id: string; type: 'events_api' | 'slash_commands' | 'interactive'; payload: unknown; retry_attempt?: number; retry_reason?: string }): number {
    const msg = JSON.stringify({ accepts_response_payload: envelope.type !== 'events_api', retry_attempt: 0, retry_reason: '', ...envelope });
    for (const ws of this.sockets) ws.send(msg);
    return performance.now();
  }

  /** A Slack-shaped timestamp, increasing. */
  nextTs(): string {
    this.seq += 1;
    return `1760000000.${String(this.seq).padStart(6, '0')}`;
  }

  failNext(method: string, failure: ScriptedFailure): void {
    const list = this.failures.get(method) ?? [];
    list.push(failure);
    this.failures.set(method, list);
  }

  /**
   * Holds every request for `method` (recorded on arrival, answered on release), e.g. to show that
   * the app acknowledged Slack while its reply was still on the way.
   */
  hold(method: string): () => void {
    let release!: () => void;
    this.held.set(method, new Promise<void>((r) => (release = r)));
    return () => {
      this.held.delete(method);
      release();
    };
  }

  /** Seeds a thread (e.g. earlier turns of a DM conversation) for conversations.replies. */
  addThreadMessages(channel: string, threadTs: string, messages: StoredMessage[]): void {
    const key = `${channel}/${threadTs}`;
    this.threads.set(key, [...(this.threads.get(key) ?? []), ...messages]);
  }

  /** People for users.info (and their workspaces for team.info). */
  addUsers(people: Array<{ id: string; name: string; teamId: string; teamName?: string }>): void {
    for (const p of people) {
      this.users.set(p.id, { id: p.id, name: p.name.toLowerCase().replace(/\s+/g, '.'), real_name: p.name, display_name: p.name, team_id: p.teamId });
      if (p.teamName) this.teams.set(p.teamId, p.teamName);
    }
  }

  setMembers(channel: string, userIds: string[]): void {
    this.members.set(channel, new Set(userIds));
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && c.body.__failed !== true);
  }

  clear(): void {
    this.calls.length = 0;
  }

  /** Polls the recorded calls until `predicate` holds; fails after `timeoutMs`. */
  async waitFor<T>(what: string, predicate: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (performance.now() > deadline) {
        const seen = this.calls.map((c) => c.method).join(', ') || 'none';
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; calls seen: ${seen}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.base);
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const respond = url.pathname.match(/^\/respond\/(.+)$/);
    const method = respond ? 'response_url' : url.pathname.replace(/^\/api\//, '');
    const call: RecordedCall = { method, body, headers: req.headers, at, status: 200, ...(respond ? { responseId: respond[1] } : {}) };

    const scripted = this.failures.get(method)?.shift();
    if (scripted) {
      call.status = scripted.status ?? 200;
      call.body = { ...body, __failed: true };
      this.calls.push(call);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (scripted.retryAfter !== undefined) headers['retry-after'] = String(scripted.retryAfter);
      res.writeHead(call.status, headers);
      res.end(JSON.stringify({ ok: false, error: scripted.error ?? (call.status === 429 ? 'ratelimited' : 'internal_error') }));
      return;
    }
    this.calls.push(call);
    const gate = this.held.get(method);
    if (gate) await gate;
    const reply = (payload: Record<string, unknown>) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (respond) return reply({ ok: true });

    switch (method) {
      case 'auth.test':
        return reply({
          ok: true,
          url: 'https://policy-desk-test.slack.com/',
          team: 'Policy Desk Test',
          user: 'policy-desk',
          team_id: STAND_IN_BOT.teamId,
          user_id: STAND_IN_BOT.userId,
          bot_id: STAND_IN_BOT.botId,
          is_enterprise_install: false,
        });
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const channel = String(body.channel ?? '');
        const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
        const message: StoredMessage = { ts, user: STAND_IN_BOT.userId, bot_id: STAND_IN_BOT.botId, text: String(body.text ?? ''), blocks: body.blocks };
        if (threadTs) this.addThreadMessages(channel, threadTs, [{ ...message, thread_ts: threadTs }]);
        return reply({ ok: true, channel, ts, message });
      }
      case 'apps.connections.open':
        return reply({ ok: true, url: `${this.base.replace(/^http/, 'ws')}/socket` });
      case 'chat.postEphemeral': {
        const members = this.members.get(String(body.channel));
        if (members && !members.has(String(body.user))) return reply({ ok: false, error: 'user_not_in_channel' });
        return reply({ ok: true, message_ts: this.nextTs() });
      }
      case 'chat.update':
        return reply({ ok: true, channel: body.channel, ts: body.ts, text: body.text });
      case 'chat.delete':
        return reply({ ok: true, channel: body.channel, ts: body.ts });
      case 'chat.getPermalink':
        return reply({ ok: true, channel: body.channel, permalink: `https://policy-desk-test.slack.com/archives/${String(body.channel)}/p${String(body.message_ts).replace('.', '')}` });
      case 'users.info': {
        const u = this.users.get(String(body.user));
        if (!u) return reply({ ok: false, error: 'user_not_found' });
        return reply({ ok: true, user: { id: u.id, name: u.name, real_name: u.real_name, team_id: u.team_id, profile: { display_name: u.display_name, real_name: u.real_name, team: u.team_id } } });
      }
      case 'team.info': {
        const id = String(body.team ?? STAND_IN_BOT.teamId);
        const name = this.teams.get(id);
        if (!name) return reply({ ok: false, error: 'team_not_found' });
        return reply({ ok: true, team: { id, name, domain: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') } });
      }
      case 'views.open':
        return reply({ ok: true, view: { id: `V${String(++this.seq).padStart(8, '0')}`, ...(body.view as object) } });
      case 'conversations.replies': {
        const key = `${String(body.channel)}/${String(body.ts)}`;
        const all = this.threads.get(key) ?? [];
        const limit = Math.max(1, Number(body.limit ?? 100));
        const start = body.cursor ? Number(String(body.cursor).replace('c', '')) : 0;
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? `c${start + limit}` : '';
        if (all.length === 0) return reply({ ok: false, error: 'thread_not_found' });
        const messages = this.repeatRootInPages && start > 0 ? [all[0]!, ...page] : page;
        return reply({ ok: true, messages, has_more: next !== '', response_metadata: { next_cursor: next } });
      }
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle':
        return reply({ ok: true });
      default:
        return reply({ ok: false, error: 'unknown_method' });
    }
  }
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  return new SlackStandIn().start();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The Web API client sends forms whose object fields are JSON strings; response_urls get JSON. */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? tryJson(v) : v;
  }
  return out;
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
