/**
 * Every action_id and view callback_id the builders emit. The manifest test checks that each has
 * a registered listener and each listener handles one of these.
 */
export const ACTION_IDS = {
  helpful: 'feedback_helpful',
  notHelpful: 'feedback_not_helpful',
  addComment: 'feedback_comment',
  share: 'share_answer',
} as const;

export const VIEW_IDS = {
  feedbackReason: 'feedback_reason',
} as const;

export const SHORTCUT_IDS = {
  askAboutMessage: 'ask_about_message',
  summarizeThread: 'summarize_thread',
} as const;

export const COMMANDS = {
  ask: '/ask',
  summarize: '/summarize',
} as const;
