import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { CommentTopic } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import { readAttachment } from './attachments.ts';
import type { CommentDeps } from './deps.ts';
import { STORE_BATCH, storeCommentBatch, type StoreItem, type StoreOutcome } from './bulk-store.ts';
import { groupPending } from './dedupe.ts';
import {
  COMMENT_LIMITS,
  ORGANIZATION_TYPES,
  formatFieldErrors,
  validateCommentInput,
  type CommentAttachmentInput,
  type CommentInput,
  type OrganizationType,
} from './schema.ts';

/**
 * Imports comments from the legacy inbox and from spreadsheets: `.eml` files, `.mbox` mailboxes,
 * directories of them (walked), and `.csv` files. Every message or row either becomes one whole
 * comment or is reported with where it was and why, and skipped; the rest are imported.
 * Re-importing is harmless: each message or row carries an idempotency key (Message-ID; a CSV
 * id column or a hash of the row), and a key seen before returns the stored comment.
 *
 * What is recovered from an e-mail, and how:
 * - name: the From display name; else the name line of the signature block; else the address.
 * - organization: a signature line naming one (Inc., LLC, University, Institute, Association,
 *   Coalition, Council, Ministry, ...); else the sender's domain unless it is a web-mail domain.
 * - organization type: from that line's words (University → academia, Inc./Corp. → industry,
 *   Foundation/Coalition/Watch → ngo, Ministry/Department/Embassy → government), else the domain
 *   (.gov/.mil and gov.xx → government, .edu/.ac.xx → academia, .org/.ngo → ngo,
 *   .com/.co/.net → industry, web mail → individual), else other.
 * - "on behalf of X" in the first lines of the body fills `onBehalfOf`.
 * - topic: none (the submitter did not choose one); triage suggests one.
 * - consent to publish: no (an e-mail gives none), so exports mark these comments restricted.
 * - received: the Date header (a missing or future date: the import time).
 * - body: the text part, else the HTML part as text; an empty body with attachments becomes
 *   "See attached file(s): ..."; a body over 20,000 characters is cut there and kept whole as
 *   the attachment message-body.txt (searchable).
 */

export type ImportOutcome =
  | { status: 'imported'; where: string; trackingNumber: string; commentId: number }
  | { status: 'duplicate'; where: string; trackingNumber: string; commentId: number }
  | { status: 'failed'; where: string; reason: string };

export type ImportEvent = { type: 'start'; total: number } | { type: 'item'; outcome: ImportOutcome };

export interface ImportSummary {
  imported: number;
  duplicates: number;
  failed: number;
  outcomes: ImportOutcome[];
  /** Files in walked directories that are not .eml, .mbox or .csv. */
  ignored: string[];
  /** File-level remarks, e.g. CSV columns that were not used. */
  notes: string[];
}

/** A message or row ready to submit, or why it cannot be. Parsers never throw. */
export type ParsedItem =
  | { ok: true; where: string; input: CommentInput; idempotencyKey: string }
  | { ok: false; where: string; reason: string };

// ---------------------------------------------------------------------------------------------
// E-mail

const WEBMAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'aol.com',
  'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'web.de', 'mail.com', 'yandex.ru',
  'zoho.com', 'fastmail.com', 'comcast.net', 'verizon.net', 'att.net',
]);

const ORG_WORDS: Array<[RegExp, OrganizationType]> = [
  [/\b(?:University|College|School of|Academy|Polytechnic|Research Institute)\b/i, 'academia'],
  [/\b(?:Ministry|Department of|Embassy|Mission of|Government of|Agency|Parliament|Congress(?:ional)?|Senate|Office of)\b/i, 'government'],
  [/\b(?:Foundation|Coalition|Watch|Amnesty|Oxfam|Society|Alliance|Campaign|Committee|Network|Council|Association|Federation|Forum|Initiative|Project|Center|Centre|Institute|Union|International)\b/i, 'ngo'],
  [/\b(?:Inc|Incorporated|LLC|L\.L\.C|Corp|Corporation|Company|Co|Ltd|Limited|GmbH|PLC|AG|S\.A|Group|Industries|Technologies|Systems|Aerospace|Defense|Defence|Holdings|Partners|Consulting)\b\.?/i, 'industry'],
];

function orgTypeFromName(name: string): OrganizationType | null {
  for (const [re, type] of ORG_WORDS) if (re.test(name)) return type;
  return null;
}

function orgTypeFromDomain(domain: string): OrganizationType | null {
  const d = domain.toLowerCase();
  if (WEBMAIL.has(d)) return 'individual';
  if (/\.(?:gov|mil)$|\.gov\.[a-z]{2}$|\.gc\.ca$|\.gouv\.[a-z]{2}$|\.gob\.[a-z]{2}$|\.europa\.eu$/.test(d)) return 'government';
  if (/\.edu$|\.edu\.[a-z]{2}$|\.ac\.[a-z]{2}$/.test(d)) return 'academia';
  if (/\.(?:org|ngo)$|\.org\.[a-z]{2}$/.test(d)) return 'ngo';
  if (/\.(?:com|co|net|biz)$|\.co\.[a-z]{2}$|\.com\.[a-z]{2}$/.test(d)) return 'industry';
  return null;
}

/** Best guess at the organization type from what a row or message says; `other` when nothing says. */
export function guessOrganizationType(organization: string | null | undefined, emailAddress?: string | null): OrganizationType {
  const fromName = organization ? orgTypeFromName(organization) : null;
  if (fromName) return fromName;
  const domain = emailAddress?.split('@')[1];
  const fromDomain = domain ? orgTypeFromDomain(domain) : null;
  // A web-mail sender naming an organization is writing for it, not as an individual.
  if (fromDomain === 'individual' && organization) return 'other';
  return fromDomain ?? (organization ? 'other' : 'individual');
}

const CLOSING_LINE = /^\s*(?:sincerely(?: yours)?|regards|best regards|kind regards|warm regards|respectfully(?: submitted| yours)?|thank you|thanks|best|cordially|yours truly|very truly yours|on behalf of [^,]+)\s*[,.!]?\s*$/i;

/** The lines after the last closing ("Sincerely,") or the "-- " separator, at most six. */
export function signatureBlock(body: string): string[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 15); i--) {
    const l = lines[i]!;
    if (/^-- ?$/.test(l) || CLOSING_LINE.test(l)) {
      start = i + 1;
      break;
    }
  }
  if (start < 0) return [];
  return lines.slice(start).map((l) => l.trim()).filter(Boolean).slice(0, 6);
}

const NAME_LINE = /^(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[\p{Lu}][\p{L}'’.-]+(?:\s+[\p{Lu}][\p{L}'’.-]*){1,3}$/u;

/** Name and organization from a signature block, where the lines say so. */
export function fromSignature(body: string): { name: string | null; organization: string | null } {
  const block = signatureBlock(body);
  const name = block.find((l) => NAME_LINE.test(l) && !orgTypeFromName(l) && l.length <= 60) ?? null;
  let organization: string | null = null;
  for (const line of block) {
    if (line === name || /@|https?:|\d{3}[ .-]\d{3,4}/.test(line)) continue;
    // "Director, Arms Control Association": the part that names an organization.
    const parts = line.split(/\s*[,|–—]\s*|\s+-\s+/);
    const part = parts.reverse().find((p) => orgTypeFromName(p));
    if (part) {
      organization = part.slice(0, COMMENT_LIMITS.organizationChars);
      break;
    }
  }
  return { name, organization };
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  for (const obj of list) {
    for (const v of obj.value) {
      if (v.address && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.address)) return { address: v.address, name: v.name?.trim() ?? '' };
    }
  }
  return null;
}

/** "On behalf of the Arms Control Coalition, ..." near the top of a letter; not when it names the sender's own organization. */
function onBehalfOf(body: string, organization: string | null): string | null {
  const m = /\b[Oo]n behalf of (?:the )?([\p{Lu}][^,.;:\n]{2,150})/u.exec(body.slice(0, 1_500));
  const who = m ? m[1]!.trim().slice(0, COMMENT_LIMITS.onBehalfOfChars) : null;
  if (!who || (organization && who.toLowerCase() === organization.toLowerCase())) return null;
  return who;
}

const BODY_ATTACHMENT_NAME = 'message-body.txt';

/**
 * One e-mail message → a comment input, or the reason it cannot be one. Never throws: a
 * message that mailparser cannot make sense of (no From address, no text and no attachments) is
 * reported, as is one whose fields fail the schema.
 */
export async function parseEmailMessage(raw: Uint8Array, where: string, topics: readonly CommentTopic[]): Promise<ParsedItem> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { skipImageLinks: true, skipTextToHtml: true });
  } catch (err) {
    return { ok: false, where, reason: `not readable as e-mail: ${err instanceof Error ? err.message : String(err)}` };
  }
  const from = firstAddress(mail.from) ?? firstAddress(mail.replyTo);
  if (!from) return { ok: false, where, reason: 'not an e-mail message: no From header with an e-mail address' };

  let body = (mail.text ?? '').replace(/\r\n?/g, '\n').trim();
  const attachments: CommentAttachmentInput[] = [];
  // Parts the HTML body shows inline (logos, signature images) are not attachments anyone sent.
  const files = mail.attachments.filter((a) => !a.related);
  for (const [i, a] of files.entries()) {
    if (attachments.length >= COMMENT_LIMITS.attachments) break;
    attachments.push(
      await readAttachment({
        name: a.filename || `attachment-${i + 1}`,
        mime: a.contentType,
        content: a.size > COMMENT_LIMITS.attachmentBytes ? null : a.content,
        size: a.size,
      }),
    );
  }
  if (!body && attachments.length === 0) {
    return { ok: false, where, reason: 'the message has no text and no attachments' };
  }
  if (!body) body = `See attached file(s): ${attachments.map((a) => a.name).join(', ')}.`;
  if (body.length > COMMENT_LIMITS.textChars) {
    const full = body;
    const note = `\n\n[...] The full message (${full.length.toLocaleString('en-US')} characters) is in the attachment ${BODY_ATTACHMENT_NAME}.`;
    const cut = full.lastIndexOf(' ', COMMENT_LIMITS.textChars - note.length);
    body = full.slice(0, cut > 0 ? cut : COMMENT_LIMITS.textChars - note.length) + note;
    attachments.unshift({
      name: BODY_ATTACHMENT_NAME,
      mime: 'text/plain',
      size: Buffer.byteLength(full),
      text: full.slice(0, COMMENT_LIMITS.attachmentTextChars),
      note: full.length > COMMENT_LIMITS.attachmentTextChars ? 'text truncated' : null,
    });
    if (attachments.length > COMMENT_LIMITS.attachments) attachments.length = COMMENT_LIMITS.attachments;
  }

  const signature = fromSignature(body);
  const domain = from.address.split('@')[1]!.toLowerCase();
  const organization = signature.organization ?? (WEBMAIL.has(domain) ? null : domain);
  const date = mail.date && !Number.isNaN(mail.date.getTime()) && mail.date.getTime() <= Date.now() + 3600_000 ? mail.date : new Date();
  const messageId = mail.messageId?.trim();
  const input: CommentInput = {
    submitterName: (from.name || signature.name || from.address).slice(0, COMMENT_LIMITS.nameChars),
    email: from.address,
    organization,
    // A sender's own domain named as organization is not an individual writing from web mail.
    organizationType: ((t) => (t === 'individual' && organization ? 'other' : t))(guessOrganizationType(signature.organization, from.address)),
    onBehalfOf: onBehalfOf(body, organization),
    title: mail.subject?.trim().slice(0, COMMENT_LIMITS.titleChars) || null,
    text: body,
    attachments,
    consentToPublish: false,
    source: 'email',
    receivedAt: date,
    sourceRef: (messageId ? `Message-ID ${messageId}` : where).slice(0, COMMENT_LIMITS.sourceRefChars),
  };
  const checked = validateCommentInput(input, topics);
  if (!checked.ok) return { ok: false, where, reason: formatFieldErrors(checked.errors) };
  const idempotencyKey = messageId
    ? `email:${messageId.slice(0, 400)}`
    : `email-sha256:${createHash('sha256').update(raw).digest('hex')}`;
  return { ok: true, where, input, idempotencyKey };
}

/**
 * Splits an mbox file into messages: a message starts at a line beginning "From " at the start
 * of the file or after an empty line (mboxrd and mboxo). The separator line is dropped and
 * ">From " quoting is undone one level (mboxrd: ">>From " becomes ">From "). Works on bytes
 * (latin1 is a 1:1 byte mapping), so 8-bit bodies in any charset pass through untouched.
 */
export function splitMbox(buffer: Uint8Array): { messages: Array<{ raw: Buffer; line: number }>; leading: string } {
  const text = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString('latin1');
  const lines = text.split('\n');
  const messages: Array<{ raw: Buffer; line: number }> = [];
  let current: string[] | null = null;
  let startLine = 0;
  const leading: string[] = [];
  const flush = () => {
    if (current) {
      while (current.length && current[current.length - 1]!.replace(/\r$/, '') === '') current.pop();
      messages.push({ raw: Buffer.from(current.join('\n'), 'latin1'), line: startLine });
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const prevBlank = i === 0 || lines[i - 1]!.replace(/\r$/, '') === '';
    if (line.startsWith('From ') && prevBlank) {
      flush();
      current = [];
      startLine = i + 1;
      continue;
    }
    const unquoted = /^>+From /.test(line) ? line.slice(1) : line;
    if (current) current.push(unquoted);
    else leading.push(line);
  }
  flush();
  return { messages, leading: leading.join('\n').trim() };
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * CSV columns, matched case-insensitively, ignoring spaces, "_" and "-"; the first header row
 * names them. regulations.gov export names are accepted too. Only `comment` is required.
 *
 * | column (aliases)                                  | field                                   |
 * |---------------------------------------------------|-----------------------------------------|
 * | id (commentId, trackingNbr, trackingNumber)       | idempotency key, must be unique across every spreadsheet you import |
 * | name (submitterName, submitter)                   | submitter name; else firstName + lastName; else email |
 * | firstName, lastName                               | submitter name                          |
 * | email (emailAddress)                              | email                                   |
 * | organization (organisation, org)                  | organization                            |
 * | organizationType (orgType, submitterType)         | industry, ngo, academia, government, individual, other (regulations.gov INDIVIDUAL / ORGANIZATION / ANONYMOUS accepted); default: guessed |
 * | onBehalfOf                                        | on behalf of                            |
 * | topic (category)                                  | a configured topic slug or label        |
 * | documentId (commentOnDocumentId)                  | an ingested document id                 |
 * | title (subject)                                   | title                                   |
 * | comment (text, commentText, body)                 | comment text (required)                 |
 * | consentToPublish (consent, publish)               | yes/no, true/false, 1/0; default no     |
 * | receivedAt (receiveDate, received, date)          | YYYY-MM-DD or ISO 8601; default: import time |
 *
 * Without an id column, a row's key is the SHA-256 of its mapped values: the same row imported
 * again is skipped, an edited row is a new comment.
 */
export const CSV_COLUMNS: Record<string, string> = {
  id: 'id', commentid: 'id', trackingnbr: 'id', trackingnumber: 'id',
  name: 'submitterName', submittername: 'submitterName', submitter: 'submitterName',
  firstname: 'firstName', lastname: 'lastName',
  email: 'email', emailaddress: 'email',
  organization: 'organization', organisation: 'organization', org: 'organization',
  organizationtype: 'organizationType', organisationtype: 'organizationType', orgtype: 'organizationType', submittertype: 'organizationType',
  onbehalfof: 'onBehalfOf',
  topic: 'topic', category: 'topic',
  documentid: 'documentId', commentondocumentid: 'documentId',
  title: 'title', subject: 'title',
  comment: 'text', text: 'text', commenttext: 'text', body: 'text',
  consenttopublish: 'consentToPublish', consent: 'consentToPublish', publish: 'consentToPublish',
  receivedat: 'receivedAt', receivedate: 'receivedAt', received: 'receivedAt', date: 'receivedAt',
};

const headerKey = (h: string) => h.trim().toLowerCase().replace(/[\s_-]+/g, '');

const SUBMITTER_TYPES: Record<string, OrganizationType | null> = { individual: 'individual', anonymous: 'individual', organization: null };

/**
 * A CSV file → comment inputs and failures, by line. Never throws: a file that is not CSV, has
 * no comment column or has a broken row gives failures with their line numbers.
 */
export function parseCommentCsv(content: string | Uint8Array, file: string /* used in positions */, topics: readonly CommentTopic[]): { items: ParsedItem[]; notes: string[] } {
  const items: ParsedItem[] = [];
  const notes: string[] = [];
  const name = file;
  let text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  if (text.includes('\u0000')) return { items: [{ ok: false, where: name, reason: 'not a CSV text file (it contains NUL bytes)' }], notes };
  text = text.replace(/^\uFEFF/, '');
  let header: string[] | null = null;
  let records: Array<{ record: string[]; info: { lines: number } }>;
  const skipped: Array<{ line: number; reason: string }> = [];
  try {
    records = parseCsv(text, {
      info: true,
      relax_quotes: true,
      relax_column_count: false,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: IMPORT_LIMITS.csvRecordChars,
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
  header = records[0]!.record;
  const fields = header.map((h) => CSV_COLUMNS[headerKey(h)] ?? null);
  if (!fields.includes('text')) {
    items.push({
      ok: false,
      where: `${name} line ${records[0]!.info.lines}`,
      reason: `no comment column in the header row (${header.slice(0, 10).map((h) => JSON.stringify(h.slice(0, 40))).join(', ')}). Expected columns include: comment, name, email, organization, organizationType, topic, consentToPublish, receivedAt.`,
    });
    return { items, notes };
  }
  const unused = header.filter((_, i) => fields[i] === null && header![i]!.trim() !== '');
  if (unused.length) notes.push(`${name}: columns not used: ${unused.map((h) => h.slice(0, 40)).join(', ')}`);
  const seenFields = new Set<string>();
  for (const [i, f] of fields.entries()) {
    if (f && seenFields.has(f)) notes.push(`${name}: column "${header[i]}" repeats ${f}; the first one is used`);
    if (f) seenFields.add(f);
  }

  const byLine: Array<{ line: number; item: ParsedItem }> = items.map((item, i) => ({ line: skipped[i]!.line, item }));
  for (const { record, info } of records.slice(1)) {
    const where = `${name} line ${info.lines}`;
    const row: Record<string, string> = {};
    for (const [i, f] of fields.entries()) {
      if (f && row[f] === undefined) row[f] = (record[i] ?? '').trim();
    }
    byLine.push({ line: info.lines, item: csvRowToItem(row, where, topics) });
  }
  // Report in file order: skipped rows were collected while parsing, ahead of the rest.
  byLine.sort((a, b) => a.line - b.line);
  return { items: byLine.map((x) => x.item), notes };
}

function csvRowToItem(row: Record<string, string>, where: string, topics: readonly CommentTopic[]): ParsedItem {
  const get = (k: string) => (row[k] ? row[k] : undefined);
  const fullName = get('submitterName') ?? ([get('firstName'), get('lastName')].filter(Boolean).join(' ') || get('email') || '');
  let orgType: string | undefined = get('organizationType');
  if (orgType !== undefined) {
    const k = orgType.toLowerCase();
    if (k in SUBMITTER_TYPES) orgType = SUBMITTER_TYPES[k] ?? guessOrganizationType(get('organization'), get('email'));
  }
  const input: CommentInput = {
    submitterName: fullName,
    email: get('email'),
    organization: get('organization'),
    organizationType: orgType ?? guessOrganizationType(get('organization'), get('email')),
    onBehalfOf: get('onBehalfOf'),
    topic: get('topic'),
    documentId: get('documentId'),
    title: get('title'),
    text: row.text ?? '',
    consentToPublish: get('consentToPublish') ?? false,
    source: 'csv',
    receivedAt: get('receivedAt'),
    sourceRef: where,
  };
  const checked = validateCommentInput(input, topics);
  if (!checked.ok) return { ok: false, where, reason: formatFieldErrors(checked.errors) };
  const id = get('id');
  const key = id
    ? `csv:id:${id.slice(0, 400)}`
    : `csv-row:${createHash('sha256').update(JSON.stringify(Object.entries(row).filter(([, v]) => v !== '').sort())).digest('hex')}`;
  return { ok: true, where, input, idempotencyKey: key };
}

// ---------------------------------------------------------------------------------------------
// Files, directories, and the import itself

type Unit =
  | { kind: 'eml'; file: string; where: string }
  | { kind: 'raw-email'; raw: Buffer; where: string }
  | { kind: 'parsed'; item: ParsedItem };

const IMPORTABLE = new Set(['.eml', '.mbox', '.mbx', '.csv']);

/**
 * Files are read whole, so their size is bounded before reading: one e-mail holds at most 20
 * attachments read up to 25 MB each, base64 adds a third; an mbox is many of them; a CSV of
 * 20,000-character comments fills 64 MB at about 3,000 rows. Bigger files are refused with the
 * reason (split them), never half-read. A CSV record is bounded too, so one unclosed quote
 * cannot swallow the rest of the file into a single field.
 */
export const IMPORT_LIMITS = { emlBytes: 64 * 1024 * 1024, mboxBytes: 1024 * 1024 * 1024, csvBytes: 64 * 1024 * 1024, csvRecordChars: 1_000_000 } as const;

function sizeLimitFor(ext: string): number {
  return ext === '.csv' ? IMPORT_LIMITS.csvBytes : ext === '.eml' ? IMPORT_LIMITS.emlBytes : IMPORT_LIMITS.mboxBytes;
}

/** Null when the file may be read; otherwise why not. */
async function tooLarge(file: string, ext: string): Promise<string | null> {
  const limit = sizeLimitFor(ext);
  const { size } = await stat(file);
  return size > limit ? `${(size / 1024 / 1024).toFixed(1)} MB is larger than the ${limit / 1024 / 1024} MB limit for ${ext} files; split it into smaller files` : null;
}

async function walk(dir: string, out: string[], ignored: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out, ignored);
    else if (e.isFile() && IMPORTABLE.has(path.extname(e.name).toLowerCase())) out.push(p);
    else if (e.isFile()) ignored.push(p);
  }
}

function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

async function collectUnits(paths: string[], topics: readonly CommentTopic[], ignored: string[], notes: string[]): Promise<Unit[]> {
  const files: string[] = [];
  const units: Unit[] = [];
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) await walk(p, files, ignored);
      else files.push(p);
    } catch (err) {
      units.push({ kind: 'parsed', item: { ok: false, where: p, reason: fsReason(err) } });
    }
  }
  for (const file of files) {
    const ext = path.extname(file).toLowerCase();
    if (!IMPORTABLE.has(ext)) {
      units.push({ kind: 'parsed', item: { ok: false, where: file, reason: `unsupported file type "${ext || '(none)'}": expected .eml, .mbox or .csv` } });
      continue;
    }
    try {
      const reason = await tooLarge(file, ext);
      if (reason) {
        units.push({ kind: 'parsed', item: { ok: false, where: file, reason } });
        continue;
      }
    } catch (err) {
      units.push({ kind: 'parsed', item: { ok: false, where: file, reason: fsReason(err) } });
      continue;
    }
    if (ext === '.eml') {
      units.push({ kind: 'eml', file, where: file });
      continue;
    }
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (err) {
      units.push({ kind: 'parsed', item: { ok: false, where: file, reason: fsReason(err) } });
      continue;
    }
    if (ext === '.csv') {
      const parsed = parseCommentCsv(content, file, topics);
      notes.push(...parsed.notes);
      for (const item of parsed.items) units.push({ kind: 'parsed', item });
      continue;
    }
    const { messages, leading } = splitMbox(content);
    if (messages.length === 0) {
      units.push({ kind: 'parsed', item: { ok: false, where: file, reason: 'not an mbox file: no "From " separator line starts a message' } });
      continue;
    }
    if (leading) units.push({ kind: 'parsed', item: { ok: false, where: `${file} line 1`, reason: 'text before the first "From " line is not a message; skipped' } });
    for (const [i, m] of messages.entries()) units.push({ kind: 'raw-email', raw: m.raw, where: `${file} message ${i + 1} (line ${m.line})` });
  }
  return units;
}

/**
 * Imports comments from files and directories (staff only; the CLI acts as staff). Each unit
 * (message, row) is submitted on its own, so one bad one never stops the rest; the database
 * failing does stop the import (every later unit would fail the same way) with a message saying
 * how many were imported, and re-running it skips those.
 */
export async function importComments(
  deps: CommentDeps,
  actor: Actor,
  paths: string[],
  options: { onEvent?: (e: ImportEvent) => void } = {},
): Promise<ImportSummary> {
  requireStaff(deps, actor, 'comments.import');
  if (paths.length === 0) throw new AppError('input.invalid', 'Give one or more .eml, .mbox or .csv files or directories to import.');
  const topics = deps.config.comments.topics;
  const summary: ImportSummary = { imported: 0, duplicates: 0, failed: 0, outcomes: [], ignored: [], notes: [] };
  const units = await collectUnits(paths, topics, summary.ignored, summary.notes);
  options.onEvent?.({ type: 'start', total: units.length });
  const record = (outcome: ImportOutcome) => {
    if (outcome.status === 'imported') summary.imported++;
    else if (outcome.status === 'duplicate') summary.duplicates++;
    else summary.failed++;
    summary.outcomes.push(outcome);
    options.onEvent?.({ type: 'item', outcome });
  };
  // Records are stored STORE_BATCH at a time (one transaction each) and grouped into campaigns
  // after each batch; outcomes are reported once their batch is stored and grouped. Comments a
  // killed import stored but did not group are grouped by the first batch of the next run.
  let batch: Array<{ position: number; item: StoreItem } | { position: number; outcome: ImportOutcome }> = [];
  const flush = async () => {
    const toStore = batch.flatMap((b) => ('item' in b ? [b.item] : []));
    let stored: StoreOutcome[] = [];
    try {
      stored = toStore.length ? await storeCommentBatch(deps, toStore, actor) : [];
      if (toStore.length) await groupPending(deps.db, deps.config.comments.nearDuplicateThreshold);
    } catch (err) {
      if (isAppError(err, 'db.unavailable')) {
        throw new AppError(
          'db.unavailable',
          `Import stopped at ${toStore[0]?.where ?? 'the start'}: the database is unavailable. ${summary.imported} comment(s) were imported before that; running the same import again skips them.`,
          { cause: err },
        );
      }
      throw err;
    }
    let k = 0;
    for (const b of batch) record('item' in b ? stored[k++]! : b.outcome);
    batch = [];
  };
  for (const [position, unit] of units.entries()) {
    let item: ParsedItem;
    if (unit.kind === 'parsed') item = unit.item;
    else if (unit.kind === 'raw-email') item = await parseEmailMessage(unit.raw, unit.where, topics);
    else {
      try {
        item = await parseEmailMessage(await readFile(unit.file), unit.where, topics);
      } catch (err) {
        item = { ok: false, where: unit.where, reason: fsReason(err) };
      }
    }
    if (!item.ok) batch.push({ position, outcome: { status: 'failed', where: item.where, reason: item.reason } });
    else batch.push({ position, item: { where: item.where, input: item.input, idempotencyKey: item.idempotencyKey } });
    if (batch.length >= STORE_BATCH) await flush();
  }
  await flush();
  // A rerun with nothing new to store still finishes the grouping a killed import left.
  await groupPending(deps.db, deps.config.comments.nearDuplicateThreshold);
  if (summary.outcomes.length === 0 && summary.ignored.length > 0) {
    summary.notes.push(`Nothing to import: ${summary.ignored.length} file(s) found, none .eml, .mbox or .csv.`);
  }
  deps.logger.info({ imported: summary.imported, duplicates: summary.duplicates, failed: summary.failed }, 'comments: import finished');
  return summary;
}

export function formatImportSummary(s: ImportSummary): string {
  return (
    `Imported ${s.imported} comment(s); ${s.duplicates} already imported (skipped); ${s.failed} could not be read (skipped)` +
    `${s.ignored.length ? `; ${s.ignored.length} other file(s) ignored` : ''}.`
  );
}
