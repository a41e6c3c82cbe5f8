import type { SlackListener } from '../../deps.ts';
import { feedbackReason } from './feedback-reason.ts';

export const viewListeners: SlackListener[] = [feedbackReason];
