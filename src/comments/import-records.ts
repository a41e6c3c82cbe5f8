import { createHash } from 'node:crypto';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { CommentTopic } from '../config.ts';
import { guessOrganizationType, mapOrganizationLabel, type LabelTable } from './organization-labels.ts';
import { COMMENT_LIMITS, formatFieldErrors, validateCommentInput, type CommentAttachmentInput, type CommentInput } from './schema.ts';

/**
 * Rows and documents of real exports → validated comment records. Pure: no database, no clock
 * beyond the schema's default date; the import loop (mail-import.ts) and the bulk writer consume
 * the same `ParsedItem`s.
 *
 * Shapes recognised (column names matched ignoring case, spaces, "_", "-" and "/"):
 * - regulations.gov bulk download: Document ID (the comment's own id, the idempotency key),
 *   Tracking Number, Comment on Document ID, Docket ID, Posted Date, Received Date, First Name,
 *   Last Name, Organization Name, Category, Government Agency, Government Agency Type, Title,
 *   Comment, Attachment Files, Duplicate Comments, City, State/Province, Country;
 * - analysts' sheets: year, commentid, form_letter, org_type, comment, stance;
 * - Policy Desk's own columns (id, name, email, organization, organizationType, topic, ...);
 * - the v4 API's JSON (`GET /v4/comments/{id}` documents and `GET /v4/comments` pages, `data[].attributes`).
 *
 * Only a real defect refuses a row (no comment text, a broken CSV record, a field that cannot be
 * what it says, e.g. a malformed e-mail address). Everything else is imported and remarked on:
 * no name (Anonymous), a label mapped to a type, markup cleaned. Remarks are grouped by kind in
 * the import summary.
 */

/** A message or row ready to submit, or why it cannot be. Parsers never throw. */
export type ParsedItem =
  | { ok: true; where: string; input: CommentInput; idempotencyKey: string; remarks?: string[] }
  | { ok: false; where: string; reason: string };

export interface RecordContext {
  topics: readonly CommentTopic[];
  /** The configured organization label table (organization-labels.ts). */
  labels?: LabelTable;
  /** A docket for rows that do not name one (`comments import --docket`). */
  docketId?: string;
}

// ---------------------------------------------------------------------------------------------
// Text

const MARKUP = /<\/?[a-z][^>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/**
 * regulations.gov text arrives with markup: `<br/>` becomes a line break, block ends a blank
 * line, other tags go, entities are decoded (by cheerio's HTML parser). Text without markup is
 * returned as it is.
 */
export function cleanCommentText(raw: string): string {
  if (!MARKUP.test(raw)) return raw;
  const marked = raw
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(?:p|div|li|h[1-6]|tr|blockquote)\s*>/gi, '\n\n')
    .replace(/<li[^>]*>/gi, '- ');
  const text = cheerio.load(`<body>${marked}</body>`).root().text();
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Fields shared by every shape

/** A row or document mapped onto field names, before validation. */
interface SourceRecord {
  id?: string;
  sourceDocumentId?: string;
  trackingNbr?: string;
  submitterName?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  organization?: string;
  organizationType?: string;
  /** Category (regulations.gov's submitter category), or a topic when it names a configured one. */
  category?: string;
  govAgency?: string;
  govAgencyType?: string;
  onBehalfOf?: string;
  topic?: string;
  commentOn?: string;
  docketId?: string;
  title?: string;
  text?: string;
  consentToPublish?: string;
  receivedAt?: string;
  postedAt?: string;
  attachmentFiles?: string[];
  duplicateComments?: string;
  city?: string;
  stateProvince?: string;
  country?: string;
  year?: string;
  formLetter?: string;
  stance?: string;
}

/** regulations.gov comment ids: AGENCY-YEAR-DOCKET-NUMBER, e.g. DOS-2018-0012-0005. */
const REGULATIONS_ID = /^[A-Z][A-Z0-9]{1,11}(?:[-_][A-Z0-9]+){1,3}-\d{4,}$/;

const SUBMITTER_TYPES: Record<string, string> = { individual: 'individual', anonymous: 'individual' };

function topicOf(value: string, topics: readonly CommentTopic[]): string | null {
  const v = value.trim().toLowerCase();
  return topics.some((t) => t.slug === v || t.label.toLowerCase() === v) ? value : null;
}

const nameOfUrl = (url: string, i: number) => {
  try {
    return decodeURIComponent(path.posix.basename(new URL(url).pathname)) || `attachment-${i + 1}`;
  } catch {
    return `attachment-${i + 1}`;
  }
};

/** Recorded now, read on request (`comments fetch-attachments`). */
export const NOT_FETCHED_NOTE = 'not fetched yet: run policy-desk comments fetch-attachments';

function attachmentsFrom(urls: readonly string[]): CommentAttachmentInput[] {
  return [...new Set(urls.map((u) => u.trim()).filter((u) => /^https?:\/\//i.test(u)))].slice(0, COMMENT_LIMITS.attachments).map((url, i) => ({
    name: nameOfUrl(url, i).slice(0, COMMENT_LIMITS.attachmentNameChars),
    mime: 'application/octet-stream',
    size: 0,
    url,
    text: null,
    note: NOT_FETCHED_NOTE,
  }));
}

function toItem(r: SourceRecord, where: string, source: 'csv' | 'regulations_gov', ctx: RecordContext): ParsedItem {
  const remarks: string[] = [];
  const raw = r.text ?? '';
  if (!raw.trim()) return { ok: false, where, reason: 'no comment text' };
  const text = cleanCommentText(raw);
  if (text !== raw) remarks.push('markup cleaned from the text (the raw text is kept for the export)');
  if (!text.trim()) return { ok: false, where, reason: 'no comment text (only markup)' };

  const name = r.submitterName || [r.firstName, r.lastName].filter(Boolean).join(' ') || r.email || '';
  if (!name) remarks.push('no name: recorded as Anonymous');

  // Category is regulations.gov's submitter category; in Policy Desk's own sheets it may name a topic.
  const categoryTopic = r.category ? topicOf(r.category, ctx.topics) : null;
  const label = r.organizationType || (categoryTopic ? undefined : r.category) || r.govAgencyType || undefined;
  let organizationType: string;
  if (label) {
    const submitterType = SUBMITTER_TYPES[label.trim().toLowerCase()];
    const m = submitterType ? { type: submitterType, by: 'name' as const } : mapOrganizationLabel(label, ctx.labels);
    organizationType = m.type;
    if (m.by === 'unknown') remarks.push(`organization label '${label}' is not in the table: mapped to other`);
    else if (m.by !== 'name') remarks.push(`organization label '${label}' mapped to ${m.type}`);
  } else {
    organizationType = r.govAgency ? 'government' : guessOrganizationType(r.organization, r.email);
  }

  const sourceDocumentId = r.sourceDocumentId || (r.id && REGULATIONS_ID.test(r.id) ? r.id : undefined);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    trackingNumber: r.trackingNbr, governmentAgency: r.govAgency, governmentAgencyType: r.govAgencyType, city: r.city,
    stateProvince: r.stateProvince, country: r.country, year: r.year, formLetter: r.formLetter, category: r.category,
  })) {
    if (v) fields[k] = v.slice(0, 500);
  }
  const duplicateComments = r.duplicateComments?.trim() ? r.duplicateComments : undefined;
  const input: CommentInput = {
    submitterName: name,
    email: r.email,
    organization: r.organization ?? r.govAgency,
    organizationType,
    organizationLabel: label ?? null,
    onBehalfOf: r.onBehalfOf,
    topic: r.topic ?? categoryTopic,
    title: r.title,
    text,
    rawText: text !== raw ? raw : null,
    attachments: attachmentsFrom(r.attachmentFiles ?? []),
    // Posted on regulations.gov means published there already; anything else gives no consent.
    consentToPublish: r.consentToPublish ?? (source === 'regulations_gov' || r.postedAt ? 'yes' : false),
    source,
    receivedAt: r.receivedAt,
    postedAt: r.postedAt,
    sourceRef: (sourceDocumentId ? `regulations.gov ${sourceDocumentId} (${where})` : where).slice(0, COMMENT_LIMITS.sourceRefChars),
    sourceDocumentId,
    commentOnRef: r.commentOn,
    docketId: r.docketId || ctx.docketId || docketOf(sourceDocumentId),
    duplicateComments,
    sourceFields: Object.keys(fields).length ? fields : undefined,
    sourceStance: r.stance,
  };
  const checked = validateCommentInput(input, ctx.topics);
  if (!checked.ok) return { ok: false, where, reason: formatFieldErrors(checked.errors) };
  const key = sourceDocumentId
    ? `regulations:${sourceDocumentId.slice(0, 400)}`
    : r.id || r.trackingNbr
      ? `csv:id:${(r.id || r.trackingNbr)!.slice(0, 400)}`
      : `csv-row:${createHash('sha256').update(JSON.stringify(Object.entries(r).filter(([, v]) => v !== '' && v !== undefined).sort())).digest('hex')}`;
  return { ok: true, where, input, idempotencyKey: key, remarks };
}

/** DOS-2018-0012-0005 belongs to docket DOS-2018-0012. */
function docketOf(documentId: string | undefined): string | undefined {
  const m = documentId ? /^(.+)-\d{4,}$/.exec(documentId) : null;
  return m?.[1];
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * Column names (normalised: lower case without spaces, "_", "-", "/") → field. Policy Desk's own
 * sheets, regulations.gov's bulk download and the analysts' shape.
 */
export const CSV_COLUMNS: Record<string, keyof SourceRecord> = {
  id: 'id', commentid: 'id', trackingnbr: 'trackingNbr', trackingnumber: 'trackingNbr',
  documentid: 'sourceDocumentId',
  name: 'submitterName', submittername: 'submitterName', submitter: 'submitterName',
  firstname: 'firstName', lastname: 'lastName',
  email: 'email', emailaddress: 'email',
  organization: 'organization', organisation: 'organization', org: 'organization', organizationname: 'organization', organisationname: 'organization',
  organizationtype: 'organizationType', organisationtype: 'organizationType', orgtype: 'organizationType', submittertype: 'organizationType',
  category: 'category',
  governmentagency: 'govAgency', govagency: 'govAgency', governmentagencytype: 'govAgencyType', govagencytype: 'govAgencyType',
  onbehalfof: 'onBehalfOf',
  topic: 'topic',
  commentondocumentid: 'commentOn', commenton: 'commentOn',
  docketid: 'docketId', docket: 'docketId',
  title: 'title', subject: 'title',
  comment: 'text', text: 'text', commenttext: 'text', body: 'text',
  consenttopublish: 'consentToPublish', consent: 'consentToPublish', publish: 'consentToPublish',
  receivedat: 'receivedAt', receivedate: 'receivedAt', received: 'receivedAt', receiveddate: 'receivedAt', date: 'receivedAt',
  posteddate: 'postedAt', postedat: 'postedAt',
  attachmentfiles: 'attachmentFiles', attachments: 'attachmentFiles',
  duplicatecomments: 'duplicateComments',
  city: 'city', stateprovince: 'stateProvince', state: 'stateProvince', stateprovinceregion: 'stateProvince', country: 'country',
  year: 'year', formletter: 'formLetter', stance: 'stance',
};

export const headerKey = (h: string) => h.trim().toLowerCase().replace(/[\s_\-/]+/g, '');

/** A CSV record is bounded, so one unclosed quote cannot swallow the rest of the file into a single field. */
export const CSV_RECORD_CHARS = 1_000_000;

/**
 * A CSV file → comment records and failures, by line. Never throws: a file that is not CSV, has
 * no comment column or has a broken row gives failures with their line numbers.
 */
export function parseCommentCsv(content: string | Uint8Array, file: string, topicsOrCtx: readonly CommentTopic[] | RecordContext): { items: ParsedItem[]; notes: string[] } {
  const ctx: RecordContext = Array.isArray(topicsOrCtx) ? { topics: topicsOrCtx } : (topicsOrCtx as RecordContext);
  const items: ParsedItem[] = [];
  const notes: string[] = [];
  const name = file;
  let text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  if (text.includes('\u0000')) return { items: [{ ok: false, where: name, reason: 'not a CSV text file (it contains NUL bytes)' }], notes };
  text = text.replace(/^\uFEFF/, '');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  const skipped: Array<{ line: number; reason: string }> = [];
  try {
    records = parseCsv(text, {
      info: true,
      relax_quotes: true,
      relax_column_count: false,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: CSV_RECORD_CHARS,
      on_skip: (err) => {
        if (err) skipped.push({ line: Number(err.lines), reason: err.message.replace(/\s+(?:at|on) line \d+/, '') });
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    return { items: [{ ok: false, where: name, reason: `not readable as CSV: ${err instanceof Error ? err.message : String(err)}` }], notes };
  }
  for (const s of skipped) items.push({ ok: false, where: `${name} line ${s.line}`, reason: `unreadable row: ${s.reason}` });
  if (records.length === 0) {
    if (items.length === 0) items.push({ ok: false, where: name, reason: 'the file is empty (expected a header row and one row per comment)' });
    return { items, notes };
  }
  const header = records[0]!.record;
  const fields = header.map((h) => CSV_COLUMNS[headerKey(h)] ?? null);
  if (!fields.includes('text')) {
    items.push({
      ok: false,
      where: `${name} line ${records[0]!.info.lines}`,
      reason: `no comment column in the header row (${header.slice(0, 10).map((h) => JSON.stringify(h.slice(0, 40))).join(', ')}). Expected columns include: comment, name, email, organization, organizationType, topic, consentToPublish, receivedAt (or regulations.gov's Document ID, Comment, First Name, ...).`,
    });
    return { items, notes };
  }
  const unused = header.filter((_, i) => fields[i] === null && header[i]!.trim() !== '');
  if (unused.length) notes.push(`${name}: columns not used: ${unused.map((h) => h.slice(0, 40)).join(', ')}`);
  const seenFields = new Set<string>();
  for (const [i, f] of fields.entries()) {
    if (f && seenFields.has(f)) notes.push(`${name}: column "${header[i]}" repeats ${f}; the first one is used`);
    if (f) seenFields.add(f);
  }

  const byLine: Array<{ line: number; item: ParsedItem }> = items.map((item, i) => ({ line: skipped[i]!.line, item }));
  for (const { record, info } of records.slice(1)) {
    const where = `${name} line ${info.lines}`;
    const row: SourceRecord = {};
    for (const [i, f] of fields.entries()) {
      if (!f || row[f] !== undefined) continue;
      const v = (record[i] ?? '').trim();
      if (f === 'attachmentFiles') row.attachmentFiles = v ? v.split(/[,\s]+(?=https?:\/\/)|\s*[;|\n]\s*/).filter(Boolean) : [];
      else if (v) (row as Record<string, string>)[f] = v;
    }
    byLine.push({ line: info.lines, item: toItem(row, where, 'csv', ctx) });
  }
  // Report in file order: skipped rows were collected while parsing, ahead of the rest.
  byLine.sort((a, b) => a.line - b.line);
  return { items: byLine.map((x) => x.item), notes };
}

// ---------------------------------------------------------------------------------------------
// regulations.gov v4 JSON

const str = z.preprocess((v) => (v === null || v === undefined ? undefined : typeof v === 'number' ? String(v) : v), z.string().optional());

/** The attributes of a v4 comment that Policy Desk reads (the API's names); the rest are ignored. */
const v4AttributesSchema = z.looseObject({
  comment: str,
  commentOnDocumentId: str,
  docketId: str,
  duplicateComments: z.preprocess((v) => (v === null ? undefined : v), z.union([z.number(), z.string()]).optional()),
  firstName: str,
  lastName: str,
  email: str,
  organization: str,
  category: str,
  govAgency: str,
  govAgencyType: str,
  city: str,
  stateProvinceRegion: str,
  country: str,
  title: str,
  trackingNbr: str,
  postedDate: str,
  receiveDate: str,
  submitterType: str,
  withdrawn: z.boolean().nullable().optional(),
  fileFormats: z.array(z.looseObject({ fileUrl: str })).nullable().optional(),
});

const v4ResourceSchema = z.looseObject({
  id: z.string({ error: 'each data item needs an id (the comment\'s Document ID)' }),
  type: str,
  attributes: z.record(z.string(), z.unknown()).default({}),
});

const v4IncludedSchema = z.looseObject({
  id: str,
  type: str,
  attributes: z.looseObject({ fileFormats: z.array(z.looseObject({ fileUrl: str })).nullable().optional() }).optional(),
});

/**
 * v4 JSON → comment records: a single document (`data` an object, attachments in `included`), a
 * page (`data` an array), or an array of either (pages saved one after another). A list page
 * item without `comment` text is refused with how to get it (the detail endpoint has it).
 */
export function parseRegulationsJson(content: string | Uint8Array, file: string, ctx: RecordContext): { items: ParsedItem[]; notes: string[] } {
  const text = (typeof content === 'string' ? content : Buffer.from(content).toString('utf8')).replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { items: [{ ok: false, where: file, reason: `not readable as JSON: ${err instanceof Error ? err.message : String(err)}` }], notes: [] };
  }
  const docs = Array.isArray(json) ? json : [json];
  const items: ParsedItem[] = [];
  const notes: string[] = [];
  for (const [d, doc] of docs.entries()) {
    const docWhere = docs.length > 1 ? `${file} [${d}]` : file;
    const data = (doc as { data?: unknown } | null)?.data;
    if (data === undefined) {
      items.push({ ok: false, where: docWhere, reason: 'not a regulations.gov v4 response: no "data" member' });
      continue;
    }
    const included = z.array(v4IncludedSchema).safeParse((doc as { included?: unknown }).included ?? []);
    const includedUrls = included.success
      ? included.data.filter((i) => i.type === 'attachments').flatMap((i) => (i.attributes?.fileFormats ?? []).map((f) => f.fileUrl).filter((u): u is string => !!u))
      : [];
    const list = Array.isArray(data) ? data : [data];
    for (const [i, raw] of list.entries()) {
      const where = Array.isArray(data) ? `${docWhere} data[${i}]` : docWhere;
      const res = v4ResourceSchema.safeParse(raw);
      if (!res.success) {
        items.push({ ok: false, where, reason: res.error.issues.map((x) => `${x.path.join('.') || 'item'}: ${x.message}`).join('; ') });
        continue;
      }
      if (res.data.type && res.data.type !== 'comments') {
        items.push({ ok: false, where: `${where} (${res.data.id})`, reason: `a "${res.data.type}" resource, not a comment` });
        continue;
      }
      const a = v4AttributesSchema.safeParse(res.data.attributes);
      if (!a.success) {
        items.push({ ok: false, where: `${where} (${res.data.id})`, reason: a.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
        continue;
      }
      const at = a.data;
      if (!at.comment?.trim()) {
        items.push({
          ok: false,
          where: `${where} (${res.data.id})`,
          reason: Array.isArray(data)
            ? 'no comment text (list pages carry none: save GET /v4/comments/{id} for each comment)'
            : 'no comment text',
        });
        continue;
      }
      const urls = [...(at.fileFormats ?? []).map((f) => f.fileUrl).filter((u): u is string => !!u), ...(Array.isArray(data) ? [] : includedUrls)];
      items.push(
        toItem(
          {
            sourceDocumentId: res.data.id,
            trackingNbr: at.trackingNbr,
            firstName: at.firstName,
            lastName: at.lastName,
            email: at.email,
            organization: at.organization,
            category: at.category,
            govAgency: at.govAgency,
            govAgencyType: at.govAgencyType,
            organizationType: at.category ? undefined : at.submitterType,
            commentOn: at.commentOnDocumentId,
            docketId: at.docketId,
            title: at.title,
            text: at.comment,
            receivedAt: at.receiveDate,
            postedAt: at.postedDate,
            attachmentFiles: urls,
            duplicateComments: at.duplicateComments === undefined ? undefined : String(at.duplicateComments),
            city: at.city,
            stateProvince: at.stateProvinceRegion,
            country: at.country,
          },
          `${where} (${res.data.id})`,
          'regulations_gov',
          ctx,
        ),
      );
    }
  }
  if (items.length === 0) notes.push(`${file}: no comments in it`);
  return { items, notes };
}

// ---------------------------------------------------------------------------------------------
// The report

export interface RemarkGroup {
  /** What happened, e.g. "organization label 'Constituent' mapped to individual". */
  kind: string;
  count: number;
  /** Where, in order (at most 10 kept; `count` has them all). */
  where: string[];
}

/** Remarks and refusals grouped by kind, largest first: one line per kind, never one per row. */
export function groupRemarks(entries: Iterable<{ kind: string; where: string }>): RemarkGroup[] {
  const groups = new Map<string, RemarkGroup>();
  for (const { kind, where } of entries) {
    const g = groups.get(kind) ?? { kind, count: 0, where: [] };
    g.count++;
    if (g.where.length < 10) g.where.push(where);
    groups.set(kind, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}

/** "1,117 rows: organization label 'Constituent' mapped to individual (sheet.csv line 2, line 3, ...)". */
export function formatRemarkGroup(g: RemarkGroup): string {
  const lines = g.where.map((w, i) => (i === 0 ? w : w.replace(/^.* (line \d+)$/, '$1')));
  const more = g.count > g.where.length ? ', ...' : '';
  return `${g.count.toLocaleString('en-US')} row${g.count === 1 ? '' : 's'}: ${g.kind} (${lines.join(', ')}${more})`;
}
