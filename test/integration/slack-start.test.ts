import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { ACTION_IDS } from '../../src/slack/views/ids.ts';
import { BIN, cliEnv, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel } from '../helpers/db.ts';
import { buttonClick, eventEnvelope, interactionForm, mentionEvent, signedPost, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-stand-in.ts';

/** `policy-desk start` as a user runs it, on a store of its own (test/helpers/cli.ts: PGlite, or a private Postgres schema). */
function startCli(env: Record<string, string>, store: Pick<CliStore, 'env'>): { child: ChildProcessWithoutNullStreams; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'start'], { env: cliEnv(store, { LOG_LEVEL: 'warn', ...env }) });
  const lines: string[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function waitForLine(lines: string[], re: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    for (const l of lines) {
      const m = l.match(re);
      if (m) return m;
    }
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${re}; stdout so far:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`npm start (${dbLabel})`, () => {
  let standIn: SlackStandIn;
  let store: CliStore;

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    store = await cliStore('start');
  });

  afterAll(async () => {
    await standIn?.stop();
    await store?.close();
  });

  it('runs the Slack app over HTTP when Slack credentials are set, says so first, ingests, answers, and stops on SIGTERM', async () => {
    let answerId = '';
    const cli = startCli({ SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0' }, store);
    try {
      const [, port] = await waitForLine(cli.lines, /^Ready on port (\d+) /);
      expect(cli.lines[0]).toMatch(/^Policy Desk Slack app, HTTP mode/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);

      const ts = standIn.nextTs();
      const res = await signedPost(`http://127.0.0.1:${port}/slack/events`, eventEnvelope(mentionEvent({ text: 'What are the three lines of effort?', ts, channel: 'CSTART' })).body);
      expect(res.status).toBe(200);
      // The bundled corpus was ingested on start, so the answer has citations.
      const post = await standIn.waitFor('the answer', () => standIn.callsOf('chat.postMessage').find((c) => c.body.thread_ts === ts), 20_000);
      expect(JSON.stringify(post.body.blocks)).toContain('*[1]');

      answerId = JSON.stringify(post.body.blocks).match(/"value":"(a_[^"]+)"/)![1]!;
      const click = buttonClick({ actionId: ACTION_IDS.helpful, value: answerId, responseUrl: standIn.responseUrl('start-vote'), channel: 'CSTART' });
      expect((await signedPost(`http://127.0.0.1:${port}/slack/events`, interactionForm(click), { contentType: 'application/x-www-form-urlencoded' })).status).toBe(200);
      await standIn.waitFor('the thank-you note', () => standIn.calls.find((c) => c.responseId === 'start-vote'));
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);

    // The vote is in the store: `policy-desk feedback export` writes it as CSV and JSON.
    const run = async (args: string[]) => {
      const r = await runCli(store, args, { env: { LOG_LEVEL: 'warn' } });
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const csvFile = path.join(store.dir, 'feedback.csv');
    const csv = await run(['feedback', 'export', '--format', 'csv', '--out', csvFile]);
    expect(csv.stderr).toContain('Exported 1 feedback record(s) (1 helpful, 0 not helpful) as csv to');
    const rows = parseCsv(await readFile(csvFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ helpful: 'yes', question: 'What are the three lines of effort?', mode: 'extractive', channel_id: 'CSTART', answer_id: answerId });
    expect(JSON.parse(rows[0]!.citations!).length).toBeGreaterThan(0);
    const json = await run(['feedback', 'export', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ helpful: true, answerId, userId: 'UASKER1' })]);
  }, 120_000);

  it('runs the local console without Slack credentials, and says so first', async () => {
    // Same store as above: already created and ingested, so this starts quickly.
    const cli = startCli({}, store);
    cli.child.stdin.end('/quit\n');
    expect(await cli.exited).toBe(0);
    expect(cli.lines[0]).toMatch(/^Policy Desk local console \(no Slack credentials configured\)/);
  }, 60_000);

  it('refuses half a Slack configuration with a clear message', async () => {
    const cli = startCli({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET }, { env: { POLICY_DESK_DATA_DIR: path.join(store.dir, 'half') } });
    let err = '';
    cli.child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await cli.exited).toBe(1);
    expect(err).toContain('SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET is set');
  });
});
