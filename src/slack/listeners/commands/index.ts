import type { SlackListener } from '../../deps.ts';
import { askCommand } from './ask.ts';
import { summarizeCommand } from './summarize.ts';

export const commandListeners: SlackListener[] = [askCommand, summarizeCommand];
