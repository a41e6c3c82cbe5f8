import type { RespondFn, webApi } from '@slack/bolt';
import { AppError } from '../errors.ts';
import { parseMessageLink, type MessageLink } from '../summarize/replies.ts';
import { summarizeThread } from '../summarize/thread.ts';
import type { Summary, SummaryProgress } from '../summarize/types.ts';
import type { SlackDeps } from './deps.ts';
import { truncate } from './limits.ts';
import { peopleFor } from './people.ts';
import { channelPoster as channelPosterFor, type Poster } from './post.ts';
import { slackThreadFiles } from './thread-files.ts';
import { readSlackThread } from './thread-reader.ts';
import { noticeMessage, type SlackMessage } from './views/message.ts';
import { summaryMessages } from './views/summary.ts';

/**
 * The Slack side of a thread summary, shared by the message shortcut, /summarize, mentions and
 * DMs: read the thread (all pages, names from the cache), show a status line while working,
 * summarize with the same summarizeThread() as the CLI, and deliver the blocks.
 */

export const SUMMARIZE_USAGE =
  'To summarize a thread: use the message shortcut *Summarize this thread* on any message in it, run `/summarize <message link>` (add `private` to see the summary yourself only), or mention me inside the thread with "summarize this thread".';

export interface SummarizeIntent {
  link?: MessageLink;
  private: boolean;
}

const PRIVATE = /\b(?:private(?:ly)?|only (?:to |for )?me|just (?:to |for )?me|for my eyes only|ephemeral(?:ly)?|don'?t post)\b/i;
const LINK = /<?(https?:\/\/[^\s<>|]+\/archives\/[^\s<>|]+)(?:\|[^>]*)?>?/;

/**
 * Whether a message asks for a summary: it starts with "summarize" (or "sum up", "tl;dr"), or
 * says "summarize this thread" anywhere, or pairs "summarize" with a message link. A question
 * that merely contains the word ("how does the policy summarize ...?") is not a request.
 */
export function parseSummarizeText(text: string): SummarizeIntent | null {
  const t = text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ').trim();
  const linkMatch = LINK.exec(t);
  const link = linkMatch ? (parseMessageLink(linkMatch[1]!) ?? undefined) : undefined;
  const asks =
    /^(?:please\s+|can you\s+|could you\s+)?(?:summari[sz]e|sum up|tl;?dr|give me a summary|write a summary)\b/i.test(t) ||
    /\bsummari[sz]e\s+(?:this|the|that)\s+(?:thread|conversation|discussion)\b/i.test(t) ||
    /\bsummary of (?:this|the|that) (?:thread|conversation|discussion)\b/i.test(t) ||
    (link !== undefined && /\bsummar/i.test(t));
  if (!asks) return null;
  return { ...(link ? { link } : {}), private: PRIVATE.test(t.replace(LINK, ' ')) };
}

// ---------------------------------------------------------------------------------------
// Status lines: what the person sees while the thread is read and summarized.

export interface StatusLine {
  /** Shows or replaces the status; best effort. */
  update(text: string): Promise<void>;
  clear(): Promise<void>;
  /** How often progress may be shown, ms; 0 means only the first status. */
  progressEveryMs: number;
}

/** The assistant pane's status under the thread, read after the app's name: "Policy Desk is summarizing 300 messages…". */
export function assistantStatus(setStatus: (status: string) => Promise<unknown>): StatusLine {
  return {
    update: async (text) => void (await setStatus(`is ${truncate(text.charAt(0).toLowerCase() + text.slice(1), 80)}`).catch(() => undefined)),
    clear: async () => void (await setStatus('').catch(() => undefined)),
    progressEveryMs: 3000,
  };
}

/**
 * An ephemeral status through a response_url, replaced in place. A response_url takes five
 * posts, so the status changes at most twice; the summary (or a pointer to it) replaces it.
 */
export function responseUrlStatus(respond: RespondFn): StatusLine & { used: () => number } {
  let uses = 0;
  return {
    update: async (text) => {
      if (uses >= 2) return;
      uses++;
      await respond({ response_type: 'ephemeral', replace_original: uses > 1, text }).catch(() => undefined);
    },
    clear: async () => undefined,
    progressEveryMs: 0,
    used: () => uses,
  };
}

/** A status message in the thread itself, updated with progress and deleted when the summary is posted. */
export function threadMessageStatus(client: webApi.WebClient, channel: string, threadTs: string): StatusLine {
  let ts: string | undefined;
  return {
    update: async (text) => {
      try {
        if (ts) await client.chat.update({ channel, ts, text });
        else ts = ((await client.chat.postMessage({ channel, thread_ts: threadTs, text })) as { ts?: string }).ts;
      } catch {
        // A status is a nicety; the summary still comes.
      }
    },
    clear: async () => {
      if (!ts) return;
      await client.chat.delete({ channel, ts }).catch(() => undefined);
      ts = undefined;
    },
    progressEveryMs: 5000,
  };
}

/** An ephemeral status for one person in a thread: shown once, since ephemeral messages cannot be edited by the app. */
export function ephemeralStatus(client: webApi.WebClient, channel: string, user: string, threadTs?: string): StatusLine {
  let shown = false;
  return {
    update: async (text) => {
      if (shown) return;
      shown = true;
      await client.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }).catch(() => undefined);
    },
    clear: async () => undefined,
    progressEveryMs: 0,
  };
}

export const noStatus: StatusLine = { update: async () => undefined, clear: async () => undefined, progressEveryMs: 0 };

// ---------------------------------------------------------------------------------------
// Delivery

/** Ephemeral messages to one person in a conversation (and thread). */
export function ephemeralPoster(client: webApi.WebClient, channel: string, user: string, threadTs?: string): Poster {
  return async (messages) => {
    for (const m of Array.isArray(messages) ? messages : [messages]) {
      await client.chat.postEphemeral({ channel, user, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
    }
  };
}

/** Through a response_url: the first message replaces the status line, the rest follow it. */
export function responseUrlPoster(respond: RespondFn, replaceFirst: () => boolean): Poster {
  return async (messages) => {
    const list = Array.isArray(messages) ? messages : [messages];
    const replace = replaceFirst();
    for (const [i, m] of list.entries()) {
      await respond({ response_type: 'ephemeral', replace_original: replace && i === 0, text: m.text, blocks: m.blocks });
    }
  };
}

/**
 * The person asking must be able to see the thread. Slack refuses an ephemeral message to someone
 * who is not in the conversation, so a short "summarizing for you" note in the thread is the check
 * (and tells them where the summary is about). Needed only when the thread is elsewhere than
 * where they asked.
 */
export async function checkRequesterSees(client: webApi.WebClient, link: { channel: string; threadTs: string }, user: string): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel: link.channel, user, thread_ts: link.threadTs, text: 'Policy Desk is summarizing this thread for you…' });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'user_not_in_channel' || code === 'channel_not_found' || code === 'not_in_channel' || code === 'is_archived') {
      throw new AppError('input.invalid', 'I can only summarize threads in conversations that both you and Policy Desk are in.', { cause: err });
    }
    throw err;
  }
}

export interface SlackSummaryRequest {
  client: webApi.WebClient;
  channel: string;
  /** The thread's root or any message in it. */
  ts: string;
  requester: string | null;
  botUserId?: string;
  botId?: string;
  status: StatusLine;
  deliver: Poster;
  surface: 'shortcut' | 'command' | 'mention' | 'dm' | 'assistant';
  /** Posted where others see it (in the thread) rather than to the requester alone. */
  shareable: boolean;
}

export function progressText(messages: number, p?: SummaryProgress): string {
  const base = `Summarizing ${messages.toLocaleString('en-US')} message${messages === 1 ? '' : 's'}…`;
  if (!p || p.total <= 1 || (p.phase !== 'map' && p.phase !== 'reduce')) return base;
  return p.phase === 'map' ? `${base} (part ${Math.min(p.done + 1, p.total)} of ${p.total})` : `${base} (merging)`;
}

export async function summarizeThreadInSlack(deps: SlackDeps, req: SlackSummaryRequest): Promise<{ summary: Summary; messages: SlackMessage[] }> {
  const started = performance.now();
  await req.status.update('Reading the thread…');
  const { input, rootTs } = await readSlackThread(req.client, peopleFor(deps.services), {
    channel: req.channel,
    ts: req.ts,
    botUserId: req.botUserId,
    botId: req.botId,
    onLookupError: (err) => deps.logger.debug({ err }, 'slack: a user or team lookup failed; the id is shown instead'),
  });
  const human = input.messages.filter((m) => !m.isBot && !m.deleted && m.text.trim()).length;
  if (human === 0) throw new AppError('input.invalid', 'That thread has no messages from people to summarize yet.');
  await req.status.update(progressText(human));
  let last = performance.now();
  const root = input.messages.find((m) => m.ts === rootTs);
  const summary = await summarizeThread(
    deps.services,
    { ...input, title: root ? `Summary of the thread started by ${root.userName}` : 'Thread summary' },
    {
      shareable: req.shareable,
      files: slackThreadFiles(req.client, deps.services.config.slack.apiUrl),
      onProgress: (p) => {
        if (req.status.progressEveryMs <= 0 || performance.now() - last < req.status.progressEveryMs) return;
        last = performance.now();
        void req.status.update(progressText(human, p));
      },
    },
  );
  const messages = summaryMessages(summary, req.requester ? { requestedBy: req.requester } : {});
  await req.deliver(messages);
  await req.status.clear();
  deps.logger.info(
    {
      surface: req.surface,
      channel: req.channel,
      mode: summary.mode,
      messages: input.messages.length,
      summarized: summary.stats.thread?.summarized,
      slackMessages: messages.length,
      ms: Math.round(performance.now() - started),
    },
    'slack: thread summarized',
  );
  return { summary, messages };
}

export interface ConversationRequest {
  client: webApi.WebClient;
  intent: SummarizeIntent;
  requester: string;
  botUserId?: string;
  botId?: string;
  /** Where the request was made, and the thread to answer in there. */
  channel: string;
  replyThreadTs: string;
  /** The thread the request was made in, if it was made inside one ("summarize this thread"). */
  inThreadTs?: string;
  /** A DM with the app: only the requester sees what is posted there. */
  privateHere: boolean;
  surface: 'mention' | 'dm' | 'assistant';
  /** The assistant pane's own status line, when there is one. */
  status?: StatusLine;
  /**
   * Posts into a thread; default chat.postMessage. A job passes its once-only poster
   * (src/slack/jobs/post.ts), `step` naming each batch so a retry knows what was sent.
   */
  threadPoster?: (channel: string, threadTs: string, step: string) => Poster;
}

/**
 * "summarize this thread" (or "summarize <link>") said to the app in a channel thread, a DM or the
 * assistant pane. A summary posted for everyone always goes into the summarized thread itself, so
 * a thread's content never lands in a conversation with other members; a private one goes only to
 * the requester, where they asked.
 */
export async function summarizeOnRequest(deps: SlackDeps, r: ConversationRequest): Promise<void> {
  const target = r.intent.link
    ? { channel: r.intent.link.channel, ts: r.intent.link.threadTs ?? r.intent.link.ts, origin: r.intent.link.origin }
    : r.inThreadTs
      ? { channel: r.channel, ts: r.inThreadTs, origin: undefined }
      : null;
  if (!target) throw new AppError('input.invalid', `Say that inside the thread you want summarized, or include a link to one of its messages. ${SUMMARIZE_USAGE}`);
  const elsewhere = target.channel !== r.channel;
  if (elsewhere) await checkRequesterSees(r.client, { channel: target.channel, threadTs: target.ts }, r.requester);
  const toRequesterOnly = r.privateHere || r.intent.private;
  const threadPoster = r.threadPoster ?? ((channel: string, threadTs: string) => channelPosterFor(r.client, channel, threadTs));
  const base = { client: r.client, channel: target.channel, ts: target.ts, requester: r.requester, botUserId: r.botUserId, botId: r.botId, surface: r.surface };
  if (toRequesterOnly) {
    await summarizeThreadInSlack(deps, {
      ...base,
      status: r.status ?? (r.privateHere ? threadMessageStatus(r.client, r.channel, r.replyThreadTs) : ephemeralStatus(r.client, r.channel, r.requester, r.replyThreadTs)),
      deliver: r.privateHere ? threadPoster(r.channel, r.replyThreadTs, 'summary') : ephemeralPoster(r.client, r.channel, r.requester, r.replyThreadTs),
      shareable: false,
    });
    return;
  }
  await summarizeThreadInSlack(deps, {
    ...base,
    status: r.status ?? threadMessageStatus(r.client, target.channel, target.ts),
    deliver: threadPoster(target.channel, target.ts, 'summary'),
    shareable: true,
  });
  if (elsewhere || target.ts !== r.replyThreadTs) {
    const where = target.origin ? `${target.origin}/archives/${target.channel}/p${target.ts.replace('.', '')}` : 'the thread';
    await threadPoster(r.channel, r.replyThreadTs, 'notice')(noticeMessage(`Posted the summary in ${where}.`)).catch(() => undefined);
  }
}
