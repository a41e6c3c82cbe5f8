import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { applyFolderCatalogs, ask, createServices, ingest, type Services } from '../../src/app/services.ts';
import { filtersFrom } from '../../src/cli/shared.ts';
import { loadConfig } from '../../src/config.ts';
import { documentFacts } from '../../src/db/catalog.ts';
import type { Db } from '../../src/db/types.ts';
import type { Answer } from '../../src/domain/answer.ts';
import { createLogger } from '../../src/log.ts';
import { hybridSearch } from '../../src/search/retrieve.ts';
import { CORPUS_IDS } from '../helpers/corpus.ts';
import { CLI_TIMEOUT, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/**
 * `ask --from/--to` filter by the dates answers show: the catalog's issued date where one is
 * supplied (the 2023 revision states none in its text; the catalog says 2023-02), else the
 * text's. A partial date spans its days.
 */

let db: Db;
let services: Services;

beforeAll(async () => {
  db = await openTestDb();
  services = await createServices(loadConfig({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '' }), { db, logger: createLogger('silent') });
  await ingest(services, [BUNDLED_CORPUS_DIR]);
  await applyFolderCatalogs(services, [BUNDLED_CORPUS_DIR]);
});

afterAll(async () => {
  await db?.close();
});

/** The documents a search under the CLI's --from/--to can reach. */
async function reachable(opts: { from?: string; to?: string }): Promise<Set<string>> {
  const filters = await filtersFrom(opts);
  const found = await hybridSearch(db, services.embedder, 'conventional arms transfer policy', { k: 50, filters });
  return new Set(found.map((p) => p.documentId));
}

describe(`ask --from/--to use catalog dates as well as text dates (${dbLabel})`, () => {
  it('the 2023 revision has only a catalog date; the 2018 documents have text dates', async () => {
    const facts = await documentFacts(db, [CORPUS_IDS.policy2023, CORPUS_IDS.policy2018, CORPUS_IDS.factSheet]);
    expect(facts.get(CORPUS_IDS.policy2023)).toMatchObject({ publishedOn: '2023-02', dateSource: 'catalog', textDate: null });
    expect(facts.get(CORPUS_IDS.policy2018)).toMatchObject({ publishedOn: '2018-04-19', dateSource: 'text' });
    expect(facts.get(CORPUS_IDS.factSheet)).toMatchObject({ publishedOn: '2018-07-16', dateSource: 'text' });
  });

  it('--from 2023 keeps the document the catalog dates 2023-02, and only it', async () => {
    expect(await reachable({ from: '2023' })).toEqual(new Set([CORPUS_IDS.policy2023]));
    expect(await reachable({ from: '2023-02' })).toEqual(new Set([CORPUS_IDS.policy2023]));
    // Any day of February 2023 may be the date: a bound inside the month keeps it, one after it does not.
    expect(await reachable({ from: '2023-02-15' })).toEqual(new Set([CORPUS_IDS.policy2023]));
    expect(await reachable({ from: '2023-03' })).toEqual(new Set());
  });

  it('--to stops before or at the catalog date, and text dates filter as before', async () => {
    expect(await reachable({ to: '2022' })).toEqual(new Set([CORPUS_IDS.policy2018, CORPUS_IDS.factSheet]));
    expect(await reachable({ to: '2023-01-31' })).toEqual(new Set([CORPUS_IDS.policy2018, CORPUS_IDS.factSheet]));
    expect(await reachable({ to: '2023-02-01' })).toEqual(new Set([CORPUS_IDS.policy2018, CORPUS_IDS.factSheet, CORPUS_IDS.policy2023]));
    expect(await reachable({ from: '2018', to: '2018' })).toEqual(new Set([CORPUS_IDS.policy2018, CORPUS_IDS.factSheet]));
    expect(await reachable({ from: '2018-07', to: '2023' })).toEqual(new Set([CORPUS_IDS.factSheet, CORPUS_IDS.policy2023]));
  });

  it('an answer under --from 2023 cites the 2023 revision; under --to 2022 it never does', async () => {
    const q = 'What does the policy say about human rights?';
    const from = await ask(services, q, { filters: await filtersFrom({ from: '2023' }) });
    expect(from.abstained).toBe(false);
    expect(new Set(from.citations.map((c) => c.document.id))).toEqual(new Set([CORPUS_IDS.policy2023]));
    expect(from.citations[0]!.document).toMatchObject({ date: '2023-02', dateSource: 'catalog' });
    const to = await ask(services, q, { filters: await filtersFrom({ to: '2022' }) });
    expect(to.citations.length).toBeGreaterThan(0);
    // The superseded warning may add the current document's quote; the answer's own quotes are from 2018.
    const added = new Set((to.versions ?? []).flatMap((v) => v.added));
    expect(to.citations.filter((c) => !added.has(c.n)).map((c) => c.document.id)).not.toContain(CORPUS_IDS.policy2023);
  });

  it('refuses a malformed or impossible bound, and a range that ends before it starts', async () => {
    await expect(filtersFrom({ from: 'Feb 2023' })).rejects.toThrow(/YYYY, YYYY-MM or YYYY-MM-DD/);
    await expect(filtersFrom({ from: '2023-13' })).rejects.toThrow(/not a calendar date/);
    await expect(filtersFrom({ to: '2023-02-30' })).rejects.toThrow(/not a calendar date/);
    await expect(filtersFrom({ from: '2024', to: '2023' })).rejects.toThrow(/must not be after/);
    expect(await filtersFrom({ from: '2023', to: '2023-02' })).toMatchObject({ from: '2023-01-01', to: '2023-02-28' });
  });
});

// The real executable, once, on a store of its own on either database (the first ask ingests the bundled corpus and its catalog).
describe('policy-desk ask --from on the command line', () => {
  let store: CliStore;
  beforeAll(async () => {
    store = await cliStore('ask-dates');
  });
  afterAll(async () => {
    await store?.close();
  });

  it('ask --from 2023 --json cites only the document the catalog dates Feb 2023', async () => {
    const out = await runCli(store, ['ask', '--json', '--from', '2023', 'What does the policy say about human rights?']);
    expect(out.code, out.stderr).toBe(0);
    const answer = JSON.parse(out.stdout) as Answer;
    expect(answer.abstained).toBe(false);
    expect(answer.citations.map((c) => c.document.id).every((id) => id === CORPUS_IDS.policy2023)).toBe(true);
    expect(answer.citations[0]!.document).toMatchObject({ date: '2023-02', dateSource: 'catalog', status: 'current' });
  }, CLI_TIMEOUT);
});
