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
  /** Message metadata (chat.postMessage `metadata`), returned by conversations.replies with include_all_metadata. */
  metadata?: unknown;
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
  /** Top-level messages the app posted, by channel, oldest first (conversations.history). */
  private readonly history = new Map<string, StoredMessage[]>();
  private readonly held = new Map<string, Promise<void>>();
  /** Methods answering 429 until a performance.now() deadline (see rateLimit). */
  private readonly limited = new Map<string, { until: number; retryAfter: number }>();
  private base = '';
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  /** users.info and team.info answers, by id (see addUsers). */
  private readonly users = new Map<
    string,
    { id: string; name: string; real_name: string; team_id: string; display_name: string; email?: string; is_stranger?: boolean; is_bot?: boolean }
  >();
  /** conversations.info answers, by channel id (see setChannel). */
  private readonly channels = new Map<string, { id: string; name: string; is_private: boolean; is_ext_shared: boolean }>();
  /** usergroups.users.list answers, by user group id. */
  private readonly usergroups = new Map<string, string[]>();
  /** Files for files.info and their downloads (url_private_download, bot token required). */
  private readonly files = new Map<string, { id: string; name: string; mimetype: string; content: Buffer; mode?: string }>();
  /** Files the app uploaded (files.getUploadURLExternal, the upload itself, files.completeUploadExternal). */
  readonly uploads = new Map<string, { filename: string; content: Buffer | null; channel?: string; initialComment?: string; title?: string }>();
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
  /** A message ts like Slack's: the current second, and a sequence number that keeps them unique and increasing. */
  nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  failNext(method: string, failure: ScriptedFailure): void {
    const list = this.failures.get(method) ?? [];
    list.push(failure);
    this.failures.set(method, list);
  }

  /**
   * Answers every call of `method` with HTTP 429 and `Retry-After: retryAfter` for the next `ms`
   * milliseconds, as Slack does when an app goes over a method's rate tier.
   */
  rateLimit(method: string, ms: number, retryAfter = 1): void {
    this.limited.set(method, { until: performance.now() + ms, retryAfter });
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
  addUsers(people: Array<{ id: string; name: string; teamId: string; teamName?: string; email?: string; isStranger?: boolean; isBot?: boolean }>): void {
    for (const p of people) {
      this.users.set(p.id, {
        id: p.id,
        name: p.name.toLowerCase().replace(/\s+/g, '.'),
        real_name: p.name,
        display_name: p.name,
        team_id: p.teamId,
        ...(p.email ? { email: p.email } : {}),
        ...(p.isStranger !== undefined ? { is_stranger: p.isStranger } : {}),
        ...(p.isBot !== undefined ? { is_bot: p.isBot } : {}),
      });
      if (p.teamName) this.teams.set(p.teamId, p.teamName);
    }
  }

  /** A channel for conversations.info. */
  setChannel(id: string, info: { name: string; isPrivate: boolean; isExtShared?: boolean }): void {
    this.channels.set(id, { id, name: info.name, is_private: info.isPrivate, is_ext_shared: info.isExtShared ?? false });
  }

  /** The members of a user group for usergroups.users.list. */
  setUsergroup(id: string, userIds: string[]): void {
    this.usergroups.set(id, [...userIds]);
  }

  /** A file shared in Slack: files.info describes it, its url_private_download serves `content` to the bot token. */
  addFile(file: { id: string; name: string; mimetype: string; content: Buffer; mode?: string }): Record<string, unknown> {
    this.files.set(file.id, file);
    return this.fileObject(file.id)!;
  }

  /** A file object as Slack puts it in payloads and files.info. */
  fileObject(id: string): Record<string, unknown> | null {
    const f = this.files.get(id);
    if (!f) return null;
    return {
      id: f.id,
      name: f.name,
      title: f.name,
      mimetype: f.mimetype,
      size: f.content.byteLength,
      ...(f.mode ? { mode: f.mode } : {}),
      url_private: `${this.base}/files-pri/${f.id}/${encodeURIComponent(f.name)}`,
      url_private_download: `${this.base}/files-pri/${f.id}/download/${encodeURIComponent(f.name)}`,
      permalink: `https://policy-desk-test.slack.com/files/${STAND_IN_BOT.userId}/${f.id}/${encodeURIComponent(f.name)}`,
    };
  }

  setMembers(channel: string, userIds: string[]): void {
    this.members.set(channel, new Set(userIds));
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && c.body.__failed !== true);
  }

  /** Top-level messages posted in a channel (a DM, the review channel), oldest first. */
  channelHistory(channel: string): StoredMessage[] {
    return [...(this.history.get(channel) ?? [])];
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

  /** Downloads need the bot token, as Slack's do; uploads are multipart with the file in the "body" field (as filesUploadV2 sends it). */
  private handleFile(req: IncomingMessage, res: ServerResponse, url: URL, bytes: Buffer, at: number): void {
    const send = (status: number, body: Buffer | string, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (url.pathname.startsWith('/files-pri/')) {
      const id = url.pathname.split('/')[2] ?? '';
      const f = this.files.get(id);
      const authorized = req.headers.authorization === `Bearer ${this.expectedToken}`;
      // failNext('file_download', { status: 503 }): Slack's file host having a bad moment.
      const scripted = this.failures.get('file_download')?.shift();
      if (scripted) {
        this.calls.push({ method: 'file_download', body: { file: id, authorized, __failed: true }, headers: req.headers, at, status: scripted.status ?? 500 });
        return send(scripted.status ?? 500, 'unavailable');
      }
      this.calls.push({ method: 'file_download', body: { file: id, authorized }, headers: req.headers, at, status: authorized && f ? 200 : 403 });
      // Slack answers an unauthenticated download with its sign-in page, not an error.
      if (!authorized || !f) return send(200, '<html><body>Sign in to Slack</body></html>', 'text/html');
      return send(200, f.content, f.mimetype);
    }
    const id = url.pathname.split('/')[2] ?? '';
    const upload = this.uploads.get(id);
    this.calls.push({ method: 'file_upload', body: { file: id, bytes: bytes.byteLength }, headers: req.headers, at, status: upload ? 200 : 404 });
    if (!upload) return send(404, 'unknown upload');
    upload.content = multipartField(bytes, String(req.headers['content-type'] ?? ''), 'body') ?? bytes;
    return send(200, 'OK - 200');
  }

  /** The bot token downloads must carry (TEST_BOT_TOKEN in slack-requests.ts). */
  expectedToken = 'xoxb-0000000000-test-token';

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    // A file download (url_private_download) or an upload (the URL files.getUploadURLExternal gave).
    if (url.pathname.startsWith('/files-pri/') || url.pathname.startsWith('/upload/')) return this.handleFile(req, res, url, bytes, at);
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const respond = url.pathname.match(/^\/respond\/(.+)$/);
    const method = respond ? 'response_url' : url.pathname.replace(/^\/api\//, '');
    const call: RecordedCall = { method, body, headers: req.headers, at, status: 200, ...(respond ? { responseId: respond[1] } : {}) };

    const limit = this.limited.get(method);
    const scripted = this.failures.get(method)?.shift() ?? (limit && at < limit.until ? { status: 429, retryAfter: limit.retryAfter } : undefined);
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
        const message: StoredMessage = {
          ts,
          user: STAND_IN_BOT.userId,
          bot_id: STAND_IN_BOT.botId,
          text: String(body.text ?? ''),
          blocks: body.blocks,
          ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        };
        if (threadTs) this.addThreadMessages(channel, threadTs, [{ ...message, thread_ts: threadTs }]);
        else this.history.set(channel, [...(this.history.get(channel) ?? []), message]);
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
        return reply({
          ok: true,
          user: {
            id: u.id,
            name: u.name,
            real_name: u.real_name,
            team_id: u.team_id,
            ...(u.is_stranger !== undefined ? { is_stranger: u.is_stranger } : {}),
            ...(u.is_bot !== undefined ? { is_bot: u.is_bot } : {}),
            profile: { display_name: u.display_name, real_name: u.real_name, team: u.team_id, ...(u.email ? { email: u.email } : {}) },
          },
        });
      }
      case 'conversations.open':
        return reply({ ok: true, channel: { id: `D${String(body.users ?? '').split(',')[0]}` } });
      case 'conversations.info': {
        const c = this.channels.get(String(body.channel));
        if (!c) return reply({ ok: false, error: 'channel_not_found' });
        return reply({ ok: true, channel: c });
      }
      case 'usergroups.users.list': {
        const members = this.usergroups.get(String(body.usergroup));
        if (!members) return reply({ ok: false, error: 'no_such_subteam' });
        return reply({ ok: true, users: members });
      }
      case 'files.info': {
        const f = this.fileObject(String(body.file));
        if (!f) return reply({ ok: false, error: 'file_not_found' });
        return reply({ ok: true, file: f });
      }
      case 'files.getUploadURLExternal': {
        const fileId = `FUP${String(++this.seq).padStart(7, '0')}`;
        this.uploads.set(fileId, { filename: String(body.filename ?? ''), content: null });
        return reply({ ok: true, upload_url: `${this.base}/upload/${fileId}`, file_id: fileId });
      }
      case 'files.completeUploadExternal': {
        const files = (Array.isArray(body.files) ? body.files : []) as Array<{ id: string; title?: string }>;
        for (const f of files) {
          const u = this.uploads.get(f.id);
          if (!u || u.content === null) return reply({ ok: false, error: 'file_not_found' });
          Object.assign(u, {
            title: f.title,
            ...(typeof body.channel_id === 'string' ? { channel: body.channel_id } : {}),
            ...(typeof body.initial_comment === 'string' ? { initialComment: body.initial_comment } : {}),
          });
        }
        return reply({ ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) });
      }
      case 'views.update':
      case 'views.push':
      case 'views.publish':
        return reply({ ok: true, view: { id: String(body.view_id ?? `V${String(++this.seq).padStart(8, '0')}`), ...(body.view as object) } });
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
        const withRoot = this.repeatRootInPages && start > 0 ? [all[0]!, ...page] : page;
        // Like Slack, metadata only when asked for.
        const withMeta = body.include_all_metadata === 'true' || body.include_all_metadata === true;
        const messages = withMeta ? withRoot : withRoot.map(({ metadata: _m, ...m }) => m);
        return reply({ ok: true, messages, has_more: next !== '', response_metadata: { next_cursor: next } });
      }
      case 'conversations.history': {
        // Like Slack: newest first, messages after `oldest` only, paged by cursor, metadata when asked for.
        const oldest = Number(body.oldest ?? 0);
        const all = (this.history.get(String(body.channel)) ?? []).filter((m) => Number(m.ts) > oldest).reverse();
        const limit = Math.max(1, Number(body.limit ?? 100));
        const start = body.cursor ? Number(String(body.cursor).replace('c', '')) : 0;
        const next = start + limit < all.length ? `c${start + limit}` : '';
        const withMeta = body.include_all_metadata === 'true' || body.include_all_metadata === true;
        const page = all.slice(start, start + limit).map((m) => (withMeta ? m : (({ metadata: _m, ...rest }) => rest)(m)));
        return reply({ ok: true, messages: page, has_more: next !== '', response_metadata: { next_cursor: next } });
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** One field of a multipart/form-data body, as bytes. */
function multipartField(body: Buffer, contentType: string, name: string): Buffer | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0 && new RegExp(`name="${name}"`).test(part.subarray(0, headerEnd).toString('utf8'))) return Buffer.from(part.subarray(headerEnd + 4));
    start = next;
  }
  return null;
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
