import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDb, type Db } from '../../src/db/index.ts';
import { migrate, migrateIfBehind, migrationFiles, pendingMigrations } from '../../src/db/migrate.ts';
import { quoteIdent } from '../../src/db/postgres.ts';
import type { Queryable } from '../../src/db/types.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/**
 * Opening a store: commands that read a ready store (ask, docs, doctor, eval) check the schema
 * version instead of migrating (openDb's `migrations: 'if-behind'`); a store behind the code is
 * still migrated. On PGlite and Postgres (a private schema, search_path also naming public).
 */

/** The real store, with every statement it is given written down (what ran, and in a transaction or not). */
function recording(db: Db): Db & { log: string[] } {
  const log: string[] = [];
  const wrap = (q: Queryable, where: string): Queryable => ({
    query: (sql, params) => (log.push(`${where}: ${sql}`), q.query(sql, params)),
    exec: (sql) => (log.push(`${where}: ${sql}`), q.exec(sql)),
  });
  return Object.assign(Object.create(db) as Db, {
    ...wrap(db, 'query'),
    kind: db.kind,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => {
      log.push('transaction');
      return db.transaction((tx) => fn(wrap(tx, 'tx')));
    },
    close: () => db.close(),
    log,
  });
}

describe(`opening a store (${dbLabel})`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a migrated store records every migration the code has', async () => {
    const files = migrationFiles();
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files).toEqual([...files].sort());
    expect(await pendingMigrations(db)).toEqual([]);
  });

  it('on a ready store the version check is one read, with no lock, no transaction and nothing applied', async () => {
    const spy = recording(db);
    expect(await migrateIfBehind(spy)).toEqual([]);
    expect(spy.log).not.toContain('transaction');
    expect(spy.log.length).toBeLessThanOrEqual(2);
    expect(spy.log.every((s) => /^query: SELECT /.test(s))).toBe(true);
    // The same store through migrate(): the transaction, the lock (Postgres), the extensions.
    const full = recording(db);
    expect(await migrate(full)).toEqual([]);
    expect(full.log).toContain('transaction');
    expect(full.log.some((s) => s.includes('CREATE EXTENSION IF NOT EXISTS vector'))).toBe(true);
  });

  it('a store missing its latest migration is behind, by that one', async () => {
    const latest = migrationFiles().at(-1)!;
    const [row] = await db.query<{ applied_at: Date }>('SELECT applied_at FROM schema_migrations WHERE name = $1', [latest]);
    await db.query('DELETE FROM schema_migrations WHERE name = $1', [latest]);
    try {
      expect(await pendingMigrations(db)).toEqual([latest]);
    } finally {
      await db.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [latest, row!.applied_at]);
    }
    expect(await pendingMigrations(db)).toEqual([]);
  });

  it('a new store opened for reading is migrated in full', async () => {
    const config = loadConfig();
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const fresh = config.databaseUrl ? await openDb(config, { schema, migrations: 'if-behind' }) : await openDb(config, { inMemory: true, migrations: 'if-behind' });
    try {
      expect(await pendingMigrations(fresh)).toEqual([]);
      const [n] = await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(n!.n).toBe(migrationFiles().length);
      // The tables are in the new store itself (on Postgres: its schema, not public's).
      expect(await fresh.query('SELECT id FROM documents')).toEqual([]);
      if (config.databaseUrl) {
        const [where] = await fresh.query<{ rel: string }>("SELECT to_regclass($1)::text AS rel", [`${schema}.documents`]);
        expect(where!.rel).not.toBeNull();
      }
    } finally {
      if (config.databaseUrl) await fresh.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await fresh.close();
    }
  });
});
