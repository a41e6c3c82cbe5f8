import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config.ts';
import { runConsole } from '../../src/console/console.ts';
import type { Db } from '../../src/db/types.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/log-capture.ts';

/* The local console's `summarize <file>`: the same thread summary as Slack and the CLI, attached files read from beside the export. */

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'threads');
let db: Db;
let services: Services;

beforeAll(async () => {
  db = await openTestDb();
  services = await createServices(loadConfig({ ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', SLACK_BOT_TOKEN: '' }), { db, logger: captureLogs().logger, skipEmbedderCheck: true } as never);
});
afterAll(async () => db?.close());

async function session(lines: string[]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await runConsole(services, Readable.from(lines.map((l) => `${l}\n`)), out);
  return text;
}

describe(`console summarize <file> (${dbLabel})`, () => {
  it('prints decisions, owners with due dates and the attached letter cited by page; a missing file is said plainly', async () => {
    const text = await session([`summarize ${path.join(FIXTURES, '09-letter-attached.json')}`, 'summarize /nowhere/thread.json']);
    expect(text).toContain('Decisions\n  - Settled then: co-production goes in as context, not as a criterion.');
    expect(text).toMatch(/Sam, can you check the wording with L before Thursday\? \(owner: Sam Okafor; due before Thursday \(2025-10-30\)\)/);
    expect(text).toContain('(northstar-letter.pdf, p. 2)');
    expect(text).toContain('Sorry, that failed: Cannot read /nowhere/thread.json: ENOENT');
  });

  it('a thread with no agreements or actions and every question answered has those sections empty', async () => {
    const text = await session([`summarize ${path.join(FIXTURES, '02-blue-lantern-qa.json')}`]);
    for (const section of ['Agreements', 'Disagreements', 'Decisions', 'Action items', 'Open questions']) expect(text).not.toContain(`\n${section}\n`);
    expect(text).toContain('Answered questions');
  });
});
