import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { SlackMessage } from '../views/message.ts';

/*
 * What follows a comment's commit (the receipt, the review card) runs as a job:
 * src/slack/jobs/comment-intake.ts; card updates after a change: src/slack/jobs/comment-card.ts.
 */

const openSchema = z.object({ channel: z.object({ id: z.string() }).passthrough() }).passthrough();

/** The app's DM with a person (conversations.open, im:write). */
export async function openDm(client: webApi.WebClient, userId: string): Promise<string> {
  return openSchema.parse(await client.conversations.open({ users: userId })).channel.id;
}

export async function sendDm(client: webApi.WebClient, userId: string, message: SlackMessage): Promise<void> {
  const channel = await openDm(client, userId);
  await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
}
