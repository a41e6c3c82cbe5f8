/**
 * Cleaning turns loader output (markdown-lite or raw text captured from web pages) into
 * blocks of plain text without site chrome, and the cleaned document text those blocks
 * point into. Chunk offsets, quotes and citations all refer to this cleaned text.
 */

export type BlockKind = 'heading' | 'paragraph' | 'item';

export interface Block {
  kind: BlockKind;
  /** Heading level 1-6; 0 for other blocks. */
  level: number;
  text: string;
  start: number;
  end: number;
}

export interface CleanedDocument {
  text: string;
  blocks: Block[];
  /**
   * Paged formats (PDF): where each page starts, as offsets into `text` (pageStarts[0] is page 1,
   * always 0). A page whose text was all dropped starts where the next kept text does.
   */
  pageStarts?: number[];
}

/** Bumped whenever cleaning or chunking changes, so unchanged files are re-ingested once. */
export const CLEANING_VERSION = 'clean-7';

/**
 * Marks where a page begins in a paged loader's text. A Unicode noncharacter ("for internal
 * use"), so no real text carries it; the PDF loader removes any stray one from page text, and
 * cleaning removes it from unpaged text. It travels through cleaning with the words it precedes,
 * so page boundaries stay exact however lines are joined, split or dropped.
 */
export const PAGE_MARK = '\uFDD0';
const PAGE_MARKS = /\uFDD0/g;
const LEADING_MARKS = /^\uFDD0+/;
const marksIn = (s: string): string => PAGE_MARK.repeat((s.match(PAGE_MARKS) ?? []).length);
const unmarked = (s: string): string => s.replace(PAGE_MARKS, '');

const SPACE_LIKE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]/g;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
const BULLET = /^(?:[•·▪◦‣●○■□➢➤►▶✓✔*+]|-(?!-)|–)\s+/;
const ORDERED = /^\d{1,3}[.)]\s+/;

/** Whole lines that are site chrome on government and news pages, never content. */
const BOILERPLATE_LINE: RegExp[] = [
  /^skip (links|to (main )?content|navigation)$/i,
  /^(back to top|top of page|more news|related (links|articles)|print( this page)?|share|video|photos?|menu|search|home|diplomacy in action|bookmark and share|subject index|email this page)$/i,
  /^you are (in|here)\s*:/i,
  /^original source can be found\s*here\.?$/i,
  /manages this site as a portal for information/i,
  /external links to other internet sites should not be construed/i,
  /(pdf|portable document format).{0,40}require[s]? adobe acrobat/i,
  /^published by the u\.s\. department of state website/i,
  /^about state\.gov\b/i,
  /^this is an archive of information released online/i,
];

/** Markup and rules that survive as stray lines: `---`, `###`, `***`, `===`. */
const RULE_LINE = /^[-#*=_~\s]{3,}$/;
/** Editor residue such as `11edited`: digits glued to a lowercase word, alone on a line. */
const STRAY_TOKEN = /^\d{1,4}[a-z]{3,}$/;

export function normalizeChars(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').replace(INVISIBLE, '').replace(SPACE_LIKE, ' ');
}

/** Strips inline markdown and bare link targets, keeping the visible words and e-mail addresses. */
export function stripInlineMarkup(line: string): string {
  return (
    line
      // [text](target) -> text
      .replace(/\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1')
      // (<mailto:x>) / (<https://...>) / (https://...) link targets after the visible text
      .replace(/\s*\(<?(?:mailto:|https?:\/\/)[^)\s]*>?\)/gi, '')
      .replace(/<(?:mailto:)?([^<>\s@]+@[^<>\s]+)>/gi, '$1')
      .replace(/<(https?:\/\/[^<>\s]+)>/gi, '$1')
      .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
      .replace(/(^|[\s(])[*_](?=\S)([^*_\n]+?)(?<=\S)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
      .replace(/`([^`]+)`/g, '$1')
      .replace(/ {2,}/g, ' ')
      .trim()
  );
}

/**
 * Navigation bars captured as text: several items separated by pipes, or menu words glued
 * together ("HomeHot Topics", "SEARCHU.S. Department") with no sentence punctuation.
 */
export function isNavigationLine(line: string): boolean {
  if ((line.match(/\s\|\s|\s\|$|^\|\s/g) ?? []).length >= 2) return true;
  if (line.includes(' > ') && line.split(' > ').length >= 3 && !/[.!?]$/.test(line)) return true;
  const glued = (line.match(/[a-z][A-Z][a-z]|[a-z]U\.S\.|[A-Z]{3,}U\.S\./g) ?? []).length;
  return glued >= 1 && !/[.!?]["”’)]?$/.test(line);
}

export function isBoilerplateLine(line: string, tableRow = false): boolean {
  return (
    RULE_LINE.test(line) ||
    STRAY_TOKEN.test(line) ||
    BOILERPLATE_LINE.some((re) => re.test(line)) ||
    (!tableRow && isNavigationLine(line))
  );
}

const cellCount = (line: string) => (line.match(/\|/g) ?? []).length;

/**
 * Table rows (loaders write them as `a | b | c`) look like menu bars line by line; a run of
 * adjacent lines with the same number of cells is a table, a lone pipe-separated line a menu.
 */
function tableRows(lines: string[]): boolean[] {
  return lines.map((line, i) => {
    const n = cellCount(line);
    return n > 0 && (cellCount(lines[i - 1] ?? '') === n || cellCount(lines[i + 1] ?? '') === n);
  });
}

interface RawBlock {
  kind: BlockKind;
  level: number;
  text: string;
  /** Set when the loader marked the structure (markdown-lite), so heuristics leave it alone. */
  explicit: boolean;
}

const SENTENCE_END = /[.!?]["”’)]?$/;
const DATE_LINE =
  /^(?:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2} (?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?) \d{4})$/i;

export function isDateLine(text: string): boolean {
  return DATE_LINE.test(text.trim());
}

function splitRawBlocks(text: string): { blocks: RawBlock[]; trailingMarks: string } {
  const out: RawBlock[] = [];
  let paragraph: string[] = [];
  // Page marks of dropped or blank lines wait here for the next text that is kept.
  let pending = '';
  const marked = (s: string): string => {
    const r = pending + s;
    pending = '';
    return r;
  };
  const flush = () => {
    if (paragraph.length === 0) return;
    const lines = paragraph;
    paragraph = [];
    // Lines that are all short and unpunctuated are a stack of labels (a letterhead,
    // an address), not a hard-wrapped paragraph: keep them apart.
    const labelStack = lines.length > 1 && lines.every((l) => l.length < 70 && !SENTENCE_END.test(l));
    if (labelStack) {
      for (const l of lines) out.push({ kind: 'paragraph', level: 0, text: l, explicit: false });
    } else {
      out.push({ kind: 'paragraph', level: 0, text: lines.join(' '), explicit: false });
    }
  };
  const lines = text.split('\n');
  const isTable = tableRows(lines.map((l) => l.trim()));
  for (const [index, rawLine] of lines.entries()) {
    let trimmed = rawLine.trim();
    const lead = LEADING_MARKS.exec(trimmed);
    if (lead) {
      pending += lead[0];
      trimmed = trimmed.slice(lead[0].length).trim();
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(trimmed);
    if (heading) {
      flush();
      const body = stripInlineMarkup(heading[2]!.replace(/\s+#+\s*$/, ''));
      if (unmarked(body) && !isBoilerplateLine(body)) {
        out.push({ kind: 'heading', level: heading[1]!.length, text: marked(body), explicit: true });
      } else pending += marksIn(body);
      continue;
    }
    const bullet = BULLET.exec(trimmed) ?? (ORDERED.exec(trimmed) && trimmed.length > 4 ? ORDERED.exec(trimmed) : null);
    if (bullet && !RULE_LINE.test(trimmed)) {
      flush();
      const body = stripInlineMarkup(trimmed.slice(bullet[0].length));
      if (unmarked(body) && !isBoilerplateLine(body)) out.push({ kind: 'item', level: 0, text: marked(body), explicit: true });
      else pending += marksIn(body);
      continue;
    }
    const line = stripInlineMarkup(trimmed);
    if (!line) {
      flush();
      continue;
    }
    if (!unmarked(line) || isBoilerplateLine(line, isTable[index])) {
      // A dropped line still ends the paragraph it interrupted.
      flush();
      pending += marksIn(line);
      continue;
    }
    paragraph.push(marked(line));
  }
  flush();
  return { blocks: out, trailingMarks: pending };
}

/**
 * Plain-text structure: a short unpunctuated line followed by a long paragraph reads as a
 * heading; short lines (or `;`-terminated ones) after a line ending in ':' read as list items.
 */
function inferStructure(blocks: RawBlock[]): void {
  let inList = false;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.explicit) {
      // The loader already said where its list ends; only inferred lists run on.
      inList = false;
      continue;
    }
    const prev = blocks[i - 1];
    const next = blocks[i + 1];
    const text = unmarked(b.text);
    if (prev && ((prev.text.endsWith(':') && prev.kind !== 'heading') || inList)) {
      const shortLabel = text.length <= 120 && !SENTENCE_END.test(text) && !text.endsWith(':');
      const clause = /(;|; and,?|; or,?|,)$/.test(text);
      const closesList = inList && prev.kind === 'item' && /(;|,)\s*(and|or)?,?$/.test(prev.text);
      if (shortLabel || clause || closesList) {
        b.kind = 'item';
        inList = !SENTENCE_END.test(text) || clause;
        continue;
      }
    }
    inList = false;
    const looksLikeHeading =
      text.length <= 90 &&
      !/[.,;:!?]["”’)]?$/.test(text) &&
      !isDateLine(text) &&
      /[A-Za-z]{3}/.test(text) &&
      next !== undefined &&
      next.text.length >= 160;
    if (looksLikeHeading) {
      b.kind = 'heading';
      b.level = 1;
    }
  }
}

/** Repeated short lines (site name printed in every menu) are kept once. */
function dropRepeatedLabels(blocks: RawBlock[]): RawBlock[] {
  const seen = new Set<string>();
  let carried = '';
  const kept = blocks.filter((b) => {
    const plain = unmarked(b.text);
    if (plain.length <= 60) {
      const key = plain.toLowerCase();
      if (seen.has(key)) {
        // The page marks of a dropped label go to the next kept block.
        carried += marksIn(b.text);
        return false;
      }
      seen.add(key);
    }
    if (carried) b.text = carried + b.text;
    carried = '';
    return true;
  });
  if (carried && kept.length > 0) kept[kept.length - 1]!.text += carried;
  return kept;
}

export interface CleanOptions {
  /** The loader marked page starts with PAGE_MARK (PDF); anything else has stray marks removed. */
  paged?: boolean;
}

export function cleanText(raw: string, options: CleanOptions = {}): CleanedDocument {
  const normalized = normalizeChars(raw);
  const split = splitRawBlocks(options.paged ? normalized : unmarked(normalized));
  const raws = dropRepeatedLabels(split.blocks);
  inferStructure(raws);
  const blocks: Block[] = [];
  const pageStarts: number[] = [];
  let text = '';
  for (const b of raws) {
    if (text) text += '\n\n';
    const start = text.length;
    let plain = '';
    let from = 0;
    for (const m of b.text.matchAll(PAGE_MARKS)) {
      plain += b.text.slice(from, m.index);
      pageStarts.push(start + plain.length);
      from = m.index + 1;
    }
    plain += b.text.slice(from);
    text += plain;
    blocks.push({ kind: b.kind, level: b.level, text: plain, start, end: text.length });
  }
  for (let i = 0; i < split.trailingMarks.length; i++) pageStarts.push(text.length);
  if (!options.paged) return { text, blocks };
  // Text before the first mark (there is none from the PDF loader) belongs to page 1.
  if (pageStarts.length === 0 || pageStarts[0] !== 0) pageStarts.unshift(0);
  return { text, blocks, pageStarts };
}
