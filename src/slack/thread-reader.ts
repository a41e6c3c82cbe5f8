import type { webApi } from '@slack/bolt';
import { AppError } from '../errors.ts';
import {
  messagePermalink,
  parseMessageLink,
  repliesPageSchema,
  toThreadMessages,
  userIdsIn,
  type SlackRawMessage,
} from '../summarize/replies.ts';
import type { ThreadInput } from '../summarize/thread.ts';
import type { PeopleDirectory } from './people.ts';

/**
 * Reads a whole thread for a summary: conversations.replies page by page (200 a page, the
 * cursor followed to the end), the authors' names and organizations from the people cache,
 * and a permalink for every message. Rate limits are the Web API client's business: it waits
 * out a 429's Retry-After and tries again (SLACK_RETRY in app.ts).
 */

export const REPLIES_PAGE_SIZE = 200;
/** 100 pages is 20,000 messages: past any real thread, short of a runaway loop. */
export const MAX_REPLIES_PAGES = 100;

export interface ReadThreadArgs {
  channel: string;
  /** The thread's root, or any message in it. */
  ts: string;
  botUserId?: string;
  botId?: string;
  onPage?: (messagesSoFar: number) => void;
  onLookupError?: (err: unknown) => void;
}

/** What the user is told when Slack will not hand over the thread; the code decides, never the raw error. */
function readError(err: unknown): AppError | unknown {
  const code = (err as { data?: { error?: string } }).data?.error;
  switch (code) {
    case 'not_in_channel':
    case 'channel_not_found':
      return new AppError('input.invalid', "I can't read that conversation. Add Policy Desk to the channel (for example `/invite @Policy Desk`), then try again.", { cause: err });
    case 'thread_not_found':
    case 'message_not_found':
      return new AppError('input.invalid', "I couldn't find that thread. It may have been deleted, or the link may be to another workspace.", { cause: err });
    case 'missing_scope':
      return new AppError('input.invalid', 'Policy Desk is not allowed to read this kind of conversation (a missing scope); ask the app admin to reinstall it from manifest.yml.', {
        cause: err,
      });
    default:
      return err;
  }
}

async function allPages(client: webApi.WebClient, args: ReadThreadArgs, ts: string): Promise<SlackRawMessage[]> {
  const out: SlackRawMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_REPLIES_PAGES; page++) {
    let raw: unknown;
    try {
      raw = await client.conversations.replies({ channel: args.channel, ts, limit: REPLIES_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    } catch (err) {
      throw readError(err);
    }
    const parsed = repliesPageSchema.parse(raw);
    out.push(...parsed.messages);
    args.onPage?.(out.length);
    cursor = parsed.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return out;
}

export interface ReadThread {
  input: ThreadInput;
  rootTs: string;
}

export async function readSlackThread(client: webApi.WebClient, directory: PeopleDirectory, args: ReadThreadArgs): Promise<ReadThread> {
  let raw = await allPages(client, args, args.ts);
  // Asked with a reply's ts, Slack may answer with that reply alone: read again from the root.
  const root = raw[0]?.thread_ts;
  if (root && root !== args.ts && !raw.some((m) => m.ts === root)) raw = await allPages(client, args, root);
  const rootTs = raw[0]?.thread_ts ?? raw[0]?.ts ?? args.ts;

  const [people, origin] = await Promise.all([directory.resolve(client, userIdsIn(raw, args.botUserId), args.onLookupError), permalinkOrigin(client, args.channel, rootTs)]);
  const permalink = origin ? (ts: string) => messagePermalink(origin, args.channel, ts, rootTs) : undefined;
  const messages = toThreadMessages(raw, { people, ...(permalink ? { permalink } : {}), botUserId: args.botUserId, botId: args.botId });
  return {
    rootTs,
    input: {
      channel: args.channel,
      threadTs: rootTs,
      ...(permalink ? { permalink: permalink(rootTs) } : {}),
      messages,
    },
  };
}

/**
 * The workspace's web address, from one chat.getPermalink for the root (it knows the right host,
 * GovSlack included); the other messages' links are built the same way Slack builds them.
 */
async function permalinkOrigin(client: webApi.WebClient, channel: string, rootTs: string): Promise<string | undefined> {
  try {
    const res = (await client.chat.getPermalink({ channel, message_ts: rootTs })) as { permalink?: string };
    return res.permalink ? parseMessageLink(res.permalink)?.origin : undefined;
  } catch {
    return undefined;
  }
}
