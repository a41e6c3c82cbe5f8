import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { migrate, migrateIfBehind } from './migrate.ts';
import type { Db } from './types.ts';

export type { Db, Queryable } from './types.ts';

export interface OpenDbOptions {
  /** PGlite only: keep the database in memory instead of under config.pgliteDir. */
  inMemory?: boolean;
  /** Postgres only: put the tables in this schema (tests isolate themselves this way). */
  schema?: string;
  /** PGlite in memory only: start from this dump of a migrated store instead of an empty one. */
  snapshot?: Blob;
  /**
   * `apply` (the default; ingest, start): run migrate(), which takes the lock and applies what is
   * pending. `if-behind` (commands that read a ready store): one read of schema_migrations, and
   * migrate() only when the store lacks one of the code's migrations.
   */
  migrations?: 'apply' | 'if-behind';
}

/**
 * Opens the configured store (Postgres when DATABASE_URL is set, else PGlite on disk) and migrates
 * it. Only the driver in use is loaded: PGlite (WebAssembly) and pg are each a start-up cost.
 */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'pgliteDir'>, options: OpenDbOptions = {}): Promise<Db> {
  let db: Db;
  try {
    db = config.databaseUrl
      ? await (await import('./postgres.ts')).openPostgres(config.databaseUrl, { schema: options.schema })
      : await (await import('./pglite.ts')).openPglite(options.inMemory ? undefined : config.pgliteDir, {
          loadDataDir: options.inMemory ? options.snapshot : undefined,
        });
    await (options.migrations === 'if-behind' ? migrateIfBehind(db) : migrate(db));
  } catch (err) {
    if (err instanceof AppError) throw err;
    const where = config.databaseUrl ? redactUrl(config.databaseUrl) : config.pgliteDir;
    throw new AppError('db.unavailable', `Could not open the database at ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return db;
}

/** Connection strings carry passwords; never print one. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
