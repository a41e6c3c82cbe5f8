import type { webApi } from '@slack/bolt';
import type { Actor } from '../../comments/access.ts';
import { exportComments, type ExportOptions, type ExportResult } from '../../comments/export.ts';
import { getComment } from '../../comments/queue.ts';
import type { SlackDeps } from '../deps.ts';
import { section, type SlackMessage } from '../views/message.ts';
import { commentSlack } from './context.ts';
import { openDm } from './delivery.ts';
import type { ListFilter } from './filter.ts';

function exportOptions(format: 'csv' | 'json', f: ListFilter): ExportOptions {
  const date = (v: unknown) => (v instanceof Date ? v : typeof v === 'string' ? v : undefined);
  return {
    format,
    status: f.status as ExportOptions['status'],
    since: date(f.since),
    until: date(f.until),
    organizationType: f.organizationType as ExportOptions['organizationType'],
    topic: f.topic,
    assignee: f.assignee,
    tag: f.tag,
    text: f.text,
    submitter: f.submitter,
  };
}

/**
 * Exports what a listing showed and uploads the file into the staff member's DM with the app
 * (files.getUploadURLExternal + files.completeUploadExternal, as filesUploadV2 does). Never into
 * a channel: an export holds every submitter's details. Staff only (exportComments checks).
 */
export async function exportToDm(
  deps: SlackDeps,
  client: webApi.WebClient,
  actor: Actor,
  userId: string,
  format: 'csv' | 'json',
  filter: ListFilter,
  summary: string,
): Promise<ExportResult> {
  const result = await exportComments(commentSlack(deps).services, actor, exportOptions(format, filter));
  const channel = await openDm(client, userId);
  const restricted = result.restricted ? ` ${result.restricted} of them may not be published (no consent): see consentToPublish and restrictReason.` : '';
  await client.filesUploadV2({
    channel_id: channel,
    file: Buffer.from(result.content, 'utf8'),
    filename: result.filename,
    title: result.filename,
    initial_comment: `Comment export${summary ? ` (${summary})` : ''}: ${result.count} comment${result.count === 1 ? '' : 's'}.${restricted}`,
  });
  deps.logger.info({ userId, format, count: result.count, restricted: result.restricted }, 'slack: comment export uploaded');
  return result;
}

export function exportSentMessage(result: ExportResult): SlackMessage {
  const text = `Sent you ${result.filename} (${result.count} comment${result.count === 1 ? '' : 's'}) in your direct messages with Policy Desk.`;
  return { text, blocks: [section(`:outbox_tray: ${text}`)] };
}

/**
 * "Send me the full text" on a card or in the details modal: the comment's whole text (any
 * length; cards and modals show an excerpt) uploaded as a text file into the staff member's DM
 * with the app, never into a channel. Staff only (getComment checks).
 */
export async function sendFullTextToDm(
  deps: SlackDeps,
  client: webApi.WebClient,
  actor: Actor,
  userId: string,
  commentId: number,
): Promise<{ filename: string; chars: number; trackingNumber: string }> {
  const c = await getComment(commentSlack(deps).services, actor, commentId);
  const filename = `comment-${c.trackingNumber}.txt`;
  const channel = await openDm(client, userId);
  const id = c.sourceDocumentId ? ` (${c.sourceDocumentId})` : '';
  const restricted = c.consentToPublish ? '' : ' The submitter did not consent to publication: for staff only.';
  await client.filesUploadV2({
    channel_id: channel,
    file: Buffer.from(c.text, 'utf8'),
    filename,
    title: filename,
    initial_comment: `Full text of comment ${c.trackingNumber}${id}: ${c.text.length.toLocaleString('en-US')} characters.${restricted}`,
  });
  deps.logger.info({ userId, commentId, chars: c.text.length }, 'slack: comment full text uploaded');
  return { filename, chars: c.text.length, trackingNumber: c.trackingNumber };
}

export function fullTextSentMessage(sent: { filename: string; chars: number; trackingNumber: string }): SlackMessage {
  const text = `Sent you ${sent.filename} (the full text of comment ${sent.trackingNumber}, ${sent.chars.toLocaleString('en-US')} characters) in your direct messages with Policy Desk.`;
  return { text, blocks: [section(`:outbox_tray: ${text}`)] };
}
