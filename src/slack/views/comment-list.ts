import type { types } from '@slack/bolt';
import type { CommentTopic } from '../../config.ts';
import type { Comment } from '../../comments/schema.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../limits.ts';
import { excerpt, organizationText, plain, slackDate, statusText, topicText, who } from './comment-parts.ts';
import { ACTION_IDS } from './ids.ts';
import { context, section, type SlackMessage } from './message.ts';

export const LIST_PAGE_SIZE = 10;
/** Button values are at most 2,000 characters: the filter text is kept well under. */
export const MAX_FILTER_CHARS = 1_000;

/** What a page or export button carries: the filter as typed, and the offset. */
export interface ListCursor {
  q: string;
  o: number;
}

export function encodeCursor(c: ListCursor): string {
  return JSON.stringify({ q: c.q.slice(0, MAX_FILTER_CHARS), o: c.o });
}

/** One comment in a list: a summary line, an excerpt, and an Open button (staff details). */
export function commentListItem(c: Comment, topics: readonly CommentTopic[]): types.SectionBlock {
  const line =
    `*${c.trackingNumber}* · ${statusText(c.status)} · ${escapeMrkdwn(c.submitterName)}, ${organizationText(c)}\n` +
    `${topicText(topics, c.topic)} · received ${slackDate(c.receivedAt, '{date_short}')} · ${who(c.assignee)}` +
    `${c.similarCount > 0 ? ` · ${c.similarCount} similar` : ''}${c.attachments.length ? ` · :paperclip: ${c.attachments.length}` : ''}\n` +
    excerpt(c.title ? `${c.title}: ${c.text}` : c.text, 200);
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(line, SLACK_LIMITS.sectionText) },
    accessory: { type: 'button', action_id: ACTION_IDS.commentOpen, text: plain('Open'), value: String(c.id) },
  };
}

/** `/comments`: one page of the filtered queue with paging and export buttons (shown only to the staff member). */
export function commentListMessage(args: {
  comments: readonly Comment[];
  total: number;
  offset: number;
  filterText: string;
  /** How the filter was understood, e.g. "status new · topic MTCR and UAS". */
  filterSummary: string;
  topics: readonly CommentTopic[];
}): SlackMessage {
  const { comments, total, offset } = args;
  const from = total === 0 ? 0 : offset + 1;
  const to = offset + comments.length;
  const heading =
    total === 0
      ? `No comments match ${args.filterSummary ? `_${escapeMrkdwn(args.filterSummary)}_` : 'the queue (it is empty)'}.`
      : `*${total} comment${total === 1 ? '' : 's'}*${args.filterSummary ? ` matching _${escapeMrkdwn(args.filterSummary)}_` : ''}, showing ${from}–${to}:`;
  const blocks: types.KnownBlock[] = [section(heading)];
  for (const c of comments) blocks.push(commentListItem(c, args.topics));
  const buttons: types.Button[] = [];
  if (offset > 0) {
    buttons.push({ type: 'button', action_id: ACTION_IDS.commentsPrev, text: plain('Previous'), value: encodeCursor({ q: args.filterText, o: Math.max(0, offset - LIST_PAGE_SIZE) }) });
  }
  if (to < total) buttons.push({ type: 'button', action_id: ACTION_IDS.commentsNext, text: plain('Next'), value: encodeCursor({ q: args.filterText, o: to }) });
  if (total > 0) {
    buttons.push(
      { type: 'button', action_id: ACTION_IDS.commentsExportCsv, text: plain(`Export ${total} as CSV`), value: encodeCursor({ q: args.filterText, o: 0 }) },
      { type: 'button', action_id: ACTION_IDS.commentsExportJson, text: plain('JSON'), value: encodeCursor({ q: args.filterText, o: 0 }) },
    );
  }
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'comments_list_actions', elements: buttons });
  blocks.push(context('Filters: `status:new,triaged` `topic:mtcr` `org:ngo` `assignee:me|none|@name` `tag:itar` `since:2026-01-01` `until:…` and words to search for. `/comments help` for more.'));
  return { text: total === 0 ? 'No comments match.' : `${total} comment${total === 1 ? '' : 's'} match.`, blocks };
}

export const COMMENTS_HELP =
  '*`/comments`* lists the comment queue (staff only), newest first, 10 at a time.\n' +
  '• `/comments status:new topic:mtcr org:ngo assignee:me since:2026-01-01 end-use monitoring`\n' +
  '• `status:` new, triaged, in_review, responded, closed, duplicate, spam, or `open` (new, triaged, in review); several with commas\n' +
  '• `topic:` a topic or the start of one (`none` for no topic) · `org:` industry, ngo, academia, government, individual, other\n' +
  '• `assignee:` `me`, `none`, or a person (`@name`) · `tag:` a tag · `since:` / `until:` YYYY-MM-DD · `from:` part of a name, e-mail or organization\n' +
  '• Other words search the text and the attachments ("quoted phrases", -excluded words).\n' +
  '• `/comments export csv <filters>` (or `json`) sends you the file in a direct message; so do the Export buttons under a list.' +
  '\n• `/comments summary [topic] [since YYYY-MM-DD] [shareable]` summarizes the comments: themes with counts, quotes with tracking numbers, campaigns counted once; `shareable` never quotes a comment without consent to publish.';
