import type { App } from '@slack/bolt';
import type { Logger } from '../log.ts';
import type { Services } from '../app/services.ts';

/** What every listener gets: the shared services (DB, search, answers) and the structured log. */
export interface SlackDeps {
  services: Services;
  logger: Logger;
}

export type ListenerKind = 'event' | 'command' | 'shortcut' | 'action' | 'view';

/**
 * One listener module. `handles` says what it answers to, in manifest terms (event names like
 * `message.im`, `/ask`, callback and action ids); the manifest test compares these with manifest.yml.
 */
export interface SlackListener {
  handles: ReadonlyArray<{ kind: ListenerKind; name: string }>;
  register(app: App, deps: SlackDeps): void;
}
