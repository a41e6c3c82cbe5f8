import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(ms: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export function machine(): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** A deterministic pseudo-random generator, so every run of a benchmark sees the same corpus. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Writes `count` synthetic policy documents built from shuffled paragraphs of the bundled
 * corpus (with a numbered heading each), so sizes and vocabulary resemble the real thing.
 */
export async function syntheticCorpus(corpusDir: string, outDir: string, count: number, seed = 7): Promise<string> {
  const paragraphs: string[] = [];
  for (const f of (await readdir(corpusDir)).filter((f) => f.endsWith('.txt'))) {
    for (const p of (await readFile(path.join(corpusDir, f), 'utf8')).split(/\n\s*\n/)) {
      if (p.trim().length > 120) paragraphs.push(p.trim());
    }
  }
  const rand = rng(seed);
  await mkdir(outDir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const parts = [`Synthetic policy memorandum ${i + 1}`, ''];
    const n = 6 + Math.floor(rand() * 10);
    for (let j = 0; j < n; j++) {
      if (j % 4 === 0) parts.push(`Section ${j / 4 + 1}: ${['Background', 'Implementation', 'Oversight', 'Industry'][Math.floor(rand() * 4)]}`, '');
      parts.push(paragraphs[Math.floor(rand() * paragraphs.length)]!, '');
    }
    await writeFile(path.join(outDir, `memo-${String(i + 1).padStart(5, '0')}.txt`), parts.join('\n'));
  }
  return outDir;
}

/** A question about one synthetic document, and the document that answers it. */
export interface LargeCorpusQuery {
  question: string;
  documentId: string;
}

const FUNCTION_WORDS = 'the of and to in for with on by that as from under at which its this their be is are was will all an or into'.split(' ');
const COUNTRIES = (
  'Albania Argentina Australia Austria Bahrain Belgium Botswana Brazil Bulgaria Canada Chile Colombia Croatia Cyprus Denmark ' +
  'Ecuador Egypt Estonia Finland France Georgia Germany Ghana Greece Hungary Iceland India Indonesia Ireland Israel Italy Jamaica ' +
  'Japan Jordan Kenya Kuwait Latvia Lithuania Malaysia Malta Mexico Mongolia Morocco Netherlands Nigeria Norway Oman Panama Peru ' +
  'Philippines Poland Portugal Qatar Romania Rwanda Senegal Singapore Slovakia Slovenia Spain Sweden Thailand Tunisia Uruguay Vietnam Zambia'
).split(' ');
const ITEMS = (
  'armored vehicles|radar systems|patrol boats|night-vision devices|transport helicopters|training aircraft|coastal sensors|' +
  'communications kits|unmanned aircraft|body armor sets|demining machines|fire-control units|maritime drones|field hospitals|' +
  'satellite terminals|air-defense batteries|logistics trucks|secure radios|surveillance cameras|spare engines'
).split('|');
const MONTHS = 'January February March April May June July August September October November December'.split(' ');
const SYLLABLES = 'ka lo mi ren tor vas qui bel dra fen gol hy ix jun kor lum mar nev ost pra rul sen tav ul vor wen xa yel zor'.split(' ');

/** Pseudo-word number i: distinct for every i, pronounceable, not an English word. */
function pseudoWord(i: number): string {
  let w = '';
  let n = i + SYLLABLES.length * SYLLABLES.length; // at least three syllables
  while (n > 0) {
    w += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return w;
}

/** Zipf-like draw of an index in [0, n): small indices are common, the tail is long. */
function zipf(rand: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1))) - 1);
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A large synthetic corpus for scale measurements: `count` markdown documents (about 20 chunks
 * each at the default 900/150 chunking) spread over sub-directories of 100. Text is generated
 * from the bundled corpus' vocabulary (Zipf-distributed, so common words are common) plus a long
 * tail of 50,000 pseudo-words for names of programmes and places, with some real paragraphs of
 * the bundled documents mixed in. Each document states three facts ("The X Y programme was
 * approved on <date> for delivery to <country>, covering <n> <items>.") that the returned
 * questions ask about; programme names collide across documents, so answering needs more than
 * one word. Deterministic for a given seed. Files are written one at a time, never held.
 */
export async function largeSyntheticCorpus(
  corpusDir: string,
  outDir: string,
  count: number,
  options: { seed?: number; questions?: number } = {},
): Promise<{ dir: string; queries: LargeCorpusQuery[]; bytes: number }> {
  const rand = rng(options.seed ?? 11);
  const real: string[] = [];
  const counts = new Map<string, number>();
  for (const f of (await readdir(corpusDir)).filter((f) => f.endsWith('.txt')).sort()) {
    const text = await readFile(path.join(corpusDir, f), 'utf8');
    for (const p of text.split(/\n\s*\n/)) if (p.trim().length > 200 && !p.includes('|')) real.push(p.trim().replace(/\s*\n\s*/g, ' '));
    for (const w of text.toLowerCase().match(/[a-z]{4,}/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  // Most frequent first, so the Zipf draw gives the corpus' own common words most often.
  const vocab = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const PSEUDO = 50_000;
  const word = (): string => {
    const r = rand();
    if (r < 0.34) return FUNCTION_WORDS[Math.floor(rand() * FUNCTION_WORDS.length)]!;
    if (r < 0.88) return vocab[zipf(rand, vocab.length)]!;
    const p = pseudoWord(zipf(rand, PSEUDO));
    return rand() < 0.5 ? capitalize(p) : p;
  };
  const sentence = (): string => {
    const n = 10 + Math.floor(rand() * 15);
    const words = Array.from({ length: n }, word);
    return `${capitalize(words.join(' '))}.`;
  };
  const paragraph = (): string => {
    if (rand() < 0.15) return real[Math.floor(rand() * real.length)]!;
    return Array.from({ length: 3 + Math.floor(rand() * 4) }, sentence).join(' ');
  };
  const heading = (): string => capitalize(Array.from({ length: 2 + Math.floor(rand() * 3) }, () => vocab[zipf(rand, vocab.length)]!).join(' '));

  const queries: LargeCorpusQuery[] = [];
  const wantQuestions = options.questions ?? 200;
  const askEvery = Math.max(1, Math.floor(count / wantQuestions));
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const id = `doc-${String(i + 1).padStart(5, '0')}`;
    const facts = Array.from({ length: 3 }, () => {
      // A common first name and a rare second one, as with real programme names.
      const programme = `${capitalize(pseudoWord(zipf(rand, PSEUDO)))} ${capitalize(pseudoWord(Math.floor(rand() * PSEUDO)))}`;
      const country = COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!;
      const item = ITEMS[Math.floor(rand() * ITEMS.length)]!;
      const date = `${MONTHS[Math.floor(rand() * 12)]} ${1 + Math.floor(rand() * 28)}, ${2005 + Math.floor(rand() * 20)}`;
      const n = 2 + Math.floor(rand() * 400);
      return {
        programme,
        country,
        item,
        text: `The ${programme} programme was approved on ${date} for delivery to ${country}, covering ${n} ${item}.`,
      };
    });
    const sections = 4 + Math.floor(rand() * 6);
    const parts: string[] = [`# Memorandum ${i + 1}: ${heading()}`, ''];
    const factAt = new Set(facts.map(() => Math.floor(rand() * sections)));
    let f = 0;
    for (let s = 0; s < sections; s++) {
      parts.push(`## ${heading()}`, '');
      const paragraphs = 2 + Math.floor(rand() * 4);
      for (let p = 0; p < paragraphs; p++) parts.push(paragraph(), '');
      if (factAt.has(s)) while (f < facts.length && (f < 1 || rand() < 0.5 || s === sections - 1)) parts.push(`${sentence()} ${facts[f++]!.text} ${sentence()}`, '');
    }
    while (f < facts.length) parts.push(`${sentence()} ${facts[f++]!.text}`, '');
    if (i % askEvery === 0 && queries.length < wantQuestions) {
      const fact = facts[Math.floor(rand() * facts.length)]!;
      const question =
        rand() < 0.5
          ? `When was the ${fact.programme} programme approved for ${fact.country}?`
          : `How many ${fact.item} does the ${fact.programme} programme cover?`;
      queries.push({ question, documentId: id });
    }
    const dir = path.join(outDir, `batch-${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) await mkdir(dir, { recursive: true });
    const text = parts.join('\n');
    bytes += Buffer.byteLength(text);
    await writeFile(path.join(dir, `${id}.md`), text);
  }
  return { dir: outDir, queries, bytes };
}
