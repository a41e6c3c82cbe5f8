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
}

/** Bumped whenever cleaning or chunking changes, so unchanged files are re-ingested once. */
export const CLEANING_VERSION = 'clean-6';

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

function splitRawBlocks(text: string): RawBlock[] {
  const out: RawBlock[] = [];
  let paragraph: string[] = [];
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
    const trimmed = rawLine.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(trimmed);
    if (heading) {
      flush();
      const body = stripInlineMarkup(heading[2]!.replace(/\s+#+\s*$/, ''));
      if (body && !isBoilerplateLine(body)) {
        out.push({ kind: 'heading', level: heading[1]!.length, text: body, explicit: true });
      }
      continue;
    }
    const bullet = BULLET.exec(trimmed) ?? (ORDERED.exec(trimmed) && trimmed.length > 4 ? ORDERED.exec(trimmed) : null);
    if (bullet && !RULE_LINE.test(trimmed)) {
      flush();
      const body = stripInlineMarkup(trimmed.slice(bullet[0].length));
      if (body && !isBoilerplateLine(body)) out.push({ kind: 'item', level: 0, text: body, explicit: true });
      continue;
    }
    const line = stripInlineMarkup(trimmed);
    if (!line) {
      flush();
      continue;
    }
    if (isBoilerplateLine(line, isTable[index])) {
      // A dropped line still ends the paragraph it interrupted.
      flush();
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return out;
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
    if (prev && ((prev.text.endsWith(':') && prev.kind !== 'heading') || inList)) {
      const shortLabel = b.text.length <= 120 && !SENTENCE_END.test(b.text) && !b.text.endsWith(':');
      const clause = /(;|; and,?|; or,?|,)$/.test(b.text);
      const closesList = inList && prev.kind === 'item' && /(;|,)\s*(and|or)?,?$/.test(prev.text);
      if (shortLabel || clause || closesList) {
        b.kind = 'item';
        inList = !SENTENCE_END.test(b.text) || clause;
        continue;
      }
    }
    inList = false;
    const looksLikeHeading =
      b.text.length <= 90 &&
      !/[.,;:!?]["”’)]?$/.test(b.text) &&
      !isDateLine(b.text) &&
      /[A-Za-z]{3}/.test(b.text) &&
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
  return blocks.filter((b) => {
    if (b.text.length > 60) return true;
    const key = b.text.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function cleanText(raw: string): CleanedDocument {
  const raws = dropRepeatedLabels(splitRawBlocks(normalizeChars(raw)));
  inferStructure(raws);
  const blocks: Block[] = [];
  let text = '';
  for (const b of raws) {
    if (text) text += '\n\n';
    const start = text.length;
    text += b.text;
    blocks.push({ kind: b.kind, level: b.level, text: b.text, start, end: text.length });
  }
  return { text, blocks };
}
