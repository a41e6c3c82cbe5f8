import type { SlackListener } from '../../deps.ts';
import { feedbackComment, feedbackVotes } from './feedback.ts';
import { shareAnswer } from './share-answer.ts';
import { commentAssignMe } from './comment-assign.ts';
import { commentNew } from './comment-new.ts';
import { commentFullText } from './comment-full-text.ts';
import { commentOpen } from './comment-open.ts';
import { commentSetStatus } from './comment-status.ts';
import { commentTag } from './comment-tag.ts';
import { commentsExport } from './comments-export.ts';
import { commentsPage } from './comments-page.ts';

export const actionListeners: SlackListener[] = [feedbackVotes, feedbackComment, shareAnswer, commentNew, commentAssignMe, commentSetStatus, commentTag, commentOpen, commentFullText, commentsPage, commentsExport];
