import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';

/**
 * Output arrives whole through a pipe whose reader is slower than the writer (`| gzip`): the
 * CLI never ends the process with stdout pending. A slow reader (a child reading 16 KB at a
 * time with a pause) gets exactly the bytes `--out` (or a file as stdout) gets. PGlite in a
 * private data dir; processes spawned as cli.test.ts does.
 */

const BIN = path.join(PROJECT_ROOT, 'bin', 'policy-desk.js');
const SLOW = 240_000;
let dir: string;

const SLOW_READER = `
const fs = require('node:fs');
const out = fs.createWriteStream(process.argv[1]);
process.stdin.on('data', (c) => { out.write(c); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 3); });
process.stdin.on('end', () => out.end());
`;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) e[k] = process.env[k];
  return { ...e, POLICY_DESK_DATA_DIR: path.join(dir, 'data') };
}

/** Runs the CLI with stdout going to `stdout` ('pipe' is read by this test; a number is a file descriptor). */
function run(args: string[], stdout: 'pipe' | number = 'pipe'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: env(), stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

/** `policy-desk args | slow reader > file`: an OS pipe straight from the CLI to the reader. */
function runIntoSlowReader(args: string[], file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const reader = spawn(process.execPath, ['-e', SLOW_READER, file], { stdio: ['pipe', 'ignore', 'inherit'] });
    const cli = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: env(), stdio: ['ignore', reader.stdin, 'pipe'] });
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
  dir = await mkdtemp(path.join(tmpdir(), 'pd-pipe-'));
  // 600 distinct comments of about 6,000 characters: an export of several MB (few rows keep
  // the import, which this test does not measure, short).
  const words = 'export monitoring licence review ally diversion small firms compliance burden delay security technology night vision partner risk cost report'.split(' ');
  const rows = ['Document ID,Comment,First Name,Last Name,Category'];
  for (let i = 0; i < 600; i++) {
    const text = Array.from({ length: 880 }, (_, j) => words[(i * 7 + j * (i % 13 + 1)) % words.length]).join(' ');
    rows.push(`DOS-2018-0012-${String(10000 + i)},"Comment ${i}: ${text}.",Pat,Lee${i},Individual`);
  }
  await writeFile(path.join(dir, 'docket.csv'), rows.join('\n'));
  const imported = await run(['comments', 'import', path.join(dir, 'docket.csv')]);
  expect(imported.stderr).not.toMatch(/refused/);
  expect(imported.stdout).toMatch(/Imported 600 comment\(s\)/);
  await writeFile(path.join(dir, 'questions.txt'), Array.from({ length: 12 }, (_, i) => (i % 2 ? 'What are the three lines of effort?' : 'What does end-use monitoring cover?')).join('\n'));
}, SLOW);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('piped output arrives whole', () => {
  for (const format of ['csv', 'json']) {
    it(`comments export --format ${format} through a slow reader equals --out`, async () => {
      const viaOut = path.join(dir, `out.${format}`);
      const viaPipe = path.join(dir, `pipe.${format}`);
      const a = await run(['comments', 'export', '--format', format, '--out', viaOut]);
      expect(a.code).toBe(0);
      const b = await runIntoSlowReader(['comments', 'export', '--format', format], viaPipe);
      expect(b.code).toBe(0);
      expect(b.stderr).toMatch(/Exported 600 comment\(s\)/);
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
