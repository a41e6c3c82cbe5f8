import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../ingest/pipeline.ts';
import type { Summary } from '../../src/summarize/types.ts';
import { PEOPLE, repliesPages, SHORT_THREAD_TS, shortThread, THREAD_CHANNEL } from '../helpers/thread-fixtures.ts';

/* `policy-desk summarize-thread --file` in a child process: text and --json from a conversations.replies export. */

const BIN = path.join(PROJECT_ROOT, 'bin', 'policy-desk.js');
const SLOW = 120_000;
let dir: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k];
  env.POLICY_DESK_DATA_DIR = path.join(dir, 'data');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-summarize-'));
  const users = Object.fromEntries(PEOPLE.map((p) => [p.id, { name: p.name, organization: p.organization }]));
  await writeFile(path.join(dir, 'thread.json'), JSON.stringify({ channel: THREAD_CHANNEL, permalink_base: 'https://acme.slack.com', users, messages: shortThread() }));
  await writeFile(path.join(dir, 'pages.json'), JSON.stringify(repliesPages(shortThread(), 4)));
  await writeFile(path.join(dir, 'broken.json'), '{"messages": [');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('policy-desk summarize-thread', () => {
  it(
    'prints the summary as text, each point numbered to a permalink',
    async () => {
      const r = await run(['summarize-thread', '--file', path.join(dir, 'thread.json')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('(extractive: quoted sentences, staff only)');
      expect(r.stdout).toContain('Positions\n  Maya Chen (ISN/CATR)');
      expect(r.stdout).toContain(`[1] Maya Chen (ISN/CATR)  https://acme.slack.com/archives/${THREAD_CHANNEL}/p${SHORT_THREAD_TS.replace('.', '')}`);
      expect(r.stderr).toContain('Summarized 10 of 12 message(s) (extractive).');
    },
    SLOW,
  );

  it(
    'prints the same model as JSON, from a list of pages with user ids for names',
    async () => {
      const r = await run(['summarize-thread', '--file', path.join(dir, 'pages.json'), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as Summary;
      expect(s).toMatchObject({ kind: 'thread', mode: 'extractive', stats: { thread: { messages: 12, summarized: 10 } } });
      expect(s.openQuestions[0]!.sources[0]).toEqual({ kind: 'message', id: '1760100240.000104', label: 'ULENA004' });
    },
    SLOW,
  );

  it(
    'says what is wrong with a file that is not an export',
    async () => {
      const r = await run(['summarize-thread', '--file', path.join(dir, 'broken.json')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/broken\.json is not JSON/);
    },
    SLOW,
  );
});
