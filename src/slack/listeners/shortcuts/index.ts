import type { SlackListener } from '../../deps.ts';
import { askAboutMessage } from './ask-about-message.ts';

export const shortcutListeners: SlackListener[] = [askAboutMessage];
