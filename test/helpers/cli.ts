import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';
import type { Db } from '../../src/db/index.ts';
import { openTestDb } from './db.ts';

/*
 * The real `policy-desk` executable in child processes, on a store of the test's own: a PGlite
 * data dir, or, when the suite runs on Postgres (DATABASE_URL), a private schema of that server
 * that the CLI is pointed at through the connection's search_path. So the CLI's tests run on both
 * databases like the rest of the suite.
 */

export const BIN = path.join(PROJECT_ROOT, 'bin', 'policy-desk.js');
/** A process starts in well under a second; PGlite, OCR and a corpus ingest take more under load. Never asserted. */
export const CLI_TIMEOUT = 120_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliStore {
  /** A temporary directory of the test's own; the PGlite store (if any) is in `dataDir`. */
  dir: string;
  /** POLICY_DESK_DATA_DIR, and DATABASE_URL on Postgres. */
  env: Record<string, string>;
  /** The same store opened in this process, for seeding and checks (the Postgres schema's connection); PGlite stores open it themselves, one process at a time. */
  db?: Db;
  label: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/**
 * A fresh store for CLI processes. On PGlite it starts as a copy of the migrated on-disk store
 * the global setup made (test/setup/pglite-snapshot.ts), so no process pays for initdb; `empty`
 * leaves the data dir for the CLI to create.
 */
export async function cliStore(prefix: string, options: { empty?: boolean } = {}): Promise<CliStore> {
  const dir = await mkdtemp(path.join(tmpdir(), `pd-${prefix}-`));
  const dataDir = path.join(dir, 'data');
  if (process.env.DATABASE_URL) {
    const db = await openTestDb();
    const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    const url = new URL(process.env.DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${row!.schema},public`);
    return {
      dir,
      env: { POLICY_DESK_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
      db,
      label: 'postgres',
      close: async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const template = inject('pgliteStoreTemplate');
  if (template && !options.empty) await cp(template, path.join(dataDir, 'pglite'), { recursive: true });
  return { dir, env: { POLICY_DESK_DATA_DIR: dataDir }, label: 'pglite', close: () => rm(dir, { recursive: true, force: true }) };
}

/** Only what a process needs: no OPENAI_*, SLACK_* or other settings from the developer's shell. */
export function cliEnv(store: Pick<CliStore, 'env'>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...store.env, ...extra };
}

/** Runs the CLI to its end. `stdout` 'pipe' is read here; a number is a file descriptor (or a pipe's write end) it writes to. */
export function runCli(
  store: Pick<CliStore, 'env'>,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdout?: 'pipe' | number | NodeJS.WritableStream } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: cliEnv(store, options.env),
      stdio: ['ignore', (options.stdout ?? 'pipe') as 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
