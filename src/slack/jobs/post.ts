import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { JobContext } from '../../jobs/types.ts';
import type { Poster } from '../post.ts';

/**
 * Posting from a job, at most once per message even when the job runs again.
 *
 * A job is delivered at least once: its worker may die after Slack has taken a message and
 * before the job row says so. The window is closed like this:
 *
 * 1. Every message a job posts in a thread carries Slack message metadata
 *    `{ event_type: "policy_desk_reply", event_payload: { job, part } }`, and after Slack answers,
 *    its ts is recorded in the job's progress (`posted[part]`) before the next step.
 * 2. A part recorded in progress is never posted again.
 * 3. On a retry (attempt > 1) a part without a record may still have been posted (the crash hit
 *    between Slack's answer and the record): the thread is read (conversations.replies with
 *    metadata) and a message carrying this job's id and part counts as posted.
 * 4. The Web API client used for these posts does not retry by itself (a timed-out request that
 *    Slack did process would otherwise be sent twice); a 429 is waited out (Retry-After) and sent
 *    again, which is safe because Slack refused it; any other failure fails the attempt, and
 *    the job's retry goes through step 3 first.
 *
 * So thread replies are exactly once as long as the thread can be read back (history scopes, the
 * thread not deleted); if reading it fails, the part is posted again (at least once) and that is
 * logged. Replies through a response_url (ephemeral: /ask, shortcuts) cannot be read back: there
 * the window is the few milliseconds between the response_url's answer and the progress write, and
 * a crash inside it shows the person their private answer twice.
 */

export const REPLY_EVENT_TYPE = 'policy_desk_reply';

/** Consecutive 429s on one message before the attempt gives up (and the job retries later). */
const MAX_RATE_LIMITED = 10;

type Posted = Record<string, string>;

function postedSoFar(ctx: JobContext): Posted {
  const p = ctx.progress.posted;
  return p && typeof p === 'object' ? (p as Posted) : {};
}

const repliesSchema = z.object({
  messages: z
    .array(
      z
        .object({
          ts: z.string().optional(),
          metadata: z.object({ event_type: z.string().optional(), event_payload: z.record(z.string(), z.unknown()).optional() }).passthrough().optional(),
        })
        .passthrough(),
    )
    .default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).passthrough().optional(),
});

/**
 * This job's messages already in the thread (conversations.replies), or, for top-level posts (a
 * DM, the review channel), in the channel since shortly before the job was created
 * (conversations.history), by part.
 */
export async function findPostedParts(client: webApi.WebClient, where: { channel: string; threadTs?: string; since?: Date }, jobId: number): Promise<Posted> {
  const found: Posted = {};
  const { channel, threadTs } = where;
  // A minute of slack for clocks: the job row's time is the database's, message ts are Slack's.
  const oldest = where.since ? String(Math.max(0, Math.floor(where.since.getTime() / 1000) - 60)) : undefined;
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const more = { limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    const raw = threadTs
      ? await client.conversations.replies({ channel, ts: threadTs, ...more })
      : await client.conversations.history({ channel, ...(oldest ? { oldest } : {}), ...more });
    const parsed = repliesSchema.parse(raw);
    for (const m of parsed.messages) {
      const meta = m.metadata;
      if (!m.ts || meta?.event_type !== REPLY_EVENT_TYPE) continue;
      if (Number(meta.event_payload?.job) === jobId && typeof meta.event_payload?.part === 'string') found[meta.event_payload.part] = m.ts;
    }
    cursor = parsed.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return found;
}

function rateLimitedSeconds(err: unknown): number | null {
  const e = err as { code?: string; retryAfter?: number };
  return e?.code === 'slack_webapi_rate_limited_error' ? Math.max(1, Number(e.retryAfter) || 1) : null;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Posts messages in a thread from a job, each at most once across the job's attempts (see the
 * comment at the top). `postClient` must not retry by itself and must reject rate-limited calls
 * (see jobPostClient in app.ts); `readClient` reads the thread back on a retry. Parts are named
 * `<step>.<n>`, so one job can post several batches (a status, then an answer). Without a
 * `threadTs` the messages are top-level posts (a DM, a review card), read back from the channel.
 */
export function durableThreadPoster(
  ctx: JobContext,
  clients: { postClient: webApi.WebClient; readClient: webApi.WebClient },
  channel: string,
  threadTs: string | undefined,
  step = 'reply',
): Poster {
  let n = 0;
  let inThread: Posted | null = null;
  return async (messages) => {
    for (const m of Array.isArray(messages) ? messages : [messages]) {
      const part = `${step}.${n++}`;
      if (postedSoFar(ctx)[part]) continue;
      if (ctx.attempt > 1) {
        if (inThread === null) {
          try {
            inThread = await findPostedParts(clients.readClient, { channel, ...(threadTs ? { threadTs } : { since: ctx.createdAt }) }, ctx.id);
          } catch (err) {
            ctx.logger.warn({ err, channel, threadTs }, 'slack: could not read the thread back; posting again may duplicate a message');
            inThread = {};
          }
        }
        const ts = inThread[part];
        if (ts) {
          ctx.logger.info({ part, ts }, 'slack: reply was already posted by an earlier attempt; not posting it again');
          await ctx.checkpoint({ posted: { ...postedSoFar(ctx), [part]: ts } });
          continue;
        }
      }
      for (let limited = 0; ; limited++) {
        try {
          const res = await clients.postClient.chat.postMessage({
            channel,
            ...(threadTs ? { thread_ts: threadTs } : {}),
            text: m.text,
            blocks: m.blocks,
            unfurl_links: false,
            unfurl_media: false,
            metadata: { event_type: REPLY_EVENT_TYPE, event_payload: { job: ctx.id, part } },
          });
          await ctx.checkpoint({ posted: { ...postedSoFar(ctx), [part]: String(res.ts ?? 'posted') } });
          break;
        } catch (err) {
          const wait = rateLimitedSeconds(err);
          if (wait === null || limited >= MAX_RATE_LIMITED) throw err;
          ctx.logger.info({ part, retryAfter: wait }, 'slack: rate limited; waiting for Retry-After');
          await abortableSleep(wait * 1000, ctx.signal);
        }
      }
    }
  };
}

/**
 * Replies through a response_url from a job (ephemeral answers to /ask and the shortcut). Each
 * part is recorded after it is sent and not sent again; a response_url cannot be read back, so a
 * crash between its answer and the record repeats that part (see the comment at the top).
 */
export function durableResponsePoster(ctx: JobContext, url: string, options: { responseType?: 'ephemeral' | 'in_channel'; step?: string } = {}): Poster {
  let n = 0;
  const step = options.step ?? 'reply';
  return async (messages) => {
    for (const m of Array.isArray(messages) ? messages : [messages]) {
      const part = `${step}.${n++}`;
      if (postedSoFar(ctx)[part]) continue;
      await postToResponseUrl(url, { response_type: options.responseType ?? 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks }, ctx.signal);
      await ctx.checkpoint({ posted: { ...postedSoFar(ctx), [part]: 'sent' } });
    }
  };
}

/** A response_url takes a JSON POST; Slack answers 200 with "ok" or a JSON body. */
export async function postToResponseUrl(url: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(10_000);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
  await res.arrayBuffer();
}
