import type { RespondFn, webApi } from '@slack/bolt';
import type { SlackMessage } from './views/message.ts';

export type Poster = (messages: SlackMessage | SlackMessage[]) => Promise<void>;

/**
 * Posts messages in order into a channel (and thread). Link previews are off: citations link to
 * sources, and a preview card per source would bury the answer.
 */
export function channelPoster(client: webApi.WebClient, channel: string, threadTs?: string): Poster {
  return async (messages) => {
    for (const m of Array.isArray(messages) ? messages : [messages]) {
      await client.chat.postMessage({
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
    }
  };
}

/**
 * Replies through a response_url (slash commands, shortcuts, buttons): works in any conversation,
 * including ones the bot is not a member of, and can be ephemeral.
 */
export function responsePoster(respond: RespondFn, responseType: 'ephemeral' | 'in_channel' = 'ephemeral'): Poster {
  return async (messages) => {
    for (const m of Array.isArray(messages) ? messages : [messages]) {
      await respond({ response_type: responseType, replace_original: false, text: m.text, blocks: m.blocks });
    }
  };
}
