import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.ts';
import { openDb } from '../../src/db/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A dump of a freshly migrated PGlite store; empty when the suite runs on Postgres. */
    pgliteSnapshot: string;
    /** A migrated PGlite store on disk for CLI processes to start from (test/helpers/cli.ts); empty on Postgres. */
    pgliteStoreTemplate: string;
  }
}

/**
 * PGlite's initdb costs seconds in every test file; loading a dump of one migrated store costs
 * a third of that. The dump is made here, once per run, from the migrations as they are now, so
 * a new migration is in it without any step. Each file still gets a database of its own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (loadConfig().databaseUrl) {
    project.provide('pgliteSnapshot', '');
    project.provide('pgliteStoreTemplate', '');
    return async () => undefined;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'pd-pglite-snapshot-'));
  const file = path.join(dir, 'migrated.tar');
  const db = await openDb(loadConfig(), { inMemory: true });
  const blob = await db.dump!();
  await db.close();
  await writeFile(file, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteSnapshot', file);
  // The same migrations in a store on disk, which a CLI test copies instead of paying for initdb.
  const template = path.join(dir, 'store');
  const onDisk = await openDb(loadConfig({ POLICY_DESK_DATA_DIR: template }));
  await onDisk.close();
  project.provide('pgliteStoreTemplate', path.join(template, 'pglite'));
  return async () => rm(dir, { recursive: true, force: true });
}
