import type { SlackListener } from '../../deps.ts';
import { feedbackReason } from './feedback-reason.ts';
import { commentDetailsSubmission } from './comment-details.ts';
import { commentSubmission } from './comment-submission.ts';
import { commentTagsSubmission } from './comment-tags.ts';

export const viewListeners: SlackListener[] = [feedbackReason, commentSubmission, commentTagsSubmission, commentDetailsSubmission];
