import type { types } from '@slack/bolt';
import type { CommentTopic } from '../../config.ts';
import { TRANSITIONS } from '../../comments/queue.ts';
import { STATUS_LABELS, type Comment } from '../../comments/schema.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../limits.ts';
import {
  attachmentsText,
  excerpt,
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
import { ACTION_IDS } from './ids.ts';
import { context, type SlackMessage } from './message.ts';

export const CARD_EXCERPT_CHARS = 700;
export const CARD_ACTIONS_BLOCK = 'comment_card_actions';

/** The value of a "set status" option: which comment, and where to. */
export function statusOptionValue(commentId: number, to: string): string {
  return `${commentId}:${to}`;
}

/**
 * The actions every card and details view offers staff: assign to me, set status (valid moves
 * only), tag, details, and for a text longer than the view shows, the full text as a file.
 */
export function commentActions(c: Comment, options: { details?: boolean; fullText?: boolean } = {}): types.ActionsBlock {
  const id = String(c.id);
  const elements: types.ActionsBlock['elements'] = [
    { type: 'button', action_id: ACTION_IDS.commentAssignMe, text: plain('Assign to me'), value: id },
    {
      type: 'static_select',
      action_id: ACTION_IDS.commentSetStatus,
      placeholder: plain('Set status'),
      options: TRANSITIONS[c.status].map((to) => ({ text: plain(STATUS_LABELS[to]), value: statusOptionValue(c.id, to) })),
    },
    { type: 'button', action_id: ACTION_IDS.commentTag, text: plain('Tag'), value: id },
  ];
  if (options.details !== false) elements.push({ type: 'button', action_id: ACTION_IDS.commentOpen, text: plain('Open details'), value: id });
  if (options.fullText) elements.push({ type: 'button', action_id: ACTION_IDS.commentFullText, text: plain('Send me the full text'), value: id });
  return { type: 'actions', block_id: CARD_ACTIONS_BLOCK, elements };
}

/**
 * A review card for the review channel: who, from where (with the source's own id of the
 * comment), about what, its position on the proposal, the text's start ("full text: N
 * characters" and a button for the rest when it is longer), campaign size, triage suggestions
 * (labelled as such) and the staff actions. Rebuilt from the comment on
 * every change and swapped in place with chat.update.
 */
export function commentCard(c: Comment, topics: readonly CommentTopic[]): SlackMessage {
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Comment ${c.trackingNumber}${c.title ? `: ${c.title}` : ''}`, SLACK_LIMITS.headerText) } },
    ...fieldSections([
      field('Status', statusText(c.status)),
      field('Assignee', who(c.assignee)),
      field('From', submitterText(c)),
      field('Organization', organizationText(c)),
      field('Topic', topicText(topics, c.topic)),
      field('Received', `${slackDate(c.receivedAt)} via ${sourceText(c)}`),
      ...(sourceIdText(c) ? [field('Document ID', sourceIdText(c)!)] : []),
      field('May be published', c.consentToPublish ? 'Yes' : '*No*: restricted in exports'),
      field('Tags', c.tags.length ? c.tags.map((t) => `\`${escapeMrkdwn(t)}\``).join(' ') : '_none_'),
      ...(positionText(c) ? [field('Position', positionText(c, 300)!)] : []),
    ]),
    { type: 'section', text: { type: 'mrkdwn', text: excerpt(c.text, CARD_EXCERPT_CHARS) } },
  ];
  const more = fullTextLine(c.text, CARD_EXCERPT_CHARS);
  for (const extra of [more, attachmentsText(c), similarText(c), suggestionsText(c, topics)]) {
    if (extra) blocks.push(context(extra));
  }
  blocks.push(commentActions(c, { fullText: more !== null }));
  blocks.push(context(`Updated ${slackDate(c.updatedAt)} · only Policy Desk staff can act on this card`));
  return {
    text: truncate(`Comment ${c.trackingNumber} from ${c.submitterName}: ${STATUS_LABELS[c.status]}`, SLACK_LIMITS.fallbackText),
    blocks,
  };
}
