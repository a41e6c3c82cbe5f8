import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExportCsv, type ExportRecord } from '../../src/comments/export.ts';
import { cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel } from '../helpers/db.ts';

let dir: string;
let store: CliStore;

/** Runs the CLI (test/helpers/cli.ts: this file's own store, PGlite or a private Postgres schema); resolves with its output and exit code, also when it fails. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const r = await runCli(store, args, { env: { LOG_LEVEL: 'warn', STAFF_USER_IDS: '' }, cwd: dir });
  return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? 1 };
}

beforeAll(async () => {
  store = await cliStore('comments-cli');
  dir = store.dir;
  await mkdir(path.join(dir, 'in'));
  await writeFile(
    path.join(dir, 'in', 'sheet.csv'),
    'id,name,email,organizationType,topic,comment,consentToPublish\n' +
      'c1,Ann Lee,ann@uni.edu,academia,Export controls and ITAR,"Deemed export rules hurt research labs.",yes\n' +
      'c2,Bob,not-mail,individual,,"Hello",no\n' +
      'c3,Cy Young,cy@acme.com,industry,MTCR and UAS,"Armed drone exports need clear rules.",no\n',
  );
  await writeFile(
    path.join(dir, 'in', 'one.eml'),
    'From: Dana Ross <dana@peacewatch.org>\r\nMessage-ID: <dana-1@peacewatch.org>\r\nSubject: IHL\r\nDate: Mon, 4 Mar 2024 09:00:00 +0000\r\n\r\nCivilian harm must weigh in every decision.\r\n',
  );
}, 60_000);
afterAll(async () => {
  await store?.close();
});

describe(`policy-desk comments (${dbLabel})`, { timeout: 120_000 }, () => {
  let tracking: string[] = [];

  it('imports, printing a receipt line per comment, the failures, and a summary', async () => {
    const r = await cli('comments', 'import', path.join(dir, 'in'));
    expect(r.code).toBe(1); // one row could not be read
    const receipts = r.stdout.split('\n').filter((l) => l.startsWith('received '));
    expect(receipts).toHaveLength(3);
    for (const line of receipts) expect(line).toMatch(/^received [0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4}  .+(sheet\.csv line \d|one\.eml)$/);
    tracking = receipts.map((l) => l.split(' ')[1]!);
    expect(r.stderr).toMatch(/failed .*sheet\.csv line 3: email: Enter a valid e-mail address/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Imported 3 comment(s); 0 already imported (skipped); 1 could not be read (skipped).');
  });

  it('re-imports without duplicating', async () => {
    const r = await cli('comments', 'import', path.join(dir, 'in'));
    expect(r.stdout.split('\n').filter((l) => l.startsWith('already imported '))).toHaveLength(3);
    expect(r.stdout).toContain('Imported 0 comment(s); 3 already imported (skipped)');
  });

  it('lists, changes status and assignee, shows the audit log', async () => {
    const list = JSON.parse((await cli('comments', 'list', '--json', '--org-type', 'academia,industry')).stdout) as { total: number };
    expect(list.total).toBe(2);
    const [t] = tracking;
    expect((await cli('comments', 'set-status', t!, 'triaged', '--note', 'first look')).stdout).toBe(`${t} is now Triaged.\n`);
    const bad = await cli('comments', 'set-status', t!, 'responded');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Cannot move .* from Triaged to Responded: a Triaged comment can only move to In review/);
    expect((await cli('comments', 'assign', t!, 'U0REVIEW')).stdout).toBe(`${t} is assigned to U0REVIEW.\n`);
    const show = await cli('comments', 'show', t!);
    expect(show.stdout).toMatch(/Status: Triaged, assigned to U0REVIEW/);
    expect(show.stdout).toMatch(/cli {2}status new → triaged {2}\(first look\)/);
    expect((await cli('comments', 'list', '--assignee', 'U0REVIEW')).stdout).toContain(t!);
  });

  it('exports CSV to a file that parses back to the JSON export', async () => {
    const out = path.join(dir, 'export.csv');
    const r = await cli('comments', 'export', '--format', 'csv', '--out', out);
    expect(r.stderr).toMatch(/Exported 3 comment\(s\) to .*export\.csv; 2 without consent to publish/);
    const json = JSON.parse((await cli('comments', 'export', '--format', 'json')).stdout) as ExportRecord[];
    expect(parseExportCsv(await readFile(out, 'utf8'))).toEqual(json);
    const since = JSON.parse((await cli('comments', 'export', '--format', 'json', '--status', 'triaged')).stdout) as ExportRecord[];
    expect(since.map((x) => x.trackingNbr)).toEqual([tracking[0]]);
  });
});
