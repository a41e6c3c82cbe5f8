import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/domain/answer.ts';
import { dbLabel } from '../helpers/db.ts';
import { CLI_TIMEOUT as SLOW, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { BAKLAVA_QUESTION, CORPUS_FILES, CORPUS_IDS, THREE_LINES, THREE_LINES_QUESTION } from '../helpers/corpus.ts';

/*
 * The real `policy-desk` executable in child processes, on a store shared by the whole file
 * (tests run in order: the first `ask` ingests the corpus the later commands see): a PGlite data
 * dir, or this file's private schema when the suite runs on Postgres.
 */

let store: CliStore;
let dataDir: string;
const run = (args: string[], env: Record<string, string> = {}) => runCli(store, args, { env });

function factSheetCitationWithLines(answer: Answer): boolean {
  return answer.citations.some(
    (c) => c.document.id === CORPUS_IDS.factSheet && c.document.date === '2018-07-16' && THREE_LINES.every((l) => c.quote.includes(l)),
  );
}

beforeAll(async () => {
  store = await cliStore('cli');
  dataDir = store.dir;
}, SLOW);

afterAll(async () => {
  await store?.close();
});

describe(`policy-desk CLI (${dbLabel})`, () => {
  it('prints help for the program and every command, exit 0', async () => {
    const commands = ['ingest', 'ask', 'docs', 'reindex', 'doctor', 'eval', 'start'];
    const [top, ...each] = await Promise.all([run(['--help']), ...commands.map((c) => run([c, '--help']))]);
    expect(top!.code).toBe(0);
    for (const c of commands) expect(top!.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    each.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout, commands[i]).toMatch(new RegExp(`^Usage: policy-desk ${commands[i]}\\b`));
    });
    const askHelp = each[1]!.stdout;
    for (const opt of ['--json', '--top-k', '--file', '--doc', '--from', '--to']) expect(askHelp).toContain(opt);
  }, SLOW);

  it('stops with exit 1 and a message naming the variable on a bad environment value', async () => {
    const r = await run(['docs'], { EMBEDDER: 'foo' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+EMBEDDER: expected "hashing" \(local, the default\) or "openai"$/m);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, SLOW);

  it('ask --json on an empty store ingests the bundled corpus, says so on stderr, and cites the fact sheet', async () => {
    const r = await run(['ask', THREE_LINES_QUESTION, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/The store was empty, so the bundled policy corpus was ingested first\. Ingested 5 document\(s\)/);
    const answer = JSON.parse(r.stdout) as Answer;
    expect(answer).toMatchObject({ question: THREE_LINES_QUESTION, mode: 'extractive', abstained: false });
    expect(factSheetCitationWithLines(answer)).toBe(true);
    for (const c of answer.citations) expect(c.passage).toContain(c.quote);
  }, SLOW);

  it('ask --json shows how the question was read as query: kind, time scope, corrected words', async () => {
    const question = 'Is the 2018 arms tranfers polcy still in effect under Biden?';
    const r = await run(['ask', question, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout) as Answer;
    expect(answer.question).toBe(question);
    expect(answer.query).toMatchObject({ text: question, kind: 'status', time: { current: true, administrations: ['Biden'] } });
    expect(answer.query!.time.years).toContainEqual({ from: 2018, to: 2018 });
    expect(answer.query!.corrections.map((c) => [c.word, c.to])).toEqual([
      ['tranfers', 'transfer'],
      ['polcy', 'policy'],
    ]);
  }, SLOW);

  it('ask --file --json answers one question per line, one JSON object per line, in order', async () => {
    const file = path.join(dataDir, 'questions.txt');
    await writeFile(file, `${THREE_LINES_QUESTION}\n\n${BAKLAVA_QUESTION}\n`);
    const r = await run(['ask', '--file', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/store was empty/);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Answer);
    expect(first!.question).toBe(THREE_LINES_QUESTION);
    expect(first!.abstained).toBe(false);
    expect(factSheetCitationWithLines(first!)).toBe(true);
    expect(second).toMatchObject({ question: BAKLAVA_QUESTION, abstained: true, citations: [] });
  }, SLOW);

  it('docs lists the five ingested documents', async () => {
    const r = await run(['docs']);
    expect(r.code, r.stderr).toBe(0);
    for (const id of Object.values(CORPUS_IDS)) expect(r.stdout).toMatch(new RegExp(`^${id}$`, 'm'));
    expect(r.stdout).toContain('Implementation of the Conventional Arms Transfer (CAT) Policy');
    // The date shows with its source and the status where the catalog supplies one ("Jul 16, 2018" is the text's date).
    expect(r.stdout).toMatch(/fact_sheet; Jul 16, 2018[^;]*; Office of the Spokesperson;/);
    expect(r.stdout).toContain(`ingest/corpus/${CORPUS_FILES.factSheet}`);
    expect(r.stdout).toMatch(/^5 document\(s\), \d+ chunk\(s\)\.$/m);
  }, SLOW);

  it('doctor passes every check and lists them', async () => {
    const r = await run(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const check of ['config', 'database', 'extensions', 'embedder', 'corpus']) {
      expect(r.stdout).toMatch(new RegExp(`^ok\\s+${check}\\b`, 'm'));
    }
    expect(r.stdout).toMatch(new RegExp(`${store.label} `));
    expect(r.stdout).toMatch(/hashing-v1 \(384 dimensions\)/);
    expect(r.stdout).toMatch(/bundled corpus 5\/5 ingested/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('All checks passed.');
  }, SLOW);

  it('ingest of a broken file exits non-zero with the per-file error', async () => {
    const bad = path.join(dataDir, 'broken.pdf');
    await writeFile(bad, 'not a pdf at all');
    const r = await run(['ingest', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed: Cannot read "${bad}" as PDF`);
    expect(r.stdout).toMatch(/^Ingested 0 document\(s\), 0 chunk\(s\); 0 unchanged \(skipped\), 1 failed, in [\d.]+ s\.$/m);
  }, SLOW);
});
