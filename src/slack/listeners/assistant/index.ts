import type { SlackListener } from '../../deps.ts';
import { assistantPane } from './assistant.ts';

export const assistantListeners: SlackListener[] = [assistantPane];
