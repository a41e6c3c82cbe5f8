import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { readAttachment } from '../../comments/attachments.ts';
import { COMMENT_LIMITS, type CommentAttachmentInput } from '../../comments/schema.ts';
import type { Logger } from '../../log.ts';

/**
 * Files shared on a Slack message or uploaded in the comment modal become attachments of the
 * comment: files.info for the metadata, the file itself from url_private_download with the bot
 * token (files:read), and its text extracted by the ingest loaders (readAttachment).
 */

export const slackFileSchema = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    title: z.string().nullish(),
    mimetype: z.string().nullish(),
    size: z.number().nullish(),
    url_private: z.string().nullish(),
    url_private_download: z.string().nullish(),
    permalink: z.string().nullish(),
    /** "hidden_by_limit", "tombstone" (deleted), "external" (a link to Google Drive and the like). */
    mode: z.string().nullish(),
    file_access: z.string().nullish(),
  })
  .passthrough();
export type SlackFile = z.infer<typeof slackFileSchema>;

const filesInfoSchema = z.object({ file: slackFileSchema });

/** Files are downloaded with the bot token: only ever from Slack's own hosts (or the configured API host). */
export function isSlackFileUrl(url: string, apiUrl: string | undefined): boolean {
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
      // an unparseable API URL is config's problem; fall through to the known hosts
    }
  }
  const host = u.hostname.toLowerCase();
  return u.protocol === 'https:' && ['slack.com', 'slack-gov.com'].some((d) => host === d || host.endsWith(`.${d}`));
}

const DOWNLOAD_TIMEOUT_MS = 20_000;
const CONCURRENCY = 3;

/** A download that may work if tried again: the network, a timeout, Slack busy (429, 5xx). */
export class TransientFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientFileError';
  }
}

async function download(url: string, token: string, maxBytes: number): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (err) {
    throw new TransientFileError(`download failed: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 429 || res.status >= 500) throw new TransientFileError(`HTTP ${res.status}`);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.byteLength > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
  return body;
}

export interface FileReadOptions {
  client: webApi.WebClient;
  /** SLACK_API_URL: a GovSlack host or the test stand-in may serve the files too. */
  apiUrl: string | undefined;
  logger: Logger;
  /**
   * Throw TransientFileError for a download that may work later instead of recording the file
   * without text: a job that can run again (not on its last attempt) sets this.
   */
  throwTransient?: boolean;
}

async function readOne(ref: SlackFile, o: FileReadOptions): Promise<CommentAttachmentInput> {
  let file = ref;
  try {
    file = { ...ref, ...filesInfoSchema.parse(await o.client.files.info({ file: ref.id })).file };
  } catch (err) {
    o.logger.warn({ err, fileId: ref.id }, 'slack: files.info failed; using what the payload said about the file');
  }
  const name = (file.name || file.title || file.id).trim();
  const mime = file.mimetype ?? null;
  const size = file.size ?? 0;
  const url = file.permalink ?? null;
  const base = { name, mime, size, url };
  if (file.mode === 'tombstone' || file.mode === 'hidden_by_limit' || file.mode === 'external') {
    const why = file.mode === 'external' ? 'a link to a file stored outside Slack' : file.mode === 'tombstone' ? 'deleted in Slack' : 'hidden by the workspace plan';
    return { ...base, text: null, note: `not read: ${why}` };
  }
  if (size > COMMENT_LIMITS.attachmentBytes) return readAttachment({ ...base, content: null });
  const source = file.url_private_download ?? file.url_private;
  const token = o.client.token;
  if (!source || !token || !isSlackFileUrl(source, o.apiUrl)) {
    o.logger.warn({ fileId: file.id, hasUrl: Boolean(source) }, 'slack: file has no Slack download URL; recorded without text');
    return { ...base, text: null, note: 'not read: Slack gave no download link for it' };
  }
  try {
    const content = await download(source, token, COMMENT_LIMITS.attachmentBytes);
    return await readAttachment({ ...base, size: size || content.byteLength, content });
  } catch (err) {
    if (o.throwTransient && err instanceof TransientFileError) throw err;
    o.logger.warn({ err, fileId: file.id }, 'slack: could not download a file; recorded without text');
    return { ...base, text: null, note: 'not read: the file could not be downloaded from Slack' };
  }
}

/**
 * The attachments for up to COMMENT_LIMITS.attachments files, in order. A file that cannot be
 * read is recorded by name with a note saying why; only with `throwTransient` does a download
 * that may work later throw instead.
 */
export async function attachmentsFromSlackFiles(files: readonly SlackFile[], o: FileReadOptions): Promise<CommentAttachmentInput[]> {
  const list = files.slice(0, COMMENT_LIMITS.attachments);
  if (files.length > list.length) o.logger.warn({ files: files.length }, `slack: only the first ${list.length} files are attached`);
  const out: CommentAttachmentInput[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < list.length; i = next++) out[i] = await readOne(list[i]!, o);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, list.length) }, worker));
  return out;
}

/** What a job needs to read a file later: the payload's file object, without the rest of Slack's fields. */
export const slackFileRefSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(1000).nullish(),
  title: z.string().max(1000).nullish(),
  mimetype: z.string().max(200).nullish(),
  size: z.number().nonnegative().nullish(),
  url_private: z.string().max(2000).nullish(),
  url_private_download: z.string().max(2000).nullish(),
  permalink: z.string().max(2000).nullish(),
  mode: z.string().max(50).nullish(),
});
export type SlackFileRef = z.infer<typeof slackFileRefSchema>;

export function slackFileRef(f: SlackFile): SlackFileRef {
  const pick = <K extends keyof SlackFileRef>(k: K) => (f[k] === undefined ? {} : { [k]: f[k] });
  return slackFileRefSchema.parse({
    id: f.id,
    ...pick('name'),
    ...pick('title'),
    ...pick('mimetype'),
    ...pick('size'),
    ...pick('url_private'),
    ...pick('url_private_download'),
    ...pick('permalink'),
    ...pick('mode'),
  });
}

/** A file as recorded at submission, before it is read (submitComment's pendingFiles). */
export function pendingFileOf(f: SlackFileRef): { name: string; mime: string | null; size: number; url: string | null } {
  return { name: (f.name || f.title || f.id).trim(), mime: f.mimetype ?? null, size: f.size ?? 0, url: f.permalink ?? null };
}
