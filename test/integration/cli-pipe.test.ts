import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { BIN, cliEnv, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel } from '../helpers/db.ts';

/**
 * Output arrives whole through a pipe whose reader is slower than the writer (`| gzip`): the
 * CLI never ends the process with stdout pending. A slow reader (a child reading 16 KB at a
 * time with a pause) gets exactly the bytes `--out` (or a file as stdout) gets. On a store of
 * this file's own (test/helpers/cli.ts: PGlite, or a private Postgres schema).
 */

const SLOW = 240_000;
let dir: string;

const SLOW_READER = `
const fs = require('node:fs');
const out = fs.createWriteStream(process.argv[1]);
process.stdin.on('data', (c) => { out.write(c); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 3); });
process.stdin.on('end', () => out.end());
`;

let store: CliStore;

/** Runs the CLI with stdout going to `stdout` ('pipe' is read by this test; a number is a file descriptor). */
const run = (args: string[], stdout: 'pipe' | number = 'pipe') => runCli(store, args, { stdout });

/** `policy-desk args | slow reader > file`: an OS pipe straight from the CLI to the reader. */
function runIntoSlowReader(args: string[], file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const reader = spawn(process.execPath, ['-e', SLOW_READER, file], { stdio: ['pipe', 'ignore', 'inherit'] });
    const cli = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: cliEnv(store), stdio: ['ignore', reader.stdin, 'pipe'] });
    let err = '';
    cli.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    let code: number | null = null;
    cli.on('error', reject);
    cli.on('close', (c) => {
      code = c;
      reader.stdin.end();
    });
    reader.on('close', () => resolve({ code, stderr: err }));
  });
}

beforeAll(async () => {
  store = await cliStore('pipe');
  dir = store.dir;
  // 200 distinct comments of about 18,000 characters: an export of several MB (few rows keep
  // the import, which this test does not measure, short).
  const words = 'export monitoring licence review ally diversion small firms compliance burden delay security technology night vision partner risk cost report'.split(' ');
  const rows = ['Document ID,Comment,First Name,Last Name,Category'];
  for (let i = 0; i < 200; i++) {
    const text = Array.from({ length: 2640 }, (_, j) => words[(i * 7 + j * (i % 13 + 1)) % words.length]).join(' ');
    rows.push(`DOS-2018-0012-${String(10000 + i)},"Comment ${i}: ${text}.",Pat,Lee${i},Individual`);
  }
  await writeFile(path.join(dir, 'docket.csv'), rows.join('\n'));
  const imported = await run(['comments', 'import', path.join(dir, 'docket.csv')]);
  expect(imported.stderr).not.toMatch(/refused/);
  expect(imported.stdout).toMatch(/Imported 200 comment\(s\)/);
  await writeFile(path.join(dir, 'questions.txt'), Array.from({ length: 12 }, (_, i) => (i % 2 ? 'What are the three lines of effort?' : 'What does end-use monitoring cover?')).join('\n'));
}, SLOW);
afterAll(async () => {
  await store?.close();
});

describe(`piped output arrives whole (${dbLabel})`, () => {
  for (const format of ['csv', 'json']) {
    it(`comments export --format ${format} through a slow reader equals --out`, async () => {
      const viaOut = path.join(dir, `out.${format}`);
      const viaPipe = path.join(dir, `pipe.${format}`);
      const a = await run(['comments', 'export', '--format', format, '--out', viaOut]);
      expect(a.code).toBe(0);
      const b = await runIntoSlowReader(['comments', 'export', '--format', format], viaPipe);
      expect(b.code).toBe(0);
      expect(b.stderr).toMatch(/Exported 200 comment\(s\)/);
      const [x, y] = await Promise.all([readFile(viaOut), readFile(viaPipe)]);
      expect(x.byteLength).toBeGreaterThan(3 * 1024 * 1024);
      expect(y.byteLength).toBe(x.byteLength);
      expect(y.equals(x)).toBe(true);
    }, SLOW);
  }

  it('ask --file --json through a slow reader equals the same output written to a file', async () => {
    const viaFile = path.join(dir, 'ask-file.jsonl');
    const viaPipe = path.join(dir, 'ask-pipe.jsonl');
    const fd = openSync(viaFile, 'w');
    try {
      const a = await run(['ask', '--file', path.join(dir, 'questions.txt'), '--json'], fd);
      expect(a.code).toBe(0);
    } finally {
      closeSync(fd);
    }
    const b = await runIntoSlowReader(['ask', '--file', path.join(dir, 'questions.txt'), '--json'], viaPipe);
    expect(b.code).toBe(0);
    const [x, y] = await Promise.all([readFile(viaFile, 'utf8'), readFile(viaPipe, 'utf8')]);
    const strip = (s: string) => s.split('\n').filter(Boolean).map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), timings: undefined, ref: undefined, id: undefined, createdAt: undefined }));
    expect(y.split('\n').filter(Boolean)).toHaveLength(12);
    expect(strip(y)).toEqual(strip(x));
  }, SLOW);
});
