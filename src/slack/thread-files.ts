import type { webApi } from '@slack/bolt';
import { bearerDownload, type FileFetcher } from '../summarize/attachments.ts';
import { isSlackFileUrl, slackFileSchema } from './comments/files.ts';
import { z } from 'zod';

/**
 * Files attached to thread messages, for a summary: the file itself from its
 * url_private_download with the bot token (files:read), files.info first when the message
 * did not carry a download link. Only Slack's hosts (or SLACK_API_URL's) get the token.
 */
export function slackThreadFiles(client: webApi.WebClient, apiUrl: string | undefined): FileFetcher {
  return {
    async fetch(f) {
      let url = f.url;
      if (!url && f.id) {
        const info = z.object({ file: slackFileSchema }).safeParse(await client.files.info({ file: f.id }).catch(() => null));
        url = info.success ? (info.data.file.url_private_download ?? info.data.file.url_private ?? undefined) : undefined;
      }
      const token = client.token;
      if (!url) throw new Error('Slack gave no download link for it');
      if (!token || !isSlackFileUrl(url, apiUrl)) throw new Error('its download link is not on Slack');
      return bearerDownload(url, token);
    },
  };
}
