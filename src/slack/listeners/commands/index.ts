import type { SlackListener } from '../../deps.ts';
import { askCommand } from './ask.ts';
import { summarizeCommand } from './summarize.ts';
import { commentCommand } from './comment.ts';
import { commentsCommand } from './comments.ts';
import { libraryCommand } from './library.ts';

export const commandListeners: SlackListener[] = [askCommand, summarizeCommand, commentCommand, commentsCommand, libraryCommand];
