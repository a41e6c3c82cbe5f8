import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import type { Db } from './types.ts';

// From the project root, not from this module: a build in dist/ puts this code elsewhere.
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'src', 'db', 'migrations');
/** Any constant works; it only has to be the same for every instance of the app. */
const MIGRATION_LOCK = 727_001;

/**
 * Applies migrations/NNN_name.sql in order, each once, all in one transaction. On Postgres a
 * transaction-scoped advisory lock makes a second instance (or a parallel test file) wait and
 * then see the committed schema_migrations rows; it is released even if this process dies.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = migrationFiles();
  return db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public; CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;',
    );
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.exec(await readFile(path.join(MIGRATIONS_DIR, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}

/** The code's migrations, in order (a directory listing: well under a millisecond). */
export function migrationFiles(): string[] {
  return readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

/**
 * The migrations the store has not recorded, by a read of schema_migrations and no lock: every
 * name there was committed with its migration's changes, so a store that lists all of the code's
 * migrations has their schema. The table is looked up in the schema tables are created in
 * (current_schema(): a test's own schema on Postgres, where search_path also names public), as
 * migrate() creates it; a store without it (a new one) lacks every migration.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const files = migrationFiles();
  const [where] = await db.query<{ rel: string | null }>(
    "SELECT to_regclass(quote_ident(current_schema()) || '.schema_migrations')::text AS rel",
  );
  if (!where?.rel) return files;
  const done = new Set((await db.query<{ name: string }>(`SELECT name FROM ${where.rel}`)).map((r) => r.name));
  return files.filter((f) => !done.has(f));
}

/**
 * For commands that only read a ready store (ask, docs, doctor, eval): one schema-version check,
 * and the migration work (lock, extensions, each pending file) only when the store is behind.
 * Returns the migrations applied, none on a current store.
 */
export async function migrateIfBehind(db: Db): Promise<string[]> {
  if ((await pendingMigrations(db)).length === 0) return [];
  return migrate(db);
}
