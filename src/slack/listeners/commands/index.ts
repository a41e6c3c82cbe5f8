import type { SlackListener } from '../../deps.ts';
import { askCommand } from './ask.ts';

export const commandListeners: SlackListener[] = [askCommand];
