import type { Config } from '../config.ts';
import type { Db, Queryable } from '../db/types.ts';
import type { Logger } from '../log.ts';

/**
 * What the comment services need. `Services` (src/app/services.ts) has this shape, so a front end
 * passes its services object as it is; tests build one from a test database.
 */
export interface CommentDeps {
  db: Db;
  config: Pick<Config, 'comments'>;
  logger: Logger;
  /**
   * Runs inside the transaction of every change to a comment (status, assignee, tags, notes),
   * after the change: the Slack app enqueues the job that updates the comment's review card, so
   * the job exists exactly when the change does. Nothing when unset (the CLI without Slack).
   */
  onChange?: (tx: Queryable, commentId: number) => Promise<void>;
}
