import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { truncate } from './limits.ts';

/** Matches ConversationTurn in src/answer/types.ts: one prior turn, oldest first. */
export interface HistoryTurn {
  role: 'user' | 'assistant';
  text: string;
}

/** Enough context for a follow-up; older turns add cost and noise. */
export const MAX_HISTORY_TURNS = 12;
const MAX_TURN_CHARS = 2000;
const PAGE_SIZE = 200;
const MAX_PAGES = 5;

const repliesPage = z.object({
  messages: z
    .array(
      z
        .object({
          ts: z.string().optional(),
          user: z.string().optional(),
          bot_id: z.string().optional(),
          subtype: z.string().optional(),
          text: z.string().optional(),
        })
        .passthrough(),
    )
    .optional()
    .default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).passthrough().optional(),
});

/** Slack timestamps ("1712345678.000200") compared exactly; as floats they lose the last digits. */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

/** `<@U123>` mentions and Slack's link markup read as plain words. */
export function plainSlackText(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, '')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The turns before `beforeTs` in a thread, read with conversations.replies (paged, oldest first).
 * This app's messages are the assistant's turns (their fallback text is the answer); other bots
 * and system messages are left out.
 */
export async function threadHistory(
  client: webApi.WebClient,
  args: { channel: string; threadTs: string; beforeTs: string; botUserId?: string; botId?: string },
): Promise<HistoryTurn[]> {
  const turns: HistoryTurn[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const raw = await client.conversations.replies({ channel: args.channel, ts: args.threadTs, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    const parsed = repliesPage.parse(raw);
    for (const m of parsed.messages) {
      if (!m.ts || compareTs(m.ts, args.beforeTs) >= 0) continue;
      const mine = (args.botId !== undefined && m.bot_id === args.botId) || (args.botUserId !== undefined && m.user === args.botUserId);
      if (!mine && (m.bot_id || (m.subtype && m.subtype !== 'thread_broadcast') || !m.user)) continue;
      const text = truncate(plainSlackText(m.text ?? ''), MAX_TURN_CHARS);
      if (!text) continue;
      turns.push({ role: mine ? 'assistant' : 'user', text });
    }
    cursor = parsed.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return turns.slice(-MAX_HISTORY_TURNS);
}

