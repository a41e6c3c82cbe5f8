import type { Config } from '../config.ts';
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';

/**
 * What the comment services need. `Services` (src/services.ts) has this shape, so a front end
 * passes its services object as it is; tests build one from a test database.
 */
export interface CommentDeps {
  db: Db;
  config: Pick<Config, 'comments'>;
  logger: Logger;
}
