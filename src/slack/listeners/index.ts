import type { App } from '@slack/bolt';
import type { SlackDeps, SlackListener } from '../deps.ts';
import { actionListeners } from './actions/index.ts';
import { assistantListeners } from './assistant/index.ts';
import { commandListeners } from './commands/index.ts';
import { eventListeners } from './events/index.ts';
import { shortcutListeners } from './shortcuts/index.ts';
import { viewListeners } from './views/index.ts';

/** Every listener the app registers; the manifest test reads `handles` from this list. */
export const allListeners: SlackListener[] = [
  ...assistantListeners,
  ...eventListeners,
  ...commandListeners,
  ...shortcutListeners,
  ...actionListeners,
  ...viewListeners,
];

export function registerListeners(app: App, deps: SlackDeps): void {
  for (const listener of allListeners) listener.register(app, deps);
}
