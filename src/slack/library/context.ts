import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { LibraryActor } from '../../app/library.ts';
import { AppError } from '../../errors.ts';
import { formatBytes } from '../../net/safe-fetch.ts';
import { commentSlack } from '../comments/context.ts';
import { isSlackFileUrl, slackFileSchema, TransientFileError, type SlackFileRef } from '../comments/files.ts';
import type { SlackDeps } from '../deps.ts';

/**
 * Who is asking, for the library: users.info says whether they are external (Slack Connect, or a
 * stranger: never admins) and usergroups.users.list whether they are in LIBRARY_ADMIN_USERGROUP_ID.
 * Both cached (the comment queue's people context, shared).
 */
export async function libraryActor(deps: SlackDeps, client: webApi.WebClient, user: { userId: string; teamId?: string | null }): Promise<LibraryActor> {
  const people = commentSlack(deps).use(client);
  const actor = await people.actor(client, user);
  const external = actor.kind === 'slack' ? actor.external : true;
  const teamId = actor.kind === 'slack' ? (actor.teamId ?? null) : null;
  const lib = deps.services.config.library;
  if (external || lib.adminUserIds.includes(user.userId) || !lib.adminUsergroupId) return { userId: user.userId, teamId, external };
  return { userId: user.userId, teamId, external, inAdminUsergroup: await people.isMember(lib.adminUsergroupId, user.userId) };
}

const filesInfoSchema = z.object({ file: slackFileSchema });

export interface DownloadedFile {
  id: string;
  name: string;
  bytes: Uint8Array;
  permalink: string | null;
}

const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * A file shared with the app, downloaded with the bot token (files:read) from Slack's own hosts
 * only. Too large (INGEST_URL_MAX_MB, the same limit as URLs) and files Slack does not hold
 * (deleted, external links) are AppErrors told to the person; network trouble and 429/5xx are
 * TransientFileError (the job retries).
 */
export async function downloadSlackFile(client: webApi.WebClient, apiUrl: string | undefined, ref: SlackFileRef, maxBytes: number): Promise<DownloadedFile> {
  let file = { ...ref } as z.infer<typeof slackFileSchema>;
  try {
    file = { ...file, ...filesInfoSchema.parse(await client.files.info({ file: ref.id })).file };
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string } };
    if (e?.code === 'slack_webapi_platform_error' && e.data?.error === 'file_not_found') throw new AppError('input.invalid', 'Slack no longer has that file (deleted?).');
    if (e?.code !== 'slack_webapi_platform_error') throw new TransientFileError(`files.info failed: ${(err as Error).message}`, { cause: err });
  }
  const name = (file.name || file.title || file.id).trim();
  if (file.mode === 'tombstone') throw new AppError('input.invalid', `"${name}" was deleted in Slack.`);
  if (file.mode === 'external') throw new AppError('ingest.unsupported', `"${name}" is a link to a file stored outside Slack; add it with \`/library add <url>\` instead.`);
  if (file.mode === 'hidden_by_limit') throw new AppError('input.invalid', `"${name}" is hidden by the workspace's plan limits.`);
  if ((file.size ?? 0) > maxBytes) {
    throw new AppError('fetch.limit', `"${name}" is ${formatBytes(file.size!)}, larger than the size limit of ${formatBytes(maxBytes)} (INGEST_URL_MAX_MB).`, { details: { limit: 'size' } });
  }
  const url = file.url_private_download ?? file.url_private;
  const token = client.token;
  if (!url || !token || !isSlackFileUrl(url, apiUrl)) throw new AppError('input.invalid', `Slack gave no download link for "${name}".`);
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'error' });
  } catch (err) {
    throw new TransientFileError(`download failed: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 429 || res.status >= 500) throw new TransientFileError(`download answered HTTP ${res.status}`);
  if (!res.ok) throw new AppError('input.invalid', `Slack refused the download of "${name}" (HTTP ${res.status}).`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new AppError('fetch.limit', `"${name}" is larger than the size limit of ${formatBytes(maxBytes)} (INGEST_URL_MAX_MB).`, { details: { limit: 'size' } });
      }
      chunks.push(value);
    }
  }
  return { id: file.id, name, bytes: Buffer.concat(chunks), permalink: file.permalink ?? null };
}
