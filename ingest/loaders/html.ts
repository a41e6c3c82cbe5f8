import { load, loadBuffer, type CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { Extracted } from './txt.ts';

export type DocumentMeta = Extracted['meta'];

const REMOVE_SELECTOR = [
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'nav',
  'footer',
  'aside',
  'form',
  'iframe',
  'button',
  'select',
  'textarea',
  'object',
  'embed',
  'canvas',
  'video',
  'audio',
  'dialog',
  '[role=navigation]',
  '[role=banner]',
  '[role=contentinfo]',
  '[role=search]',
  '[aria-hidden=true]',
  '[hidden]',
  '[style*="display:none"]',
  '[style*="display: none"]',
].join(', ');

const BOILERPLATE_NAME =
  /(?:^|[-_\s])(nav|navbar|navigation|menu|breadcrumbs?|footer|header|sidebar|skip|cookies?|share|sharing|social)(?:[-_\s]|$)/i;

const CONTENT_ROOT_SELECTOR = 'main, [role=main], article';

const DATE_META_KEYS = ['date', 'article:published_time', 'dc.date', 'dc.date.issued', 'dcterms.date', 'dcterms.issued'];

const BLOCK_TAGS = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'header', 'html', 'legend', 'main', 'p', 'section', 'summary',
  'td', 'th', 'tbody', 'thead', 'tfoot',
]);

/** Block-level content that makes a table cell a layout container rather than a data cell. */
const LAYOUT_CELL_TAGS = new Set(['table', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote']);

/**
 * Converts an HTML page (or mammoth's DOCX output) to markdown-lite text plus the
 * metadata the page itself declares.
 */
export function htmlToMarkdownLite(html: string): Extracted {
  return convert(load(html));
}

/** HTML from bytes: honours a BOM or <meta charset>, and assumes UTF-8 otherwise. */
export function extractHtml(buffer: Uint8Array): Extracted {
  const $ = loadBuffer(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), {
    encoding: { defaultEncoding: 'utf-8' },
  });
  return convert($);
}

function convert($: CheerioAPI): Extracted {
  const meta = readMeta($);
  removeBoilerplate($);

  const emitter = new Emitter();
  for (const root of contentRoots($)) emitter.walk(root);
  emitter.flush();
  return { text: emitter.text(), meta };
}

function readMeta($: CheerioAPI): DocumentMeta {
  const meta: DocumentMeta = {};
  const metaContent = (key: string): string | undefined => {
    const el = $('meta[name], meta[property]')
      .filter((_, m) => ($(m).attr('name') ?? $(m).attr('property') ?? '').trim().toLowerCase() === key)
      .first();
    const value = collapse(el.attr('content') ?? '');
    return value || undefined;
  };

  const title =
    collapse(
      $('title')
        .filter((_, el) => $(el).closest('svg').length === 0)
        .first()
        .text(),
    ) || metaContent('og:title');
  if (title) meta.title = title;

  const author = metaContent('author');
  if (author) meta.author = author;

  for (const key of DATE_META_KEYS) {
    const date = normalizeDate(metaContent(key) ?? '');
    if (date) {
      meta.date = date;
      break;
    }
  }
  if (!meta.date) {
    const date = normalizeDate($('article header time[datetime]').first().attr('datetime') ?? '');
    if (date) meta.date = date;
  }
  return meta;
}

function removeBoilerplate($: CheerioAPI): void {
  $(REMOVE_SELECTOR).remove();
  // An article's own <header> holds its title and byline; only page-level headers are chrome.
  $('header')
    .filter((_, el) => $(el).parents(CONTENT_ROOT_SELECTOR).length === 0)
    .remove();
  $('a')
    .filter((_, el) => /^skip\s+(to|navigation)\b/i.test($(el).text().trim()))
    .remove();

  $('[id], [class]')
    .filter((_, el) => {
      const tag = el.tagName.toLowerCase();
      if (tag === 'html' || tag === 'body' || tag === 'main' || tag === 'article') return false;
      const match = BOILERPLATE_NAME.exec(`${$(el).attr('id') ?? ''} ${$(el).attr('class') ?? ''}`);
      if (!match) return false;
      // A wrapper named e.g. "menu-open" may hold the whole page; never drop real content with it.
      if ($(el).find(CONTENT_ROOT_SELECTOR).length > 0) return false;
      if (match[1]?.toLowerCase() === 'header' && $(el).parents(CONTENT_ROOT_SELECTOR).length > 0) return false;
      return true;
    })
    .remove();
}

/** <main>, else the outermost <article>s, else <body>; a candidate without text (e.g. filled by script) is skipped. */
function contentRoots($: CheerioAPI): AnyNode[] {
  const candidates = [
    $('main, [role=main]').first(),
    $('article').filter((_, el) => $(el).parents('article').length === 0),
  ];
  for (const candidate of candidates) {
    if (candidate.length > 0 && candidate.text().trim() !== '') return candidate.toArray();
  }
  const body = $('body');
  return body.length > 0 ? body.toArray() : $.root().toArray();
}

type BlockKind = 'para' | 'heading' | 'list' | 'table';

class Emitter {
  private readonly blocks: { kind: BlockKind; lines: string[] }[] = [];
  private inline = '';
  /** Consecutive list items (or table rows) share one block until the list (table) ends. */
  private groupOpen = false;
  private listDepth = 0;

  text(): string {
    return this.blocks.map((b) => b.lines.join('\n')).join('\n\n');
  }

  flush(): void {
    const lines = this.inline.split('\n').map(collapse).filter((l) => l !== '');
    this.inline = '';
    if (lines.length > 0) this.push('para', lines);
  }

  walk(node: AnyNode): void {
    if (node.type === 'text') {
      // Source line breaks are just whitespace; only <br> may break a line inside a block.
      this.inline += node.data.replace(/\s+/g, ' ');
      return;
    }
    if (!isElement(node)) return;
    const tag = node.tagName.toLowerCase();

    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      this.flush();
      const text = inlineText(node);
      if (text) this.push('heading', [`${'#'.repeat(Number(heading[1]))} ${text}`]);
      return;
    }

    switch (tag) {
      case 'br':
        this.inline += '\n';
        return;
      case 'hr':
        this.flush();
        return;
      case 'img':
        return;
      case 'ul':
      case 'ol':
        this.flush();
        this.listDepth++;
        this.walkChildren(node);
        this.listDepth--;
        if (this.listDepth === 0) this.groupOpen = false;
        return;
      case 'li':
        this.walkListItem(node);
        return;
      case 'table':
        this.flush();
        this.groupOpen = false;
        this.walkChildren(node);
        this.flush();
        this.groupOpen = false;
        return;
      case 'tr':
        this.walkRow(node);
        return;
      case 'pre': {
        this.flush();
        const lines = rawText(node)
          .split('\n')
          .map((l) => l.replace(/\s+$/, ''))
          .filter((l) => l.trim() !== '');
        if (lines.length > 0) this.push('para', lines);
        return;
      }
    }

    if (BLOCK_TAGS.has(tag)) {
      this.flush();
      this.walkChildren(node);
      this.flush();
    } else {
      this.walkChildren(node);
    }
  }

  private walkChildren(el: Element): void {
    for (const child of el.children) this.walk(child);
  }

  private walkListItem(li: Element): void {
    this.flush();
    const nested: Element[] = [];
    const text = inlineText(li, nested);
    if (text) {
      const last = this.blocks.at(-1);
      if (this.groupOpen && last?.kind === 'list') last.lines.push(`- ${text}`);
      else this.push('list', [`- ${text}`]);
      this.groupOpen = true;
    }
    for (const list of nested) this.walk(list);
  }

  private walkRow(tr: Element): void {
    this.flush();
    const cells = tr.children.filter(isElement).filter((c) => c.tagName === 'td' || c.tagName === 'th');
    const isDataRow = cells.every((cell) => !isLayoutCell(cell));
    if (!isDataRow) {
      this.groupOpen = false;
      for (const cell of cells) this.walk(cell);
      return;
    }
    const row = cells
      .map((cell) => inlineText(cell))
      .filter((t) => t !== '')
      .join(' | ');
    if (!row) return;
    const last = this.blocks.at(-1);
    if (this.groupOpen && last?.kind === 'table') last.lines.push(row);
    else this.push('table', [row]);
    this.groupOpen = true;
  }

  private push(kind: BlockKind, lines: string[]): void {
    this.blocks.push({ kind, lines });
    if (kind === 'para' || kind === 'heading') this.groupOpen = false;
  }
}

function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function isLayoutCell(cell: Element): boolean {
  let blocks = 0;
  const visit = (el: Element): boolean => {
    for (const child of el.children) {
      if (!isElement(child)) continue;
      const tag = child.tagName.toLowerCase();
      if (LAYOUT_CELL_TAGS.has(tag)) return true;
      if (tag === 'p' || tag === 'div') blocks++;
      if (blocks > 1 || visit(child)) return true;
    }
    return false;
  };
  return visit(cell);
}

/**
 * The text of an element as one line. Nested lists are not included but handed back
 * through `nestedLists`, so list items can be flattened in document order.
 */
function inlineText(el: Element, nestedLists?: Element[]): string {
  let out = '';
  const visit = (node: AnyNode): void => {
    if (node.type === 'text') {
      out += node.data;
      return;
    }
    if (!isElement(node)) return;
    const tag = node.tagName.toLowerCase();
    if (nestedLists && (tag === 'ul' || tag === 'ol')) {
      nestedLists.push(node);
      return;
    }
    const spaced = tag === 'br' || BLOCK_TAGS.has(tag) || /^(h[1-6]|li|ul|ol|tr|table|pre)$/.test(tag);
    if (spaced) out += ' ';
    for (const child of node.children) visit(child);
    if (spaced) out += ' ';
  };
  for (const child of el.children) visit(child);
  return collapse(out);
}

function rawText(el: Element): string {
  let out = '';
  const visit = (node: AnyNode): void => {
    if (node.type === 'text') out += node.data;
    else if (isElement(node)) {
      if (node.tagName.toLowerCase() === 'br') out += '\n';
      for (const child of node.children) visit(child);
    }
  };
  visit(el);
  return out.replace(/\r\n?/g, '\n').replace(/[\u00a0\t]/g, ' ');
}

function collapse(text: string): string {
  return text.replace(/[\u200b\u200c\u200d\ufeff]/g, '').replace(/\s+/g, ' ').trim();
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A date as YYYY-MM-DD, or undefined when the value is not a full calendar date.
 * The calendar date is taken as written: no time-zone conversion, which could shift the day.
 */
export function normalizeDate(value: string): string | undefined {
  const v = value.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])/.exec(v))) return ymd(m[1], m[2], m[3]);
  if ((m = /^(\d{4})(\d{2})(\d{2})(?:$|[T\s])/.exec(v))) return ymd(m[1], m[2], m[3]);
  if ((m = /^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(v))) {
    return ymd(m[3], monthNumber(m[1]), m[2]);
  }
  if ((m = /^(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,})\.?,?\s+(\d{4})$/.exec(v))) {
    return ymd(m[3], monthNumber(m[2]), m[1]);
  }
  return undefined;
}

function monthNumber(name: string | undefined): string | undefined {
  const i = MONTHS.indexOf((name ?? '').slice(0, 3).toLowerCase());
  return i < 0 ? undefined : String(i + 1);
}

function ymd(y: string | undefined, m: string | undefined, d: string | undefined): string | undefined {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1000 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
