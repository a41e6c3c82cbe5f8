import { z } from 'zod';
import type { ThreadMessage } from './thread.ts';

/**
 * Slack's message shape as conversations.replies returns it (and as a JSON export of it stores
 * it), turned into the summarizer's input. Shared by the Slack app and `policy-desk
 * summarize-thread --file`; no Slack SDK here, only the wire format.
 */

export const slackFileSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().optional(),
    title: z.string().optional(),
    permalink: z.string().optional(),
    mode: z.string().optional(),
    mimetype: z.string().optional(),
    url_private: z.string().optional(),
    url_private_download: z.string().optional(),
    /** Not Slack's: an export may say where its copy of the file is. */
    local_path: z.string().optional(),
  })
  .passthrough();

export const slackMessageSchema = z
  .object({
    type: z.string().optional(),
    ts: z.string(),
    thread_ts: z.string().optional(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    app_id: z.string().optional(),
    subtype: z.string().optional(),
    username: z.string().optional(),
    text: z.string().optional().default(''),
    user_profile: z.object({ real_name: z.string().optional(), display_name: z.string().optional(), name: z.string().optional() }).passthrough().optional(),
    edited: z.object({ user: z.string().optional(), ts: z.string().optional() }).passthrough().optional(),
    files: z.array(slackFileSchema).optional(),
    reactions: z.array(z.object({ name: z.string(), users: z.array(z.string()).optional().default([]), count: z.number().optional() }).passthrough()).optional(),
    permalink: z.string().optional(),
  })
  .passthrough();
export type SlackRawMessage = z.infer<typeof slackMessageSchema>;

export const repliesPageSchema = z
  .object({
    messages: z.array(slackMessageSchema).optional().default([]),
    has_more: z.boolean().optional(),
    response_metadata: z.object({ next_cursor: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

export interface Person {
  name: string;
  organization?: string;
}

/** Subtypes that are not someone saying something: joins, topic changes, pins, deletions. */
const SYSTEM_SUBTYPES = new Set([
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'group_join',
  'group_leave',
  'pinned_item',
  'unpinned_item',
  'reminder_add',
]);

/**
 * Slack mrkdwn as people read it: `<@U123>` becomes "@Dana Reyes", `<#C1|policy>` "#policy",
 * `<https://x|label>` "label (https://x)", `<!here>` "@here", and the three escapes are undone.
 */
export function slackPlainText(text: string, people: ReadonlyMap<string, Person> = new Map()): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => `@${people.get(id)?.name ?? label ?? id}`)
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_, label?: string) => label ?? '@group')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(mailto:)?([^|>]+)\|([^>]+)>/g, (_, mailto: string | undefined, url: string, label: string) => (mailto || label === url ? label : `${label} (${url})`))
    .replace(/<([a-z]+:[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/**
 * User ids the summary will show: authors of people's messages and everyone those mention (for
 * one users.info per person). Bots and deleted messages are not summarized, so not looked up.
 */
export function userIdsIn(messages: readonly SlackRawMessage[], botUserId?: string): string[] {
  const ids = new Set<string>();
  for (const m of messages) {
    if (m.subtype === 'tombstone' || m.subtype === 'message_deleted' || m.subtype === 'bot_message' || m.bot_id || (botUserId && m.user === botUserId)) continue;
    if (m.user) ids.add(m.user);
    for (const x of (m.text ?? '').matchAll(/<@([UW][A-Z0-9]+)/g)) ids.add(x[1]!);
  }
  return [...ids].sort();
}

export interface MessageLink {
  channel: string;
  ts: string;
  /** The thread's root when the link is to a reply (Slack adds ?thread_ts=...). */
  threadTs?: string;
  /** Scheme and host, e.g. "https://acme.slack.com". */
  origin: string;
}

/** A Slack message link: https://<workspace>.slack.com/archives/<channel>/p<ts without the dot>[?thread_ts=...]. */
export function parseMessageLink(link: string): MessageLink | null {
  let url: URL;
  try {
    url = new URL(link.trim().replace(/^<|>$/g, '').split('|')[0]!);
  } catch {
    return null;
  }
  const m = /\/archives\/([CGD][A-Z0-9]+)\/p(\d{10})(\d{6})\b/.exec(url.pathname);
  if (!m || !/^https?:$/.test(url.protocol)) return null;
  const threadTs = url.searchParams.get('thread_ts') ?? undefined;
  return {
    channel: m[1]!,
    ts: `${m[2]}.${m[3]}`,
    ...(threadTs && /^\d{10}\.\d{6}$/.test(threadTs) ? { threadTs } : {}),
    origin: url.origin,
  };
}

/** The permalink Slack gives a message: the root plainly, a reply with its thread and channel. */
export function messagePermalink(origin: string, channel: string, ts: string, threadTs?: string): string {
  const base = `${origin.replace(/\/+$/, '')}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

export function compareSlackTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

export interface ConvertOptions {
  people?: ReadonlyMap<string, Person>;
  /** The message's permalink, when it can be known. */
  permalink?: (ts: string) => string | undefined;
  /** This app's ids: its own messages (earlier summaries, answers) are bot messages. */
  botUserId?: string;
  botId?: string;
}

/** conversations.replies messages, oldest first, as the summarizer's input. */
export function toThreadMessages(raw: readonly SlackRawMessage[], options: ConvertOptions = {}): ThreadMessage[] {
  const people = options.people ?? new Map<string, Person>();
  const out: ThreadMessage[] = [];
  const seen = new Set<string>();
  // Oldest first, compared exactly: as floats, Slack timestamps lose their last digits.
  const ordered = [...raw].sort((a, b) => compareSlackTs(a.ts, b.ts));
  for (const m of ordered) {
    // Pages can overlap when a thread grows while it is read.
    if (seen.has(m.ts)) continue;
    seen.add(m.ts);
    if (m.subtype && SYSTEM_SUBTYPES.has(m.subtype)) continue;
    const deleted = m.subtype === 'tombstone' || m.subtype === 'message_deleted';
    const isBot =
      Boolean(m.bot_id) || m.subtype === 'bot_message' || (options.botUserId !== undefined && m.user === options.botUserId) || (options.botId !== undefined && m.bot_id === options.botId);
    const person = m.user ? people.get(m.user) : undefined;
    const userName = person?.name ?? m.user_profile?.display_name ?? m.user_profile?.real_name ?? m.username ?? m.user ?? 'unknown';
    const files = deleted
      ? []
      : (m.files ?? [])
          .filter((f) => f.mode !== 'tombstone')
          .map((f) => {
            const url = f.url_private_download ?? f.url_private;
            return {
              name: f.name ?? f.title ?? 'file',
              ...(f.title ? { title: f.title } : {}),
              ...(f.permalink ? { permalink: f.permalink } : {}),
              ...(f.id ? { id: f.id } : {}),
              ...(f.mimetype ? { mimetype: f.mimetype } : {}),
              ...(url ? { url } : {}),
              ...(f.local_path ? { localPath: f.local_path } : {}),
            };
          });
    const mentions = deleted ? [] : [...new Set([...(m.text ?? '').matchAll(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g)].map((x) => x[1]!))].map((id) => ({ id, name: people.get(id)?.name ?? id }));
    const reactions = deleted ? [] : (m.reactions ?? []).map((r) => ({ name: r.name, users: [...r.users] }));
    const link = m.permalink ?? options.permalink?.(m.ts);
    out.push({
      ts: m.ts,
      userId: m.user ?? null,
      userName: userName.trim() || 'unknown',
      ...(person?.organization ? { organization: person.organization } : {}),
      text: deleted ? '' : slackPlainText(m.text ?? '', people),
      ...(link ? { permalink: link } : {}),
      isBot,
      edited: Boolean(m.edited),
      deleted,
      files,
      ...(mentions.length ? { mentions } : {}),
      ...(reactions.length ? { reactions } : {}),
    });
  }
  return out;
}

/**
 * A JSON export of a thread: one conversations.replies response ({messages: [...]}), a list of
 * such pages, or a bare list of messages. Optional top-level `channel`, `permalink_base`
 * ("https://acme.slack.com") and `users` ({"U123": {"name": "...", "organization": "..."}}).
 */
export const threadExportSchema = z.union([
  z
    .object({
      channel: z.string().optional(),
      permalink_base: z.string().url().optional(),
      users: z.record(z.string(), z.object({ name: z.string(), organization: z.string().optional() })).optional(),
      messages: z.array(slackMessageSchema).optional(),
      pages: z.array(repliesPageSchema).optional(),
    })
    .passthrough(),
  z.array(z.union([repliesPageSchema.extend({ messages: z.array(slackMessageSchema) }), slackMessageSchema])),
]);

export interface ThreadExport {
  messages: SlackRawMessage[];
  channel?: string;
  permalinkBase?: string;
  people: Map<string, Person>;
}

export function readThreadExport(json: unknown): ThreadExport | { error: string } {
  const parsed = threadExportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `not a conversations.replies export (${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'unknown shape'})` };
  }
  const v = parsed.data;
  if (Array.isArray(v)) {
    const messages = v.flatMap((x) => ('messages' in x && Array.isArray(x.messages) ? (x.messages as SlackRawMessage[]) : [x as SlackRawMessage]));
    return { messages, people: new Map() };
  }
  const messages = [...(v.messages ?? []), ...(v.pages ?? []).flatMap((p) => p.messages)];
  return {
    messages,
    ...(v.channel ? { channel: v.channel } : {}),
    ...(v.permalink_base ? { permalinkBase: v.permalink_base } : {}),
    people: new Map(Object.entries(v.users ?? {}).map(([id, p]) => [id, { name: p.name, ...(p.organization ? { organization: p.organization } : {}) }])),
  };
}
