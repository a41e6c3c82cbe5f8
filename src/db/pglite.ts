import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, Queryable } from './types.ts';

/**
 * `dataDir` undefined keeps the database in memory (tests); otherwise it persists on disk.
 * `loadDataDir` starts an in-memory database from a dump (PGlite's dumpDataDir), which skips
 * initdb: the test suite starts each file from one migrated snapshot this way.
 */
export async function openPglite(dataDir: string | undefined, options: { loadDataDir?: Blob } = {}): Promise<Db> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pg = options.loadDataDir && !dataDir
    ? await PGlite.create({ loadDataDir: options.loadDataDir, extensions: { vector, pg_trgm } })
    : await PGlite.create(dataDir ?? 'memory://', { extensions: { vector, pg_trgm } });
  // PGlite has one connection: a transaction holds it, so statements issued outside the
  // transaction's callback wait on this queue instead of interleaving with it.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    kind: 'pglite',
    query: <T>(sql: string, params?: unknown[]) =>
      serial(async () => (await pg.query<T>(sql, params)).rows),
    exec: (sql: string) => serial(async () => void (await pg.exec(sql))),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      serial(() =>
        pg.transaction(async (tx) =>
          fn({
            query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
            exec: async (sql: string) => void (await tx.exec(sql)),
          }),
        ),
      ),
    close: () => serial(() => pg.close()),
    dump: () => serial(() => pg.dumpDataDir('none')),
  };
}
