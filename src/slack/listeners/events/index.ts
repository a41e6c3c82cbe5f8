import type { SlackListener } from '../../deps.ts';
import { appMention } from './app-mention.ts';
import { directMessage } from './direct-message.ts';
import { appHomeOpened } from './app-home-opened.ts';
import { libraryFiles } from './library-files.ts';

export const eventListeners: SlackListener[] = [appMention, directMessage, appHomeOpened, libraryFiles];
