import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { bearerDownload, type FileFetcher } from './attachments.ts';
import { messagePermalink, readThreadExport, toThreadMessages } from './replies.ts';
import type { ThreadInput } from './thread.ts';

/**
 * A thread from a JSON export of conversations.replies, as the CLI, the console and the
 * evaluation read it: the messages with names and permalinks, and a reader for the attached
 * files (the export's local copies, or url_private with a bot token when one is configured).
 */

export interface ExportOptions {
  /** e.g. https://acme.slack.com, for links when the export has none. */
  workspaceUrl?: string;
  channel?: string;
  /** SLACK_BOT_TOKEN: lets files without a local copy be downloaded from their url_private. */
  botToken?: string;
  /** Hosts a token may be sent to (Slack's own, or SLACK_API_URL's). */
  tokenHosts?: (url: string) => boolean;
}

export interface LoadedExport {
  input: ThreadInput;
  files: FileFetcher;
  /** The raw JSON, for callers that read more of it (an evaluation's labels). */
  json: unknown;
}

export async function readExportFile(file: string, options: ExportOptions = {}): Promise<LoadedExport> {
  const raw = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new AppError('input.invalid', `Cannot read ${file}: ${err.code ?? err.message}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new AppError('input.invalid', `${file} is not JSON: ${(err as Error).message}`);
  }
  return { ...threadFromExport(json, file, options), json };
}

export function threadFromExport(json: unknown, file: string, options: ExportOptions = {}): { input: ThreadInput; files: FileFetcher } {
  const exported = readThreadExport(json);
  if ('error' in exported) throw new AppError('input.invalid', `${file}: ${exported.error}`);
  if (exported.messages.length === 0) throw new AppError('input.invalid', `${file} has no messages.`);
  const origin = options.workspaceUrl ?? exported.permalinkBase;
  if (origin && !/^https?:\/\//.test(origin)) throw new AppError('input.invalid', 'Expected --workspace-url like https://acme.slack.com');
  const channel = options.channel ?? exported.channel;
  const root = exported.messages.find((m) => !m.thread_ts || m.thread_ts === m.ts) ?? exported.messages[0]!;
  const threadTs = root.thread_ts ?? root.ts;
  const messages = toThreadMessages(exported.messages, {
    people: exported.people,
    permalink: origin && channel ? (ts) => messagePermalink(origin, channel, ts, threadTs) : undefined,
  });
  const title = typeof (json as { title?: unknown }).title === 'string' ? String((json as { title: string }).title) : `Thread in ${channel ? `channel ${channel}` : path.basename(file)}`;
  return {
    input: {
      title,
      ...(channel ? { channel } : {}),
      threadTs,
      ...(origin && channel ? { permalink: messagePermalink(origin, channel, threadTs) } : {}),
      messages,
    },
    files: exportFiles(path.dirname(path.resolve(file)), options),
  };
}

/** An export's files: its local copy (local_path, or files/<id>/<name>, or <name> beside the export), else url_private with the bot token. */
export function exportFiles(dir: string, options: ExportOptions = {}): FileFetcher {
  return {
    async fetch(f) {
      const candidates = [f.localPath, f.id ? path.join('files', f.id, f.name) : undefined, path.join('files', f.name), f.name]
        .filter((x): x is string => Boolean(x))
        .map((x) => (path.isAbsolute(x) ? x : path.join(dir, x)));
      for (const c of candidates) {
        // Only files under the export's directory, or the absolute path the export gave.
        if (!path.isAbsolute(f.localPath ?? '') && !path.resolve(c).startsWith(dir + path.sep)) continue;
        if (await access(c).then(() => true, () => false)) return new Uint8Array(await readFile(c));
      }
      if (f.url && options.botToken && (options.tokenHosts?.(f.url) ?? false)) return bearerDownload(f.url, options.botToken);
      throw new Error(f.url ? 'no local copy, and no SLACK_BOT_TOKEN to download it with' : 'no local copy beside the export');
    },
  };
}

/** Where a bot token may be sent: Slack's own hosts (slack.com, slack-gov.com) over https, or SLACK_API_URL's origin. */
export function slackFileHosts(apiUrl: string | undefined): (url: string) => boolean {
  return (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (apiUrl) {
      try {
        if (u.origin === new URL(apiUrl).origin) return true;
      } catch {
        // an unparseable API URL falls back to Slack's hosts
      }
    }
    const host = u.hostname.toLowerCase();
    return u.protocol === 'https:' && ['slack.com', 'slack-gov.com'].some((d) => host === d || host.endsWith(`.${d}`));
  };
}
