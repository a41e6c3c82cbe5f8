import type { SlackListener } from '../../deps.ts';
import { feedbackComment, feedbackVotes } from './feedback.ts';
import { shareAnswer } from './share-answer.ts';

export const actionListeners: SlackListener[] = [feedbackVotes, feedbackComment, shareAnswer];
