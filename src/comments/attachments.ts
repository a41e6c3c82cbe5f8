import { extname } from 'node:path';
import { formatForPath, loadBuffer } from '../../ingest/loaders/index.ts';
import { isAppError } from '../errors.ts';
import { COMMENT_LIMITS, type CommentAttachmentInput } from './schema.ts';

const EXTENSION_BY_MIME: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/markdown': '.md',
  'text/x-markdown': '.md',
};

/** The extension to read a file as: its own when supported, else one implied by its MIME type. */
function readableName(name: string, mime: string): string | null {
  if (formatForPath(name)) return name;
  const ext = EXTENSION_BY_MIME[mime.split(';')[0]!.trim().toLowerCase()];
  return ext ? `${name}${ext}` : null;
}

/**
 * Turns a file (an e-mail attachment, a file shared on a Slack message) into an attachment of
 * the comment record: text extracted with the ingest loaders when the type is supported, so a
 * "see attached" comment is searchable; otherwise name and size with a note saying why there is
 * no text. `content` null means the caller did not download it (too large). Never throws.
 */
export async function readAttachment(file: {
  name: string;
  mime?: string | null;
  content: Uint8Array | null;
  size?: number;
  url?: string | null;
}): Promise<CommentAttachmentInput> {
  const name = file.name.trim().slice(0, COMMENT_LIMITS.attachmentNameChars) || 'attachment';
  const mime = (file.mime ?? '').trim() || 'application/octet-stream';
  const size = file.size ?? file.content?.byteLength ?? 0;
  const base = { name, mime, size: Math.min(size, COMMENT_LIMITS.attachmentMaxBytes), url: file.url ?? null };
  if (size > COMMENT_LIMITS.attachmentBytes || file.content === null) {
    return { ...base, text: null, note: `not read: larger than ${COMMENT_LIMITS.attachmentBytes / 1024 / 1024} MB` };
  }
  const asName = readableName(name, mime);
  if (!asName) return { ...base, text: null, note: `no text extracted: ${extname(name) || mime} files are not read` };
  try {
    const doc = await loadBuffer(file.content, asName);
    const text = doc.text.trim();
    if (text.length > COMMENT_LIMITS.attachmentTextChars) {
      return {
        ...base,
        text: text.slice(0, COMMENT_LIMITS.attachmentTextChars),
        note: `text truncated to the first ${COMMENT_LIMITS.attachmentTextChars.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters`,
      };
    }
    return { ...base, text, note: null };
  } catch (err) {
    const reason = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
    return { ...base, text: null, note: `no text extracted: ${reason}`.slice(0, 500) };
  }
}
