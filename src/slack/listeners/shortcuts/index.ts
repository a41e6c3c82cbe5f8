import type { SlackListener } from '../../deps.ts';
import { askAboutMessage } from './ask-about-message.ts';
import { summarizeThreadShortcut } from './summarize-thread.ts';
import { addToCommentQueue } from './add-to-comment-queue.ts';
import { submitCommentShortcut } from './submit-comment.ts';

export const shortcutListeners: SlackListener[] = [askAboutMessage, summarizeThreadShortcut, submitCommentShortcut, addToCommentQueue];
