import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, Queryable } from './types.ts';

/**
 * PGlite is one session in this process, but starts Postgres with the server defaults: 128 MB of
 * shared buffers and lock space for 100 connections, set up at every start. A store the size of
 * an office's library works in 16 MB (the operating system caches the files below it), and every
 * start, each CLI command's included, is about 0.7 s shorter (2.1 s -> 1.4 s to open the bundled
 * corpus's store on 2 busy cores). Ten connections' worth of locks (640) still lets one
 * transaction touch every table and index (a migration, a test schema dropped whole).
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'max_connections=10'];

/**
 * `dataDir` undefined keeps the database in memory (tests); otherwise it persists on disk.
 * `loadDataDir` starts an in-memory database from a dump (PGlite's dumpDataDir), which skips
 * initdb: the test suite starts each file from one migrated snapshot this way.
 */
export async function openPglite(dataDir: string | undefined, options: { loadDataDir?: Blob } = {}): Promise<Db> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const settings = { extensions: { vector, pg_trgm }, startParams: START_PARAMS };
  const pg = options.loadDataDir && !dataDir
    ? await PGlite.create({ loadDataDir: options.loadDataDir, ...settings })
    : await PGlite.create(dataDir ?? 'memory://', settings);
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
