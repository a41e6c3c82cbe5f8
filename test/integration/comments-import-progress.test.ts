import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formLetterDocket } from '../../bench/form-letters.ts';
import { BIN, cliEnv, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel } from '../helpers/db.ts';

/*
 * `policy-desk comments import` shows progress on stderr when it is a terminal: a bar for the rows
 * and one for the campaign grouping. Run under a pseudo-terminal (util-linux `script`), and with
 * plain pipes, where no bar is drawn.
 */

const SLOW = 240_000;
let store: CliStore;
let dir: string;
let first: string;
let second: string;

/** A docket of `n` generated comments as a regulations.gov bulk-download CSV. */
async function docketCsv(name: string, n: number, seed: number): Promise<string> {
  const rows = formLetterDocket(n, { seed }).map((c, i) => ({ 'Document ID': `${name}-${String(i + 1).padStart(4, '0')}`, Comment: c.text }));
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, stringify(rows, { header: true }));
  return file;
}

/** Runs the CLI with stdin, stdout and stderr on a pseudo-terminal; returns what the terminal showed. */
function runOnTerminal(args: string[]): Promise<{ code: number | null; screen: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...cliEnv(store), TERM: 'xterm', COLUMNS: '120' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

beforeAll(async () => {
  store = await cliStore('import-progress');
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-import-progress-'));
  first = await docketCsv('PROG', 600, 31);
  second = await docketCsv('PIPE', 300, 37);
});

afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`comments import progress (${dbLabel})`, () => {
  it('on a terminal, draws a bar for the rows and one for the campaign grouping', async () => {
    const r = await runOnTerminal(['comments', 'import', first]);
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toMatch(/Importing \[[^\]]*\] \d+\/600/);
    expect(r.screen).toMatch(/Grouping +\[[^\]]*\] \d+\/\d+ campaigns/);
    expect(r.screen).toContain('Imported 600 comment(s)');
  }, SLOW);

  it('with stderr on a pipe, draws no bar and still reports the import', async () => {
    const r = await runCli(store, ['comments', 'import', second]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Importing \[|Grouping +\[/);
    expect(r.stdout).toContain('Imported 300 comment(s)');
  }, SLOW);
});

