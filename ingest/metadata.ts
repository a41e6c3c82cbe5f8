import type { Block, CleanedDocument } from './clean.ts';
import { isDateLine } from './clean.ts';
import type { LoadedDocument } from './types.ts';

export type DocumentKind =
  | 'policy_statement'
  | 'fact_sheet'
  | 'implementation_plan'
  | 'office_mission'
  | 'press_article'
  | 'document';

export interface DocumentMetadata {
  title: string;
  kind: DocumentKind;
  issuingOffice: string | null;
  /** ISO date, only when the document itself states one. */
  publishedOn: string | null;
  contacts: string[];
}

/** How far into a document a letterhead (office, date, title) may reach. */
const HEADER_BLOCKS = 10;

const KIND_LABELS: Array<[RegExp, DocumentKind, string]> = [
  [/^fact sheet$/i, 'fact_sheet', 'Fact Sheet'],
  [/^mission statement$/i, 'office_mission', 'Mission Statement'],
  [/^implementation plan$/i, 'implementation_plan', 'Implementation Plan'],
  [/^(press statement|media note|statement)$/i, 'policy_statement', 'Statement'],
];

const ORG_LINE = /^(?:(?:the )?u\.s\. )?(?:department of state|(?:bureau|office) of .{3,})$/i;
const PLACE_LINE = /^[A-Z][a-z]+(?: [A-Z][a-z]+)*, (?:DC|D\.C\.|[A-Z]{2})$/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "July 16, 2018" / "16 July 2018" / "2018-07-16" → "2018-07-16"; anything else → null. */
export function parseDateLine(text: string): string | null {
  const t = text.trim();
  if (!isDateLine(t)) return null;
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const mdy = /^([A-Za-z]+)\.? (\d{1,2}),? (\d{4})$/.exec(t);
  const dmy = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(t);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (mdy) [y, m, d] = [Number(mdy[3]), MONTHS.indexOf(mdy[1]!.slice(0, 3).toLowerCase()) + 1, Number(mdy[2])];
  else if (dmy) [y, m, d] = [Number(dmy[3]), MONTHS.indexOf(dmy[2]!.slice(0, 3).toLowerCase()) + 1, Number(dmy[1])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

function normalizeIsoDate(value: string | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  return m ? parseDateLine(`${m[1]}-${m[2]}-${m[3]}`) : null;
}

function titleCase(s: string): string {
  return s.toLowerCase().replace(/\b([a-z])/g, (c) => c.toUpperCase());
}

function looksLikeTitle(b: Block): boolean {
  return (
    b.text.length >= 8 &&
    b.text.length <= 150 &&
    !/[.;:,]$/.test(b.text) &&
    !isDateLine(b.text) &&
    !PLACE_LINE.test(b.text) &&
    !/^diplomacy in action$/i.test(b.text)
  );
}

/** First sentence, shortened at a word boundary: the title of last resort for untitled text. */
function titleFromLead(text: string): string {
  const first = text.split(/(?<=[.!?])\s/)[0] ?? text;
  if (first.length <= 90) return first.replace(/[.!?]$/, '');
  return `${first.slice(0, 90).replace(/\s+\S*$/, '')}…`;
}

export function extractMetadata(doc: CleanedDocument, loaded: Pick<LoadedDocument, 'meta' | 'format' | 'path'>): DocumentMetadata {
  const header = doc.blocks.slice(0, HEADER_BLOCKS);
  // The letterhead ends at the first real paragraph.
  const firstBody = header.findIndex((b) => b.kind === 'paragraph' && b.text.length >= 160);
  const letterhead = firstBody === -1 ? header : header.slice(0, firstBody);

  let kind: DocumentKind | null = null;
  let kindLabel: string | null = null;
  for (const b of letterhead) {
    const hit = KIND_LABELS.find(([re]) => re.test(b.text));
    if (hit) {
      kind = hit[1];
      kindLabel = hit[2];
      break;
    }
  }

  const offices = letterhead.filter((b) => ORG_LINE.test(b.text) && !/department of state$/i.test(b.text));
  const department = letterhead.find((b) => /^(?:the )?u\.s\. department of state$/i.test(b.text));
  const issuingOffice = offices[0]?.text ?? (department ? 'U.S. Department of State' : null);

  const datedLine = letterhead.map((b) => parseDateLine(b.text)).find((d) => d !== null) ?? null;
  // Dates a format carries explicitly as publication dates (HTML article metadata, front matter)
  // count; a PDF's or DOCX's creation date says when a file was made, not published.
  const formatDate = loaded.format === 'html' || loaded.format === 'md' ? normalizeIsoDate(loaded.meta.date) : null;
  const publishedOn = datedLine ?? formatDate;

  let title: string | null = null;
  const heading = doc.blocks.find((b) => b.kind === 'heading' && looksLikeTitle(b) && !KIND_LABELS.some(([re]) => re.test(b.text)));
  const candidates = letterhead.filter(
    (b) => looksLikeTitle(b) && !ORG_LINE.test(b.text) && !KIND_LABELS.some(([re]) => re.test(b.text)),
  );
  if (loaded.meta.title?.trim()) title = loaded.meta.title.trim();
  else if (candidates[0]) title = candidates[0].text;
  else if (offices[0] && kindLabel) title = `${offices[0].text}: ${kindLabel}`;
  else if (heading) title = heading.text;
  else if (offices[0]) title = offices[0].text;
  const firstParagraph = doc.blocks.find((b) => b.kind === 'paragraph')?.text ?? doc.text;
  title ??= titleFromLead(firstParagraph);
  if (title === title.toUpperCase() && /[A-Z]{4}/.test(title)) title = titleCase(title);

  const contacts = [...new Set((doc.text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? []).map((e) => e.toLowerCase()))]
    // "@StateDeptPM" handles have no domain and never match; trailing dots from sentences do.
    .map((e) => e.replace(/\.$/, ''));

  if (!kind) {
    const saidCount = (doc.text.match(/\b(said|says|told)\b/g) ?? []).length;
    if (/implementation plan/i.test(title)) kind = 'implementation_plan';
    else if (saidCount >= 3 && !department && offices.length === 0) kind = 'press_article';
    else if (/\bpolicy\b|\bNSPM\b|memorandum/i.test(`${title} ${doc.text.slice(0, 600)}`)) kind = 'policy_statement';
    else kind = 'document';
  }

  return { title, kind, issuingOffice, publishedOn, contacts };
}
