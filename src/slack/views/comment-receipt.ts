import type { types } from '@slack/bolt';
import type { CommentTopic } from '../../config.ts';
import { receiptFields, topicLabel, type SubmitterView } from '../../comments/queue.ts';
import type { Comment } from '../../comments/schema.ts';
import { escapeMrkdwn, modalLabel, SLACK_LIMITS, splitText, truncate } from '../limits.ts';
import { field, fieldSections, slackDate, statusText } from './comment-parts.ts';
import { context, section, type SlackMessage } from './message.ts';

/** The copy of what was recorded: short fields side by side, the comment text quoted below. */
function recordedBlocks(comment: Comment, topics: readonly CommentTopic[]): types.KnownBlock[] {
  const fields = receiptFields(comment, topics, { maxTextChars: 2_500 });
  const short = fields.filter((f) => f.label !== 'Comment' && f.label !== 'Tracking number');
  const text = fields.find((f) => f.label === 'Comment')?.value ?? '';
  const blocks: types.KnownBlock[] = fieldSections(short.map((f) => field(f.label, escapeMrkdwn(f.value))));
  for (const piece of splitText(escapeMrkdwn(text), SLACK_LIMITS.sectionText - 10).slice(0, 2)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: piece.split('\n').map((l) => `>${l}`).join('\n').slice(0, SLACK_LIMITS.sectionText) } });
  }
  return blocks;
}

/**
 * The receipt: sent (ephemeral and DM) only after the comment is committed. `addedBy` names the
 * person who turned the submitter's Slack message into a comment.
 */
export function receiptMessage(comment: Comment, topics: readonly CommentTopic[], options: { addedBy?: string } = {}): SlackMessage {
  const intro = options.addedBy
    ? `<@${options.addedBy}> added your Slack message to the Policy Desk comment queue. It was recorded with tracking number *${comment.trackingNumber}*.`
    : `Thank you. Your comment was received and recorded with tracking number *${comment.trackingNumber}*.`;
  return {
    text: truncate(`Your comment was recorded with tracking number ${comment.trackingNumber}.`, SLACK_LIMITS.fallbackText),
    blocks: [
      section(`:white_check_mark: ${intro}`),
      ...recordedBlocks(comment, topics),
      context(`Check its status any time with \`/comment status ${comment.trackingNumber}\`.`),
    ],
  };
}

/** What the person who ran "Add to comment queue" sees when the message was someone else's. */
export function addedForOtherMessage(comment: Comment, authorId: string | null, dmSent: boolean): SlackMessage {
  const author = authorId ? `<@${authorId}>` : 'The author';
  const told = dmSent ? `${author} was sent a receipt with a copy of what was recorded.` : `${author} could not be sent a receipt in Slack.`;
  return {
    text: `Added to the comment queue as ${comment.trackingNumber}.`,
    blocks: [section(`:white_check_mark: Added to the comment queue with tracking number *${comment.trackingNumber}*. ${told}`)],
  };
}

/** A message already in the queue (the shortcut used twice on it): nothing new was stored. */
export function alreadyQueuedMessage(comment: Comment, showNumber: boolean): SlackMessage {
  const text = showNumber
    ? `That message is already in the comment queue as ${comment.trackingNumber}; nothing new was stored.`
    : 'That message is already in the comment queue; nothing new was stored.';
  return { text, blocks: [section(`:information_source: ${text}`)] };
}

/** The modal after a successful submission (response_action: update). */
export function receivedModal(comment: Comment, topics: readonly CommentTopic[]): types.ModalView {
  return {
    type: 'modal',
    title: modalLabel('Comment received'),
    close: modalLabel('Done'),
    blocks: [
      section(`:white_check_mark: Thank you. Your comment was recorded with tracking number *${comment.trackingNumber}*. A copy is in your direct messages with Policy Desk.`),
      ...recordedBlocks(comment, topics),
      context(`Check its status any time with \`/comment status ${comment.trackingNumber}\`.`),
    ],
  };
}

/** `/comment status <tracking number>`: the submitter's own comment. */
export function statusMessage(view: SubmitterView, topics: readonly CommentTopic[]): SlackMessage {
  const fields = [
    field('Status', statusText(view.status)),
    field('Received', slackDate(view.receivedAt)),
    field('Last change', slackDate(view.updatedAt)),
    field('Topic', view.topic ? escapeMrkdwn(topicLabel(topics, view.topic) ?? view.topic) : '_none given_'),
  ];
  if (view.title) fields.push(field('Subject', escapeMrkdwn(view.title)));
  if (view.attachments.length) fields.push(field('Attachments', escapeMrkdwn(view.attachments.join(', '))));
  return {
    text: `Comment ${view.trackingNumber}: ${view.statusLabel}`,
    blocks: [
      section(`*Comment ${view.trackingNumber}* is *${escapeMrkdwn(view.statusLabel)}*.`),
      ...fieldSections(fields),
      section(`>${escapeMrkdwn(view.excerpt.replace(/\s+/g, ' '))}${view.excerpt.length >= 300 ? '…' : ''}`),
    ],
  };
}

/** `/comment status` without a number: the submitter's own recent comments. */
export function ownCommentsMessage(views: readonly SubmitterView[]): SlackMessage {
  if (views.length === 0) {
    return {
      text: 'You have no comments in the queue.',
      blocks: [section('You have no comments in the Policy Desk queue yet. Send one with `/comment`.')],
    };
  }
  const lines = views.map((v) => `• *${v.trackingNumber}* · ${statusText(v.status)} · received ${slackDate(v.receivedAt, '{date_short}')} · ${escapeMrkdwn(truncate(v.title ?? v.excerpt.replace(/\s+/g, ' '), 80))}`);
  return {
    text: `Your ${views.length} most recent comments`,
    blocks: [section(`*Your comments* (most recent first)\n${lines.join('\n')}`), context('Details of one: `/comment status <tracking number>`.')],
  };
}
