import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel } from '../helpers/db.ts';

/*
 * `ask` in LLM mode with OPENAI_BASE_URL on a port nothing listens on: the openai client's retries
 * end, nothing keeps the process alive, and the CLI exits non-zero with a message naming
 * OPENAI_BASE_URL (the answer itself still quotes the documents).
 */

let store: CliStore;
let closedPort: number;

/** A port that was free a moment ago: listened on, then closed. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  store = await cliStore('ask-unreachable');
  closedPort = await freePort();
});

afterAll(async () => {
  await store?.close();
});

describe(`ask with an unreachable OPENAI_BASE_URL (${dbLabel})`, () => {
  it('exits non-zero, naming OPENAI_BASE_URL and the address it could not reach', async () => {
    const baseUrl = `http://127.0.0.1:${closedPort}/v1`;
    const r = await runCli(store, ['ask', 'What are the three lines of effort?'], { env: { OPENAI_BASE_URL: baseUrl, OPENAI_MAX_RETRIES: '2' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`error: cannot reach the language model at OPENAI_BASE_URL=${baseUrl}`);
    expect(r.stderr).toContain(`connection refused at 127.0.0.1:${closedPort}`);
    // What it could do without the model is still printed.
    expect(r.stdout).toContain('(extractive answer)');
  }, CLI_TIMEOUT);

  it('exits 0 in extractive mode (no OPENAI_BASE_URL): the check is only for a configured server', async () => {
    const r = await runCli(store, ['ask', 'What are the three lines of effort?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('OPENAI_BASE_URL');
  }, CLI_TIMEOUT);
});
