import type { types } from '@slack/bolt';
import type { CommentTopic } from '../../config.ts';
import type { QueueHome, SubmitterView } from '../../comments/queue.ts';
import { COMMENT_STATUSES, ORGANIZATION_TYPE_LABELS, ORGANIZATION_TYPES, STATUS_LABELS } from '../../comments/schema.ts';
import { escapeMrkdwn, fitBlocks, SLACK_LIMITS, truncate } from '../limits.ts';
import { commentListItem } from './comment-list.ts';
import { field, fieldSections, plain, slackDate, statusText } from './comment-parts.ts';
import { ACTION_IDS } from './ids.ts';
import { context, section } from './message.ts';

function submitButton(): types.ActionsBlock {
  return {
    type: 'actions',
    block_id: 'home_submit',
    elements: [{ type: 'button', style: 'primary', action_id: ACTION_IDS.commentNew, text: plain('Submit a comment'), value: 'home' }],
  };
}

const header = (text: string): types.HeaderBlock => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText) } });

/**
 * The Home tab for staff: counts by status, topic and organization type, their own assignments,
 * and the comments waiting longest for a first look, each with an Open button. Kept within 100
 * blocks: the lists give way first, with a note.
 */
export function staffHomeView(home: QueueHome, topics: readonly CommentTopic[]): types.HomeView {
  const c = home.counts;
  const head: types.KnownBlock[] = [
    header('Comment queue'),
    section(`*${c.total}* comment${c.total === 1 ? '' : 's'} in all, *${c.open}* open (new, triaged or in review).`),
    submitButton(),
    { type: 'divider' },
    section('*By status*'),
    ...fieldSections(COMMENT_STATUSES.map((s) => field(STATUS_LABELS[s], String(c.byStatus[s])))),
    section('*By topic*'),
    ...fieldSections(c.byTopic.map((t) => field(truncate(t.label, 100), String(t.count)))),
    section('*By organization type*'),
    ...fieldSections(ORGANIZATION_TYPES.map((t) => field(ORGANIZATION_TYPE_LABELS[t], String(c.byOrganizationType[t])))),
    { type: 'divider' },
  ];
  const items: types.KnownBlock[][] = [];
  items.push([header(`Assigned to you (${home.mine.length})`)]);
  if (home.mine.length === 0) items.push([context('Nothing open is assigned to you. Use *Assign to me* on a card.')]);
  for (const m of home.mine) items.push([commentListItem(m, topics)]);
  items.push([header('Oldest unreviewed')]);
  if (home.oldestUnreviewed.length === 0) items.push([context('Nothing is waiting for a first look.')]);
  for (const o of home.oldestUnreviewed) items.push([commentListItem(o, topics)]);
  items.push([context('`/comments` lists and filters the whole queue; `/comments help` shows how.')]);
  return {
    type: 'home',
    blocks: fitBlocks(head, items, {
      max: SLACK_LIMITS.homeBlocks,
      overflowNote: (n) => `${n} more not shown here; use \`/comments\`.`,
    }) as types.KnownBlock[],
  };
}

/** The Home tab for everyone else: what Policy Desk does with comments, a button, and their own comments. */
export function visitorHomeView(own: readonly SubmitterView[]): types.HomeView {
  const head: types.KnownBlock[] = [
    header('Policy Desk'),
    section(
      'Policy Desk answers questions about U.S. conventional arms transfer policy from the policy documents (`/ask`), and takes ' +
        'stakeholder comments for the policy team. Anyone can submit a comment, including people from partner organizations in shared channels. ' +
        'You get a tracking number and a copy of what was recorded.',
    ),
    submitButton(),
    context('Also: `/comment` opens the same form; *Add to comment queue* in a message’s ⋮ menu turns a message into a comment; `/comment status <tracking number>` shows where yours is.'),
  ];
  const items: types.KnownBlock[][] = [];
  if (own.length) {
    items.push([{ type: 'divider' }, section('*Your comments*')]);
    for (const v of own) {
      items.push([
        section(truncate(`*${v.trackingNumber}* · ${statusText(v.status)} · received ${slackDate(v.receivedAt, '{date_short}')}\n${escapeMrkdwn(truncate(v.title ?? v.excerpt.replace(/\s+/g, ' '), 150))}`, SLACK_LIMITS.sectionText)),
      ]);
    }
  }
  return { type: 'home', blocks: fitBlocks(head, items, { max: SLACK_LIMITS.homeBlocks, overflowNote: (n) => `${n} more; \`/comment status\` lists them.` }) as types.KnownBlock[] };
}
