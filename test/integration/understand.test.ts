import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR, ingestPaths, type IngestContext } from '../../ingest/pipeline.ts';
import { extractiveAnswer } from '../../src/answer/extractive.ts';
import { listAcronyms, refreshAcronyms } from '../../src/db/acronyms.ts';
import type { Db } from '../../src/db/index.ts';
import type { Passage } from '../../src/domain/passage.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { analyzeQuery } from '../../src/search/query.ts';
import { hybridSearch } from '../../src/search/retrieve.ts';
import { understandQuestion } from '../../src/search/understand.ts';
import { isEnglishWord, relatedWords } from '../../src/search/wordnet.ts';
import { CORPUS_FILES, CORPUS_IDS, THREE_LINES } from '../helpers/corpus.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

const embedder = new HashingEmbedder(256);
let db: Db & { label: string };
let dir: string;
const ctx = (): IngestContext => ({ db, embedder, chunking: { targetChars: 900, overlapChars: 150 } });
const EXTRA = 'widget-note.txt';

beforeAll(async () => {
  db = await openTestDb();
  dir = await mkdtemp(path.join(tmpdir(), 'understand-'));
  await cp(BUNDLED_CORPUS_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.yml') && !src.endsWith('README.md') });
  await writeFile(
    path.join(dir, EXTRA),
    'Widget exports\n\nThe Office of Widget Export Review (OWER) reviews widget licences. Each OWER review takes ten days.\n',
  );
  await ingestPaths(ctx(), [dir]);
}, 120_000);

afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`acronyms mined at ingest (${dbLabel})`, () => {
  it('stores the definitions the documents give, in either form', async () => {
    const all = await listAcronyms(db);
    const pairs = all.map((a) => `${a.short} = ${a.long}`);
    expect(pairs).toContain('DTSA = Defense Technology Security Agency');
    expect(pairs).toContain('NSPM = National Security Presidential Memorandum');
    expect(pairs).toContain('MTCR = Missile Technology Control Regime');
    expect(pairs).toContain('ISN/CATR = Conventional Arms Threat Reduction');
    expect(pairs).toContain('OWER = Office of Widget Export Review');
    // Three documents define CAT the same way: one entry, counted three times.
    expect(all.find((a) => a.short === 'CAT')).toMatchObject({ long: 'Conventional Arms Transfer', documents: 3 });
  });

  it('expands a short form to its long form and back', async () => {
    const short = await understandQuestion(db, 'What does DTSA do?');
    expect(short.expansions).toContainEqual(expect.objectContaining({ from: 'DTSA', add: 'Defense Technology Security Agency', source: 'acronym' }));
    const long = await understandQuestion(db, 'What did the Missile Technology Control Regime decide about drones?');
    expect(long.expansions).toContainEqual(expect.objectContaining({ add: 'MTCR', source: 'acronym' }));
    // Dotted and lower-case spellings name the same acronym; an English word does not.
    const dotted = await understandQuestion(db, 'Who decides on O.W.E.R. reviews?');
    expect(dotted.searchText).toContain('OWER');
    expect(dotted.expansions).toContainEqual(expect.objectContaining({ add: 'Office of Widget Export Review' }));
    expect((await understandQuestion(db, 'who runs catr')).expansions).toContainEqual(
      expect.objectContaining({ from: 'catr', add: 'Conventional Arms Threat Reduction' }),
    );
    expect((await understandQuestion(db, 'Is my cat a weapon?')).expansions.filter((e) => e.source === 'acronym')).toEqual([]);
  });

  it('rebuilds them when a document changes or goes', async () => {
    await writeFile(path.join(dir, EXTRA), 'Widget exports\n\nThe Gadget Licensing Board (GLB) now reviews widget licences.\n');
    await ingestPaths(ctx(), [dir]);
    const pairs = (await listAcronyms(db)).map((a) => `${a.short} = ${a.long}`);
    expect(pairs).toContain('GLB = Gadget Licensing Board');
    expect(pairs).not.toContain('OWER = Office of Widget Export Review');
    await db.query('DELETE FROM documents WHERE id = $1', ['widget-note']);
    expect((await listAcronyms(db)).map((a) => a.short)).not.toContain('GLB');
    // A store whose acronyms were never mined (made before migration 013) catches up.
    await db.query('DELETE FROM acronym_sources');
    await db.query('DELETE FROM acronyms');
    expect(await refreshAcronyms(db)).toBe(Object.keys(CORPUS_FILES).length);
    expect((await listAcronyms(db)).map((a) => a.short)).toContain('DTSA');
  });
});

describe(`typo correction against the corpus vocabulary (${dbLabel})`, () => {
  it('corrects misspelt words to the nearest corpus word', async () => {
    const u = await understandQuestion(db, 'Is the arms tranfers polcy under reveiw?');
    expect(u.corrections.map((c) => [c.word, c.to])).toEqual([
      ['tranfers', 'transfer'],
      ['polcy', 'policy'],
      ['reveiw', 'review'],
    ]);
    expect(u.searchText).toBe('Is the arms transfer policy under review?');
    expect(u.text).toBe('Is the arms tranfers polcy under reveiw?');
  });

  it('leaves alone real English words the corpus lacks, names and acronyms', async () => {
    const u = await understandQuestion(db, 'How long should a roast chicken rest before carving? Ask Kaidanow at DTSA.');
    expect(u.corrections).toEqual([]);
    // Without the dictionary, "rest" would have become a corpus word it merely resembles.
    const blind = await understandQuestion(db, 'How long should a roast chicken rest before carving?', { isEnglishWord: () => false });
    expect(blind.corrections.length).toBeGreaterThan(0);
  });

  it('finds the passage a misspelt question asks about and answers it', async () => {
    const question = 'What are the thre lines of efort in the implementaion plan?';
    const analysis = await analyzeQuery(db, question);
    expect(analysis.understood!.corrections.map((c) => c.word)).toEqual(['thre', 'efort', 'implementaion']);
    const passages = await hybridSearch(db, embedder, analysis, { k: 5 });
    expect(passages[0]!.documentId).toBe(CORPUS_IDS.factSheet);
    const answer = await extractiveAnswer(db, analysis, passages);
    expect(answer.abstained).toBe(false);
    expect(answer.question).toBe(question);
    expect(THREE_LINES.some((l) => answer.answer.includes(l))).toBe(true);
    // Uncorrected, the misspellings are words no passage has, and the question is refused.
    const raw = await analyzeQuery(db, await understandQuestion(db, question, { corrections: false }));
    const refused = await extractiveAnswer(db, raw, await hybridSearch(db, embedder, raw, { k: 5 }));
    expect(refused.abstained).toBe(true);
  });
});

describe(`WordNet (${dbLabel})`, () => {
  it('knows English words and their synonyms and hypernyms', () => {
    expect(isEnglishWord('chicken')).toBe(true);
    expect(isEnglishWord('transfers')).toBe(true);
    expect(isEnglishWord('polcy')).toBe(false);
    const weapons = relatedWords('weapons');
    expect(weapons).toContainEqual(expect.objectContaining({ word: 'arm', relation: 'synonym', sense: 1 }));
    expect(relatedWords('buyer')).toContainEqual(expect.objectContaining({ word: 'customer', relation: 'hypernym' }));
  });

  it('adds the synonyms the corpus uses, weighted below the words typed', async () => {
    const u = await understandQuestion(db, 'Who may buy weapons?', { wordnet: true });
    const arm = u.expansions.find((e) => e.source === 'wordnet' && e.add === 'arm');
    expect(arm).toMatchObject({ from: 'weapons' });
    expect(arm!.weight).toBeLessThan(1);
    // Only words some document has: "weapon system" is not in the corpus.
    expect(u.expansions.some((e) => e.add === 'weapon system')).toBe(false);
    expect((await understandQuestion(db, 'Who may buy weapons?', { wordnet: false })).expansions.some((e) => e.source === 'wordnet')).toBe(false);
    const analysis = await analyzeQuery(db, u);
    const rank = analysis.rankTerms.find((t) => t.lexeme === 'arm')!;
    const own = analysis.rankTerms.find((t) => t.lexeme === 'weapon')!;
    expect(rank.weight / own.weight).toBeLessThan(1);
  });
});

describe(`answers put the asked-for thing first (${dbLabel})`, () => {
  // Cast: the passage type grows fields (pages) that this test does not need.
  const passage = (text: string): Passage =>
    ({
    chunkId: 'memo#0',
    documentId: 'memo',
    ordinal: 0,
    headingPath: [],
    text,
    start: 0,
    end: text.length,
    document: { id: 'memo', title: 'Memo', date: null, source: 'memo.txt', kind: 'memo', issuingOffice: null },
    score: 1,
    ftsRank: 1,
    vectorRank: null,
    vectorDistance: null,
    }) as unknown as Passage;

  it('quotes the sentence with the date first for a "when" question, the address first for "what e-mail"', async () => {
    // In document order the sentence without the date or the address would come first.
    const text =
      'The widget review plan was submitted to the Board after a long review. The widget review plan was submitted on March 3, 2019. ' +
      'Questions about the widget review plan are welcome from widget makers. Questions about the widget review plan go to widgets@example.gov.';
    const when = await extractiveAnswer(db, await analyzeQuery(db, 'When was the widget review plan submitted?'), [passage(text)]);
    expect(when.abstained).toBe(false);
    expect(when.citations.length).toBeGreaterThan(1);
    expect(when.citations[0]!.quote).toContain('March 3, 2019');
    const mail = await extractiveAnswer(db, await analyzeQuery(db, 'What e-mail takes questions about the widget review plan?'), [passage(text)]);
    expect(mail.citations[0]!.quote).toContain('widgets@example.gov');
    const long = await extractiveAnswer(
      db,
      await analyzeQuery(db, 'How long does a widget licence review take?'),
      [passage('Each widget licence review takes place at the Board, and a widget licence review is recorded. A widget licence review takes ten days at most.')],
    );
    expect(long.citations[0]!.quote).toContain('ten days');
  });
});

describe(`refusing what the corpus does not name (${dbLabel})`, () => {
  const answer = async (question: string) => {
    const analysis = await analyzeQuery(db, question);
    return { analysis, answer: await extractiveAnswer(db, analysis, await hybridSearch(db, embedder, analysis, { k: 5 })) };
  };

  it('a post or body named in capitals that no document names is refused, though its words are common', async () => {
    // "Secretary" (Deputy Secretary, Secretary of State) and "Defense" (DTSA) are corpus words; the post is not.
    const { analysis, answer: refused } = await answer('Who is the current Secretary of Defense?');
    expect(analysis.understood!.unknownNames).toEqual(['Secretary of Defense']);
    expect(refused.abstained).toBe(true);
    // Names the corpus has, in its own word order or another, and names split by a hyphen, are known.
    for (const q of ['Who directs the Office of Conventional Arms Threat Reduction?', 'What is the e-mail of the Bureau of Political-Military Affairs?', 'When did the Secretary of State submit the CAT Policy Implementation Plan?']) {
      expect((await understandQuestion(db, q)).unknownNames, q).toBeUndefined();
    }
    const known = await answer('Who is the Director of the Office of Conventional Arms Threat Reduction?');
    expect(known.answer.abstained).toBe(false);
    expect(known.answer.answer).toContain('Chris Kessler');
  });

  it('a question mostly about words no document has (nor any alias of them) is refused; framing words are not topic words', async () => {
    const { analysis, answer: refused } = await answer('What does the policy say about cybersecurity of defense contractors?');
    expect(analysis.terms.find((t) => t.lexeme === 'cybersecur')).toMatchObject({ absent: true });
    expect(refused.abstained).toBe(true);
    // "differ", "version", "-era" frame the question; they are not topics the corpus must have.
    const framed = await analyzeQuery(db, 'Which version of the Trump-era policy differs on human rights?');
    expect(framed.terms.map((t) => t.lexeme)).not.toEqual(expect.arrayContaining(['version']));
    expect(framed.terms.some((t) => t.absent)).toBe(false);
    const known = await answer('What does the policy say about civilian harm?');
    expect(known.answer.abstained).toBe(false);
  });

  it('"how many" is not answered by sentences on the topic that hold no number (a year is not a count)', async () => {
    const memo = (text: string): Passage =>
      ({ chunkId: 'memo#0', documentId: 'memo', ordinal: 0, headingPath: [], text, start: 0, end: text.length, score: 1, ftsRank: 1, vectorRank: null, vectorDistance: null,
        document: { id: 'memo', title: 'Memo', date: null, source: 'memo.txt', kind: 'memo', issuingOffice: null } }) as unknown as Passage;
    const question = await analyzeQuery(db, 'How many widget licences did OWER review in 2018?');
    const none = await extractiveAnswer(db, question, [memo('OWER reviewed widget licences in 2018 after a careful review of each widget licence.')]);
    expect(none.abstained).toBe(true);
    const counted = await extractiveAnswer(db, question, [memo('OWER reviewed 42 widget licences in 2018 after a careful review of each widget licence.')]);
    expect(counted.abstained).toBe(false);
    expect(counted.citations[0]!.quote).toContain('42 widget licences');
    // "When did / will ...?" asks for a time: an on-topic sentence with no date or year does not answer it.
    const when = await analyzeQuery(db, 'When did OWER review widget licences?');
    expect((await extractiveAnswer(db, when, [memo('OWER reviewed widget licences after a careful review of each widget licence.')])).abstained).toBe(true);
    const dated = await extractiveAnswer(db, when, [memo('OWER reviewed widget licences in 2018 after a careful review of each widget licence.')]);
    expect(dated.abstained).toBe(false);
  });
});
