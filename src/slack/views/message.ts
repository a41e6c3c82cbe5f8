import type { types } from '@slack/bolt';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../limits.ts';

/** What the listeners post: fallback text (notifications, screen readers) and blocks. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

export function section(mrkdwn: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.sectionText) } };
}

export function context(...mrkdwn: string[]): types.ContextBlock {
  return {
    type: 'context',
    elements: mrkdwn.slice(0, SLACK_LIMITS.contextElements).map((t) => ({ type: 'mrkdwn', text: truncate(t, SLACK_LIMITS.contextText) })),
  };
}

/**
 * The short message a user sees when something failed: what happened in a sentence, and a
 * reference id that staff can find in the log. Never a stack trace or SQL.
 */
export function errorMessage(summary: string, referenceId: string): SlackMessage {
  const text = `${summary} Please try again in a minute. If it keeps happening, tell the Policy Desk team: reference ${referenceId}.`;
  return {
    text,
    blocks: [section(`:warning: ${escapeMrkdwn(summary)} Please try again in a minute.`), context(`If it keeps happening, tell the Policy Desk team: reference \`${referenceId}\``)],
  };
}

export function noticeMessage(text: string): SlackMessage {
  return { text, blocks: [section(escapeMrkdwn(text))] };
}

export const ASK_USAGE =
  'Ask a question about the policy documents, e.g. `/ask What are the three lines of effort in the implementation plan?`';

export function usageMessage(how: string): SlackMessage {
  return {
    text: how.replace(/`/g, ''),
    blocks: [section(how), context('Answers quote the ingested policy documents and cite each quote. Nothing is invented: when the documents do not say, the answer says so.')],
  };
}
