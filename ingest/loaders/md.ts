import { normalizeDate, type DocumentMeta } from './html.ts';
import { decodeText, type Extracted } from './txt.ts';

type Block = { kind: 'para' | 'heading' | 'list' | 'table' | 'code'; lines: string[] };

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const SETEXT_H1 = /^ {0,3}=+[ \t]*$/;
const SETEXT_H2 = /^ {0,3}-+[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const LIST_ITEM = /^[ \t]*([*+-]|\d{1,9}[.)])(?:[ \t]+(.*))?$/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const HTML_TAG_LINE = /^[ \t]*<\/?[A-Za-z][^>]*>[ \t]*$/;
const LINK_REFERENCE = /^ {0,3}\[[^\]]+\]:[ \t]*\S+/;
const BLOCKQUOTE_MARKERS = /^(?: {0,3}>[ \t]?)+/;

export function extractMarkdown(buffer: Uint8Array): Extracted {
  return markdownToMarkdownLite(decodeText(buffer));
}

/**
 * Normalises Markdown to markdown-lite (see LoadedDocument): block structure becomes
 * '#' headings, '- ' list items and blank-line-separated paragraphs; inline markdown stays.
 */
export function markdownToMarkdownLite(source: string): Extracted {
  const { body, meta } = splitFrontMatter(source.replace(/\r\n?/g, '\n'));
  const lines = body.replace(/<!--[\s\S]*?-->/g, '').split('\n');

  const blocks: Block[] = [];
  // Cast, not annotation: `close`/`open` reassign it, so narrowing to null here would be wrong.
  let cur = null as Block | null;
  const close = (): void => {
    if (cur && cur.lines.length > 0) blocks.push(cur);
    cur = null;
  };
  const open = (kind: Block['kind']): Block => {
    if (cur?.kind !== kind) {
      close();
      cur = { kind, lines: [] };
    }
    return cur!;
  };

  let fence: { marker: string; quoted: boolean } | null = null;
  let inTable = false;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const quoted = BLOCKQUOTE_MARKERS.test(raw);
    const line = raw.replace(BLOCKQUOTE_MARKERS, '');

    if (fence) {
      const content = fence.quoted ? line : raw;
      if (new RegExp(`^ {0,3}${fence.marker[0]}{${fence.marker.length},}[ \\t]*$`).test(content)) {
        fence = null;
        close();
      } else if (content.trim() === '') {
        close();
      } else {
        open('code').lines.push(content.replace(/\s+$/, ''));
      }
      continue;
    }

    if (inTable) {
      if (line.trim() !== '' && line.includes('|')) {
        const row = tableRow(line);
        if (row) open('table').lines.push(row);
        continue;
      }
      inTable = false;
      close();
    }

    if (line.trim() === '') {
      close();
      continue;
    }

    const fenceOpen = FENCE_OPEN.exec(line);
    if (fenceOpen && !(fenceOpen[1]?.startsWith('`') && fenceOpen[2]?.includes('`'))) {
      close();
      fence = { marker: fenceOpen[1] ?? '```', quoted };
      continue;
    }

    const atx = ATX_HEADING.exec(line);
    if (atx) {
      close();
      const text = (atx[2] ?? '').replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trim();
      if (text) blocks.push({ kind: 'heading', lines: [`${atx[1]} ${text}`] });
      continue;
    }

    if (cur?.kind === 'para' && (SETEXT_H1.test(line) || SETEXT_H2.test(line))) {
      const level = SETEXT_H1.test(line) ? '#' : '##';
      const text = cur.lines.map((l) => l.trim()).join(' ');
      cur = null;
      blocks.push({ kind: 'heading', lines: [`${level} ${text}`] });
      continue;
    }

    if (THEMATIC_BREAK.test(line)) {
      close();
      continue;
    }

    const next = (lines[i + 1] ?? '').replace(BLOCKQUOTE_MARKERS, '');
    if (line.includes('|') && TABLE_DELIMITER.test(next) && splitCells(line).length === splitCells(next).length) {
      close();
      const header = tableRow(line);
      if (header) open('table').lines.push(header);
      inTable = true;
      i++;
      continue;
    }

    const item = LIST_ITEM.exec(line);
    const content = item?.[2]?.trim() ?? '';
    // CommonMark: only a list starting at 1, and never an empty item, may interrupt a paragraph.
    const interruptsParagraph = item && content !== '' && (!/^\d/.test(item[1] ?? '') || /^0*1[.)]$/.test(item[1] ?? ''));
    if (item && (cur?.kind !== 'para' || interruptsParagraph)) {
      if (content) open('list').lines.push(`- ${content}`);
      continue;
    }

    if (HTML_TAG_LINE.test(line) || LINK_REFERENCE.test(line)) continue;

    const text = line.replace(/^ {1,3}(?=\S)/, '').replace(/\s+$/, '');
    if (cur?.kind === 'list') {
      // Lazy continuation of the previous list item.
      const last = cur.lines.length - 1;
      cur.lines[last] = `${cur.lines[last]} ${text.trim()}`;
      continue;
    }
    open('para').lines.push(text);
  }
  close();

  return { text: blocks.map((b) => b.lines.join('\n')).join('\n\n'), meta };
}

function splitFrontMatter(source: string): { body: string; meta: DocumentMeta } {
  const meta: DocumentMeta = {};
  const lines = source.split('\n');
  if (lines[0]?.trim() !== '---') return { body: source, meta };
  const end = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)[ \t]*$/.test(l));
  if (end < 0) return { body: source, meta };

  for (const line of lines.slice(1, end)) {
    const m = /^(title|date)[ \t]*:[ \t]*(.*)$/i.exec(line);
    if (!m) continue;
    const value = unquote((m[2] ?? '').trim());
    if (!value || value === '|' || value === '>') continue;
    if (m[1]?.toLowerCase() === 'title') meta.title = value;
    else {
      const date = normalizeDate(value);
      if (date) meta.date = date;
    }
  }
  return { body: lines.slice(end + 1).join('\n'), meta };
}

function unquote(value: string): string {
  const m = /^(["'])(.*)\1$/.exec(value);
  if (m) return (m[2] ?? '').trim();
  return value.replace(/[ \t]+#.*$/, '').trim();
}

function splitCells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return trimmed.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

function tableRow(line: string): string {
  return splitCells(line)
    .filter((c) => c !== '')
    .join(' | ');
}
