/**
 * Every action_id and view callback_id the builders emit. The manifest test checks that each has
 * a registered listener and each listener handles one of these.
 */
export const ACTION_IDS = {
  helpful: 'feedback_helpful',
  notHelpful: 'feedback_not_helpful',
  addComment: 'feedback_comment',
  share: 'share_answer',
  // The comment queue: review cards, the details modal, /comments and the App Home.
  commentNew: 'comment_new',
  commentAssignMe: 'comment_assign_me',
  commentSetStatus: 'comment_set_status',
  commentTag: 'comment_tag',
  commentOpen: 'comment_open',
  commentFullText: 'comment_full_text',
  commentsPrev: 'comments_page_prev',
  commentsNext: 'comments_page_next',
  commentsExportCsv: 'comments_export_csv',
  commentsExportJson: 'comments_export_json',
} as const;

export const VIEW_IDS = {
  feedbackReason: 'feedback_reason',
  commentForm: 'comment_form',
  commentTags: 'comment_tags',
  commentDetails: 'comment_details',
} as const;

export const SHORTCUT_IDS = {
  askAboutMessage: 'ask_about_message',
  summarizeThread: 'summarize_thread',
  submitComment: 'submit_comment',
  addToCommentQueue: 'add_to_comment_queue',
} as const;

export const COMMANDS = {
  ask: '/ask',
  summarize: '/summarize',
  comment: '/comment',
  comments: '/comments',
  library: '/library',
} as const;
