import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDb, type Db } from '../../src/db/index.ts';
import { quoteIdent } from '../../src/db/postgres.ts';

/**
 * A fresh, migrated store for one test file: PGlite in memory by default, or a private
 * schema on the Postgres server named by DATABASE_URL (CI runs the suite both ways).
 */
export async function openTestDb(): Promise<Db & { label: string }> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    const db = await openDb(config, { inMemory: true, snapshot: await migratedSnapshot() });
    return Object.assign(db, { label: 'pglite' });
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await openDb(config, { schema });
  const close = db.close.bind(db);
  return Object.assign(db, {
    label: 'postgres',
    close: async () => {
      await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await close();
    },
  });
}

export const dbLabel = loadConfig().databaseUrl ? 'postgres' : 'pglite';

let snapshot: Promise<Blob | undefined> | undefined;

/** The migrated store the global setup dumped (test/setup/pglite-snapshot.ts); read once per file. */
function migratedSnapshot(): Promise<Blob | undefined> {
  snapshot ??= (async () => {
    const file = inject('pgliteSnapshot');
    return file ? new Blob([await readFile(file)]) : undefined;
  })();
  return snapshot;
}
