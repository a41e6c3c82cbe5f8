import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { CommentTopic } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import { readAttachment } from './attachments.ts';
import type { CommentDeps } from './deps.ts';
import { assignPositions, DEFAULT_DOCKET, setDocketProposal, type PositionReader, type PositionRun } from './docket-positions.ts';
import { formatRemarkGroup, groupRemarks, parseCommentCsv, parseRegulationsJson, type ParsedItem, type RecordContext, type RemarkGroup } from './import-records.ts';
import { guessOrganizationType, loadLabelTable, orgTypeFromName, WEBMAIL } from './organization-labels.ts';

export { guessOrganizationType } from './organization-labels.ts';
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

export type ImportEvent =
  | { type: 'start'; total: number }
  | { type: 'item'; outcome: ImportOutcome }
  /** Campaign grouping: `done` of the `total` comments this import has stored (or found waiting) are grouped. */
  | { type: 'grouping'; done: number; total: number };

export interface ImportSummary {
  imported: number;
  duplicates: number;
  failed: number;
  outcomes: ImportOutcome[];
  /** Files in walked directories that are not .eml, .mbox or .csv. */
  ignored: string[];
  /** File-level remarks, e.g. CSV columns that were not used. */
  notes: string[];
  /** What was imported with a remark (a label mapped, no name, markup cleaned), by kind. */
  remarks: RemarkGroup[];
  /** What was refused, by reason. */
  refused: RemarkGroup[];
  /** Positions read after the import (docket-positions.ts). */
  positions?: PositionRun;
}

export type { ParsedItem } from './import-records.ts';

// ---------------------------------------------------------------------------------------------
// E-mail

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
// CSV and regulations.gov JSON: rows → records in import-records.ts

export { CSV_COLUMNS, parseCommentCsv, parseRegulationsJson } from './import-records.ts';

// ---------------------------------------------------------------------------------------------
// Files, directories, and the import itself

type Unit =
  | { kind: 'eml'; file: string; where: string }
  | { kind: 'raw-email'; raw: Buffer; where: string }
  | { kind: 'parsed'; item: ParsedItem };

const IMPORTABLE = new Set(['.eml', '.mbox', '.mbx', '.csv', '.json']);

/**
 * Files are read whole, so their size is bounded before reading: one e-mail holds at most 20
 * attachments read up to 25 MB each, base64 adds a third; an mbox is many of them; a CSV of
 * 20,000-character comments fills 64 MB at about 3,000 rows. Bigger files are refused with the
 * reason (split them), never half-read. A CSV record is bounded too, so one unclosed quote
 * cannot swallow the rest of the file into a single field.
 */
export const IMPORT_LIMITS = { emlBytes: 64 * 1024 * 1024, mboxBytes: 1024 * 1024 * 1024, csvBytes: 256 * 1024 * 1024, csvRecordChars: 1_000_000 } as const;

function sizeLimitFor(ext: string): number {
  return ext === '.csv' || ext === '.json' ? IMPORT_LIMITS.csvBytes : ext === '.eml' ? IMPORT_LIMITS.emlBytes : IMPORT_LIMITS.mboxBytes;
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

async function collectUnits(paths: string[], ctx: RecordContext, ignored: string[], notes: string[]): Promise<Unit[]> {
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
      units.push({ kind: 'parsed', item: { ok: false, where: file, reason: `unsupported file type "${ext || '(none)'}": expected .eml, .mbox, .csv or .json` } });
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
    if (ext === '.csv' || ext === '.json') {
      const parsed = ext === '.csv' ? parseCommentCsv(content, file, ctx) : parseRegulationsJson(content, file, ctx);
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
  options: {
    onEvent?: (e: ImportEvent) => void;
    docketId?: string;
    /** What the imported dockets respond to (`--proposal`); their positions are read again against it. */
    proposal?: string;
    /** How positions are read (default: offline cues; the CLI passes the model's reader in LLM mode). */
    positionReader?: PositionReader;
  } = {},
): Promise<ImportSummary> {
  requireStaff(deps, actor, 'comments.import');
  if (paths.length === 0) throw new AppError('input.invalid', 'Give one or more .eml, .mbox, .csv or .json files or directories to import.');
  const topics = deps.config.comments.topics;
  const summary: ImportSummary = { imported: 0, duplicates: 0, failed: 0, outcomes: [], ignored: [], notes: [], remarks: [], refused: [] };
  const labels = loadLabelTable(deps.config.comments.organizationLabels, deps.config.comments.organizationLabelsFile);
  const ctx: RecordContext = { topics, labels, docketId: options.docketId?.trim() || undefined };
  const units = await collectUnits(paths, ctx, summary.ignored, summary.notes);
  const remarks: Array<{ kind: string; where: string }> = [];
  const dockets = new Map<string, string | null>();
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
  let grouped = 0;
  const group = async (expected?: number) => {
    const step = await groupPending(deps.db, deps.config.comments.nearDuplicateThreshold, {
      expected,
      onProgress: (done, total) => options.onEvent?.({ type: 'grouping', done: grouped + done, total: grouped + total }),
    });
    grouped += step.checked;
  };
  const flush = async () => {
    const toStore = batch.flatMap((b) => ('item' in b ? [b.item] : []));
    let stored: StoreOutcome[] = [];
    try {
      stored = toStore.length ? await storeCommentBatch(deps, toStore, actor) : [];
      if (toStore.length) await group(stored.filter((o) => o.status === 'imported').length);
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
    if (item.ok) for (const kind of item.remarks ?? []) remarks.push({ kind, where: item.where });
    if (item.ok) dockets.set(item.input.docketId ?? DEFAULT_DOCKET, dockets.get(item.input.docketId ?? DEFAULT_DOCKET) ?? item.input.commentOnRef ?? null);
    if (!item.ok) batch.push({ position, outcome: { status: 'failed', where: item.where, reason: item.reason } });
    else batch.push({ position, item: { where: item.where, input: item.input, idempotencyKey: item.idempotencyKey } });
    if (batch.length >= STORE_BATCH) await flush();
  }
  await flush();
  // A rerun with nothing new to store still finishes the grouping a killed import left.
  await group();
  if (summary.outcomes.length === 0 && summary.ignored.length > 0) {
    summary.notes.push(`Nothing to import: ${summary.ignored.length} file(s) found, none .eml, .mbox, .csv or .json.`);
  }
  // Remarks of rows already imported before are not news.
  const fresh = new Set(summary.outcomes.filter((o) => o.status === 'imported').map((o) => o.where));
  summary.remarks = groupRemarks(remarks.filter((r) => fresh.has(r.where)));
  summary.refused = groupRemarks(summary.outcomes.flatMap((o) => (o.status === 'failed' ? [{ kind: o.reason, where: o.where }] : [])));
  if (options.proposal) for (const [id, commentOn] of dockets) await setDocketProposal(deps, actor, id, options.proposal, commentOn);
  summary.positions = await assignPositions(deps, { all: Boolean(options.proposal), reader: options.positionReader });
  deps.logger.info({ imported: summary.imported, duplicates: summary.duplicates, failed: summary.failed }, 'comments: import finished');
  return summary;
}

/** One line per kind of remark and of refusal, with where ("1,117 rows: organization label 'Constituent' mapped to individual (...)"). */
export function formatImportReport(s: Pick<ImportSummary, 'remarks' | 'refused'>): string[] {
  return [
    ...s.refused.map((g) => `refused: ${formatRemarkGroup(g)}`),
    ...s.remarks.map((g) => formatRemarkGroup(g)),
  ];
}

export function formatImportSummary(s: ImportSummary): string {
  return (
    `Imported ${s.imported} comment(s); ${s.duplicates} already imported (skipped); ${s.failed} could not be read (skipped)` +
    `${s.ignored.length ? `; ${s.ignored.length} other file(s) ignored` : ''}.`
  );
}
