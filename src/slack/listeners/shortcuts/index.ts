import type { SlackListener } from '../../deps.ts';
import { askAboutMessage } from './ask-about-message.ts';
import { summarizeThreadShortcut } from './summarize-thread.ts';

export const shortcutListeners: SlackListener[] = [askAboutMessage, summarizeThreadShortcut];
