import type { SlackListener } from '../../deps.ts';
import { appMention } from './app-mention.ts';
import { directMessage } from './direct-message.ts';
import { appHomeOpened } from './app-home-opened.ts';

export const eventListeners: SlackListener[] = [appMention, directMessage, appHomeOpened];
