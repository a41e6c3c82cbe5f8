import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { applyFolderCatalogs, ask, createServices, ingest, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config.ts';
import { documentFacts, type DocumentFacts } from '../../src/db/catalog.ts';
import type { Db } from '../../src/db/types.ts';
import { createLogger } from '../../src/log.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { sentenceSpans } from '../../src/text/sentences.ts';
import { CORPUS_IDS } from '../helpers/corpus.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { messagesOf, passagesIn, reply, startOpenAIStandIn, type ChatRequest, type OpenAIStandIn, type Reply, type SeenPassage } from '../helpers/openai-stand-in.ts';

/**
 * LLM mode and versions: what the model is told about each passage's document (title, date and
 * where it came from, status, what supersedes it), and the warning the code adds when the model
 * cites only a superseded document, over the bundled corpus and its catalog.
 */

let db: Db;
let standIn: OpenAIStandIn;
let services: Services;
let facts: Map<string, DocumentFacts>;

const HUMAN_RIGHTS_2018 = 'What does the 2018 policy say about human rights?';

beforeAll(async () => {
  db = await openTestDb();
  standIn = await startOpenAIStandIn();
  const config = loadConfig({ OPENAI_BASE_URL: standIn.baseUrl, OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: '2000', OPENAI_MAX_RETRIES: '0' });
  services = await createServices(config, { db, embedder: new HashingEmbedder(), logger: createLogger('silent') });
  expect((await ingest(services, [BUNDLED_CORPUS_DIR])).failed).toBe(0);
  const outcomes = await applyFolderCatalogs(services, [BUNDLED_CORPUS_DIR]);
  expect(outcomes.length).toBeGreaterThan(0);
  facts = await documentFacts(db);
});

afterAll(async () => {
  await standIn?.close();
  await db?.close();
});

beforeEach(() => standIn.reset());
afterEach(() => {
  expect(standIn.scriptErrors).toEqual([]);
  expect(standIn.unexpected, 'chat requests the test did not script').toBe(0);
});

function factsByTitle(title: string): DocumentFacts {
  const f = [...facts.values()].find((d) => d.title === title);
  if (!f) throw new Error(`no stored document titled "${title}"`);
  return f;
}

/** A model that cites one sentence containing `needle` from a passage `pick` accepts, and says nothing about versions. */
function citing(needle: string, pick: (p: SeenPassage) => boolean): (req: ChatRequest) => Reply {
  return (req) => {
    for (const p of passagesIn(req).filter(pick)) {
      for (const s of sentenceSpans(p.text)) {
        const quote = p.text.slice(s.start, s.end);
        if (quote.toLowerCase().includes(needle)) {
          return reply.json({ answer: `The policy addresses ${needle} [1].`, abstain: false, citations: [{ n: 1, passageId: p.id, quote }] });
        }
      }
    }
    throw new Error(`no chosen passage has a sentence with "${needle}"`);
  };
}

describe(`LLM answers know each document's date, its source and status (${dbLabel})`, () => {
  it('sends every passage with its title, date and date source, status, and what supersedes it', async () => {
    standIn.enqueue(citing('human rights', (p) => p.attributes.status === 'superseded'));
    const a = await ask(services, HUMAN_RIGHTS_2018);
    expect(a.mode).toBe('llm');
    const [chat, ...more] = standIn.chatRequests();
    expect(more).toHaveLength(0);
    const seen = passagesIn(chat!);
    expect(seen.length).toBeGreaterThan(1);
    // The helper read every fence of the user message: none was missed by its pattern.
    expect(seen).toHaveLength((messagesOf(chat!, 'user')[0]!.match(/<passage id=/g) ?? []).length);
    for (const p of seen) {
      const f = factsByTitle(p.document);
      expect(p.date).toBe(f.publishedOn ?? 'unknown');
      expect(p.attributes.date_source).toBe(f.publishedOn ? f.dateSource! : undefined);
      expect(p.attributes.status).toBe(f.status ?? 'unknown');
    }
    const old = seen.find((p) => p.document === facts.get(CORPUS_IDS.policy2018)!.title)!;
    expect(old).toBeDefined();
    expect(old.attributes).toMatchObject({ date: '2018-04-19', date_source: 'text', status: 'superseded' });
    // The successor is named by its catalog title and its supplied date, marked as supplied.
    const revision = facts.get(CORPUS_IDS.policy2023)!;
    expect(revision).toMatchObject({ publishedOn: '2023-02', dateSource: 'catalog', status: 'current' });
    expect(old.attributes.superseded_by).toBe(`${revision.title}, Feb 2023 (catalog)`);
    // The raw request body carries the facts in the form the model reads them.
    expect(JSON.stringify(chat!.body)).toContain('date=\\"2018-04-19\\" date_source=\\"text\\" status=\\"superseded\\"');
    const system = messagesOf(chat!, 'system')[0]!;
    expect(system).toContain('Prefer passages from current documents');
    expect(system).toContain('say so in the answer and name the document that superseded it');
  });

  it('a model answer citing only the superseded 2018 policy still gets the warning, and the current document is cited on the point', async () => {
    standIn.enqueue(citing('human rights', (p) => p.attributes.status === 'superseded'));
    const a = await ask(services, HUMAN_RIGHTS_2018);
    expect(a).toMatchObject({ mode: 'llm', abstained: false });
    // What the model wrote, untouched, then the code's note.
    expect(a.answer.startsWith('The policy addresses human rights [1].')).toBe(true);
    expect(a.citations[0]!.document).toMatchObject({ id: CORPUS_IDS.policy2018, status: 'superseded', dateSource: 'text', date: '2018-04-19' });
    const note = a.versions?.find((v) => v.document.id === CORPUS_IDS.policy2018);
    expect(note).toBeDefined();
    expect(note!.cited).toEqual([1]);
    expect(note!.supersededBy.map((d) => d.id)).toEqual([CORPUS_IDS.policy2023]);
    expect(a.answer).toContain('\n\nNote: [1] is from "U.S. Conventional Arms Transfer Policy" (dated Apr 19, 2018), superseded by "The U.S. Conventional Arms Transfer Policy" (issued Feb 2023 (catalog)).');
    // The current revision covers human rights: the code cites it too, as in extractive mode.
    expect(note!.added.length).toBeGreaterThan(0);
    for (const n of note!.added) {
      const c = a.citations[n - 1]!;
      expect(c.document).toMatchObject({ id: CORPUS_IDS.policy2023, status: 'current', dateSource: 'catalog', date: '2023-02' });
      expect(c.passage).toContain(c.quote);
      expect(a.answer).toContain(`[${n}]`);
    }
    expect(a.answer).toContain('On this point the current document says:');
  });

  it('a model answer citing only the current document gets no superseded warning', async () => {
    standIn.enqueue(citing('human rights', (p) => p.attributes.status === 'current'));
    const a = await ask(services, 'What is the current policy on human rights?');
    expect(a).toMatchObject({ mode: 'llm', abstained: false, answer: 'The policy addresses human rights [1].' });
    expect(a.citations.map((c) => c.document.id)).toEqual([CORPUS_IDS.policy2023]);
    expect(a.versions).toBeUndefined();
  });
});
