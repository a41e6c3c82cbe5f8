import type { types } from '@slack/bolt';
import { encodePrivateMetadata, modalLabel, SLACK_LIMITS } from '../limits.ts';
import { ACTION_IDS, VIEW_IDS } from './ids.ts';
import { context, section, type SlackMessage } from './message.ts';

export const REASON_BLOCK = 'reason';
export const REASON_ACTION = 'reason_text';
export const PROBLEMS_BLOCK = 'problems';
export const PROBLEMS_ACTION = 'problem_kinds';
export const REASON_MAX = 1000;

export const PROBLEM_KINDS = {
  wrong: 'Wrong or out of date',
  unsupported: "The quotes don't support the answer",
  missed: 'Missed the point of my question',
  missing_source: 'A document I expected was not cited',
} as const;

export interface FeedbackMetadata {
  answerId: string;
  helpful: boolean;
}

/** The optional-reason modal that opens after a vote; the vote itself is already stored. */
export function feedbackReasonModal(meta: FeedbackMetadata): types.ModalView {
  const blocks: types.KnownBlock[] = [
    section(meta.helpful ? 'Thanks, your vote is recorded. Anything to add?' : 'Thanks, your vote is recorded. What was wrong? (optional)'),
  ];
  if (!meta.helpful) {
    blocks.push({
      type: 'input',
      block_id: PROBLEMS_BLOCK,
      optional: true,
      label: { type: 'plain_text', text: 'What went wrong' },
      element: {
        type: 'checkboxes',
        action_id: PROBLEMS_ACTION,
        options: Object.entries(PROBLEM_KINDS).map(([value, text]) => ({ value, text: { type: 'plain_text', text } })),
      },
    });
  }
  blocks.push({
    type: 'input',
    block_id: REASON_BLOCK,
    optional: true,
    label: { type: 'plain_text', text: meta.helpful ? 'Comment' : 'Details' },
    element: {
      type: 'plain_text_input',
      action_id: REASON_ACTION,
      multiline: true,
      max_length: Math.min(REASON_MAX, SLACK_LIMITS.inputMaxLength),
      placeholder: { type: 'plain_text', text: 'e.g. which document or passage should it have used' },
    },
  });
  blocks.push(context('Feedback is stored with the question, the answer and its citations, to improve the answers.'));
  return {
    type: 'modal',
    callback_id: VIEW_IDS.feedbackReason,
    title: modalLabel('Answer feedback'),
    submit: modalLabel('Send'),
    close: modalLabel('Skip'),
    private_metadata: encodePrivateMetadata(meta),
    blocks,
  };
}

/** Shown only to the person who voted, with a way to add the optional reason later. */
export function thanksMessage(answerId: string, helpful: boolean): SlackMessage {
  return {
    text: 'Thanks, your feedback is recorded.',
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':white_check_mark: Thanks, your feedback is recorded.' },
        accessory: {
          type: 'button',
          action_id: ACTION_IDS.addComment,
          text: { type: 'plain_text', text: 'Add a comment' },
          value: `${answerId}:${helpful ? 'helpful' : 'not_helpful'}`,
        },
      },
    ],
  };
}
