import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/summarize/types.ts';
import { CLI_TIMEOUT as SLOW, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { PEOPLE, repliesPages, SHORT_THREAD_TS, shortThread, THREAD_CHANNEL } from '../helpers/thread-fixtures.ts';

/*
 * `policy-desk summarize-thread --file` and `policy-desk comments summary` in child processes:
 * text and --json, on a store of this file's own (test/helpers/cli.ts: PGlite, or a private
 * Postgres schema).
 */

let dir: string;
let store: CliStore;
const run = (args: string[]) => runCli(store, args);

beforeAll(async () => {
  store = await cliStore('summarize');
  dir = store.dir;
  const users = Object.fromEntries(PEOPLE.map((p) => [p.id, { name: p.name, organization: p.organization }]));
  await writeFile(path.join(dir, 'thread.json'), JSON.stringify({ channel: THREAD_CHANNEL, permalink_base: 'https://acme.slack.com', users, messages: shortThread() }));
  await writeFile(path.join(dir, 'pages.json'), JSON.stringify(repliesPages(shortThread(), 4)));
  await writeFile(path.join(dir, 'broken.json'), '{"messages": [');
  const letter = '"I urge the Department of State to stop arms sales to governments that commit atrocities against civilians. Weapons made in America must never be used against innocent people."';
  const rows = [
    'c1,Ann Lee,ann@uni.edu,academia,Export controls and ITAR,"Deemed export rules hurt university research labs that work with foreign students.",yes',
    'c2,Cy Young,cy@acme.com,industry,Export controls and ITAR,"License reviews for close allies take far too long and push partners toward foreign suppliers.",no',
    'c3,Dee Park,dee@ngo.org,ngo,Human rights and IHL,"Human rights vetting must be completed before any sale of munitions is approved.",yes',
    ...[4, 5, 6, 7].map((i) => `c${i},Citizen ${i},citizen${i}@example.net,individual,Human rights and IHL,${letter},${i === 4 ? 'no' : 'yes'}`),
  ];
  await writeFile(path.join(dir, 'docket.csv'), `id,name,email,organizationType,topic,comment,consentToPublish\n${rows.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  await store?.close();
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

describe('policy-desk comments summary', () => {
  it(
    'summarizes the imported docket: the campaign once, no quote without consent when shareable, JSON and text',
    async () => {
      const imported = await run(['comments', 'import', path.join(dir, 'docket.csv')]);
      expect(imported.code, imported.stderr).toBe(0);
      const r = await run(['comments', 'summary', '--json', '--shareable']);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as Summary;
      expect(s).toMatchObject({ kind: 'docket', mode: 'extractive', shareable: true, stats: { docket: { comments: 7, distinct: 4, campaigns: 1, campaignComments: 4, withoutConsent: 2 } } });
      expect(s.campaigns).toEqual([expect.objectContaining({ size: 4 })]);
      expect(r.stdout).not.toContain('License reviews for close allies take far too long');
      expect(r.stderr).toMatch(/Summarized 7 comment\(s\), 4 distinct, into \d+ theme\(s\) \(extractive, shareable\)/);

      const text = await run(['comments', 'summary', '--topic', 'Export controls and ITAR']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^Docket summary: Export controls and ITAR \(extractive: quoted sentences, staff only\)\n2 comments: 2 distinct submissions; by organization type: Academia 1, Industry 1; by topic: Export controls and ITAR 2; by organization label: academia 1, industry 1; 1 comment without consent to publish/);
    },
    SLOW,
  );

  it(
    'refuses a malformed date',
    async () => {
      const r = await run(['comments', 'summary', '--since', 'last week']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Expected --since YYYY-MM-DD');
    },
    SLOW,
  );
});
