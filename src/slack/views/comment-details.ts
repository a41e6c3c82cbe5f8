import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { CommentTopic } from '../../config.ts';
import type { AuditEntry, CommentDetails } from '../../comments/queue.ts';
import { COMMENT_LIMITS, STATUS_LABELS, type Comment, type CommentStatus } from '../../comments/schema.ts';
import { encodePrivateMetadata, escapeMrkdwn, fitBlocks, modalLabel, SLACK_LIMITS, splitText, truncate } from '../limits.ts';
import { commentActions } from './comment-card.ts';
import {
  field,
  fieldSections,
  fullTextLine,
  organizationText,
  plain,
  positionText,
  similarText,
  slackDate,
  sourceIdText,
  sourceText,
  statusText,
  submitterText,
  suggestionsText,
  topicText,
  who,
} from './comment-parts.ts';
import { VIEW_IDS } from './ids.ts';
import { context, section } from './message.ts';

export const NOTE_BLOCK = 'note';
export const NOTE_ACTION = 'note_text';
export const TAGS_BLOCK = 'tags';
export const TAGS_ACTION = 'tags_text';
export const NOTE_MAX = Math.min(COMMENT_LIMITS.noteChars, SLACK_LIMITS.inputMaxLength);

/**
 * Which comment a details or tags modal is about. (Its review card is redrawn by the comment.card
 * job a change enqueues, from the stored card location; a `card` field of older modals is ignored.)
 */
export const commentModalMetadataSchema = z.object({
  commentId: z.number().int().positive(),
});
export type CommentModalMetadata = z.infer<typeof commentModalMetadataSchema>;

const TEXT_SECTIONS = 3;
const ATTACHMENT_EXCERPT = 1_200;

function auditLine(e: AuditEntry): string {
  const label = (v: string | null) => (v && v in STATUS_LABELS ? STATUS_LABELS[v as CommentStatus] : v);
  let what: string;
  switch (e.action) {
    case 'submitted':
      what = 'submitted';
      break;
    case 'status':
      what = `status ${escapeMrkdwn(label(e.from) ?? '–')} → *${escapeMrkdwn(label(e.to) ?? '–')}*`;
      break;
    case 'assign':
      what = e.to ? `assigned to ${who(e.to)}` : 'unassigned';
      break;
    case 'tags':
      what = `tags: ${escapeMrkdwn(e.to ?? 'none')}`;
      break;
    case 'note':
      what = 'added a note';
      break;
    default:
      what = `${escapeMrkdwn(e.action)}${e.to ? `: ${escapeMrkdwn(e.to)}` : ''}`;
  }
  const note = e.note && e.action !== 'note' ? ` (“${escapeMrkdwn(truncate(e.note, 200))}”)` : '';
  return `${slackDate(e.at)} · ${who(e.actor)} · ${what}${note}`;
}

/**
 * Everything about one comment, for staff: the record, its full text, attachments with their
 * extracted text, campaign siblings, internal notes and the audit log, with an input to add a
 * note (the modal's submit). Kept within the 100-block modal limit: the oldest audit entries
 * give way first, with a note saying how many.
 */
export function commentDetailsModal(d: CommentDetails, topics: readonly CommentTopic[], meta: CommentModalMetadata): types.ModalView {
  const c = d.comment;
  const head: types.KnownBlock[] = [
    section(`*Comment ${c.trackingNumber}*${c.title ? `: ${escapeMrkdwn(c.title)}` : ''}`),
    ...fieldSections([
      field('Status', statusText(c.status)),
      field('Assignee', who(c.assignee)),
      field('From', submitterText(c)),
      field('Organization', organizationText(c)),
      field('Topic', topicText(topics, c.topic)),
      field('Document', c.documentId ? `\`${escapeMrkdwn(c.documentId)}\`` : '_none_'),
      field('Received', `${slackDate(c.receivedAt)} via ${sourceText(c)}`),
      ...(sourceIdText(c) ? [field('Document ID', sourceIdText(c)!)] : []),
      ...(positionText(c) ? [field('Position', positionText(c)!)] : []),
      field('May be published', c.consentToPublish ? 'Yes' : '*No*: restricted in exports'),
      field('Tags', c.tags.length ? c.tags.map((t) => `\`${escapeMrkdwn(t)}\``).join(' ') : '_none_'),
    ]),
  ];
  const suggestions = suggestionsText(c, topics);
  if (suggestions) head.push(context(suggestions));
  // The first TEXT_SECTIONS sections of the text; a longer text says how long it is and offers the rest as a file.
  const pieces = splitText(escapeMrkdwn(c.text), SLACK_LIMITS.sectionText);
  const shown = pieces.slice(0, TEXT_SECTIONS);
  const more = pieces.length > TEXT_SECTIONS ? fullTextLine(c.text, 0) : null;
  head.push(commentActions(c, { details: false, fullText: more !== null }));
  head.push({ type: 'divider' });
  for (const piece of shown) head.push(section(piece));
  if (more) head.push(context(`${more}, or \`policy-desk comments show ${c.trackingNumber}\``));

  const items: types.KnownBlock[][] = [];
  for (const [i, a] of c.attachments.entries()) {
    const text = d.attachmentTexts[i]?.text;
    const name = a.url ? `<${a.url}|${escapeMrkdwn(a.name)}>` : escapeMrkdwn(a.name);
    const body = text ? `\n>${escapeMrkdwn(truncate(text.replace(/\s+/g, ' '), ATTACHMENT_EXCERPT))}` : a.note ? `\n_${escapeMrkdwn(a.note)}_` : '';
    items.push([section(`:paperclip: *${name}* (${escapeMrkdwn(a.mime)}, ${a.size.toLocaleString('en-US')} bytes)${body}`)]);
  }
  const similar = similarText(c);
  if (similar) {
    const lines = d.similar.map((s) => `• ${s.trackingNumber} · ${escapeMrkdwn(s.submitterName)}${s.organization ? ` (${escapeMrkdwn(s.organization)})` : ''} · ${STATUS_LABELS[s.status]}`);
    items.push([section(truncate(`${similar}\n${lines.join('\n')}`, SLACK_LIMITS.sectionText))]);
  }
  items.push([section(`*Internal notes* (${d.notes.length})${d.notes.length ? '' : ': none yet'}`)]);
  for (const n of d.notes) items.push([section(truncate(`${who(n.author)} · ${slackDate(n.createdAt)}\n${escapeMrkdwn(n.body)}`, SLACK_LIMITS.sectionText))]);
  items.push([section(`*Audit log* (${d.audit.length} entr${d.audit.length === 1 ? 'y' : 'ies'}, newest first)`)]);
  // Newest first, so when the modal is full it is the oldest entries that are left out.
  for (const e of [...d.audit].reverse()) items.push([context(auditLine(e))]);

  const tail: types.KnownBlock[] = [
    {
      type: 'input',
      block_id: NOTE_BLOCK,
      optional: true,
      label: plain('Add an internal note'),
      hint: plain('Notes are for staff only: never shown to the submitter, never exported.', 2000),
      element: { type: 'plain_text_input', action_id: NOTE_ACTION, multiline: true, max_length: NOTE_MAX },
    },
  ];
  const blocks = fitBlocks(head, items, {
    max: SLACK_LIMITS.modalBlocks,
    tail,
    overflowNote: (n) => `${n} more item${n === 1 ? '' : 's'} (older audit entries) not shown; see \`policy-desk comments show ${c.trackingNumber}\`.`,
  }) as types.KnownBlock[];
  return {
    type: 'modal',
    callback_id: VIEW_IDS.commentDetails,
    title: modalLabel(`Comment ${c.trackingNumber}`),
    submit: modalLabel('Add note'),
    close: modalLabel('Close'),
    private_metadata: encodePrivateMetadata(meta),
    blocks,
  };
}

/** The tag editor: the comment's tags as a comma-separated list. */
export function commentTagsModal(c: Comment, meta: CommentModalMetadata): types.ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_IDS.commentTags,
    title: modalLabel('Tags'),
    submit: modalLabel('Save tags'),
    close: modalLabel('Cancel'),
    private_metadata: encodePrivateMetadata(meta),
    blocks: [
      section(`Tags for comment *${c.trackingNumber}*`),
      {
        type: 'input',
        block_id: TAGS_BLOCK,
        optional: true,
        label: plain('Tags, separated by commas'),
        hint: plain(`Up to ${COMMENT_LIMITS.tags} tags of letters, digits, spaces, "-" or "_" (e.g. itar, needs reply). Remove one to untag.`, 2000),
        element: {
          type: 'plain_text_input',
          action_id: TAGS_ACTION,
          max_length: 1000,
          ...(c.tags.length ? { initial_value: c.tags.join(', ') } : {}),
          placeholder: plain('itar, needs reply', 150),
        },
      },
    ],
  };
}

export const noteStateSchema = z.object({
  [NOTE_BLOCK]: z.object({ [NOTE_ACTION]: z.object({ value: z.string().nullish() }).passthrough() }).optional(),
});

export const tagsStateSchema = z.object({
  [TAGS_BLOCK]: z.object({ [TAGS_ACTION]: z.object({ value: z.string().nullish() }).passthrough() }).optional(),
});

export type { Comment };
