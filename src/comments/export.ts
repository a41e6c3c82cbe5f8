import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { CommentTopic } from '../config.ts';
import { AppError } from '../errors.ts';
import { requireStaff, type Actor } from './access.ts';
import type { CommentDeps } from './deps.ts';
import { listComments, topicLabel } from './queue.ts';
import { COMMENT_STATUSES, ORGANIZATION_TYPES, type Comment, type CommentStatus } from './schema.ts';

/**
 * Exports of the queue. Field names follow regulations.gov's comment attributes where the
 * meaning is the same (trackingNbr, receiveDate, postedDate, modifyDate, firstName, lastName,
 * email, organization, submitterType, category, title, comment, commentOnDocumentId,
 * duplicateComments, restrictReason); Policy Desk's own fields follow them.
 *
 * Every comment without consent to publish has `consentToPublish: false` and a `restrictReason`,
 * in every format, so nothing restricted can be published by mistake from an export.
 *
 * CSV: one header row with these field names; UTF-8 with a byte-order mark (Excel reads accents
 * right); booleans as true/false; empty cell = null; list fields (tags, attachments,
 * personalDataKinds) as JSON arrays; a text cell starting with = + - @ or ' gets a leading ' so
 * spreadsheets do not run it as a formula (parseExportCsv removes it). parseExportCsv(csv) gives
 * back exactly the records exported.
 */

export const RESTRICT_REASON_NO_CONSENT = 'The submitter did not consent to publication.';

export interface ExportRecord {
  /** The comment's own id at the source (regulations.gov `Document ID`, e.g. DOS-2018-0012-0005): trace a row back there. */
  documentId: string | null;
  docketId: string | null;
  trackingNbr: string;
  receiveDate: string;
  postedDate: string | null;
  modifyDate: string;
  firstName: string | null;
  lastName: string;
  email: string | null;
  organization: string | null;
  /** regulations.gov: INDIVIDUAL or ORGANIZATION. */
  submitterType: 'INDIVIDUAL' | 'ORGANIZATION';
  organizationType: string;
  /** The organization type as the source labelled it ("Constituent"); organizationType is its mapping. */
  organizationLabel: string | null;
  onBehalfOf: string | null;
  /** The submitter's topic, as its label. */
  category: string | null;
  topic: string | null;
  title: string | null;
  comment: string;
  /** The text as it arrived (markup, entities) when cleaning changed it; else null. */
  rawComment: string | null;
  commentOnDocumentId: string | null;
  /** Other comments in the same campaign (exact and near duplicates), like regulations.gov's count. */
  duplicateComments: number;
  /** regulations.gov's own `Duplicate Comments` of this comment, as imported. */
  sourceDuplicateComments: number;
  campaignId: string | null;
  duplicateKind: string | null;
  consentToPublish: boolean;
  restrictReason: string | null;
  status: CommentStatus;
  assignee: string | null;
  tags: string[];
  source: string;
  sourceRef: string | null;
  attachments: string[];
  suggestedTopic: string | null;
  suggestedTopicMethod: string | null;
  personalDataFlag: boolean;
  personalDataKinds: string[];
  /** Position on the docket's proposal: supports, opposes, mixed, unclear; null when no proposal is set. */
  position: string | null;
  /** The verbatim sentence that shows it. */
  positionQuote: string | null;
  /** cues, llm, campaign or reviewer. */
  positionMethod: string | null;
}

type FieldKind = 'string' | 'nullableString' | 'number' | 'boolean' | 'list';

/** Column order and type of every export field. */
export const EXPORT_FIELDS: ReadonlyArray<readonly [keyof ExportRecord, FieldKind]> = [
  ['trackingNbr', 'string'],
  ['receiveDate', 'string'],
  ['postedDate', 'nullableString'],
  ['modifyDate', 'string'],
  ['firstName', 'nullableString'],
  ['lastName', 'string'],
  ['email', 'nullableString'],
  ['organization', 'nullableString'],
  ['submitterType', 'string'],
  ['organizationType', 'string'],
  ['organizationLabel', 'nullableString'],
  ['onBehalfOf', 'nullableString'],
  ['category', 'nullableString'],
  ['topic', 'nullableString'],
  ['title', 'nullableString'],
  ['comment', 'string'],
  ['rawComment', 'nullableString'],
  ['commentOnDocumentId', 'nullableString'],
  ['documentId', 'nullableString'],
  ['docketId', 'nullableString'],
  ['duplicateComments', 'number'],
  ['sourceDuplicateComments', 'number'],
  ['campaignId', 'nullableString'],
  ['duplicateKind', 'nullableString'],
  ['consentToPublish', 'boolean'],
  ['restrictReason', 'nullableString'],
  ['status', 'string'],
  ['assignee', 'nullableString'],
  ['tags', 'list'],
  ['source', 'string'],
  ['sourceRef', 'nullableString'],
  ['attachments', 'list'],
  ['suggestedTopic', 'nullableString'],
  ['suggestedTopicMethod', 'nullableString'],
  ['personalDataFlag', 'boolean'],
  ['personalDataKinds', 'list'],
  ['position', 'nullableString'],
  ['positionQuote', 'nullableString'],
  ['positionMethod', 'nullableString'],
];

/** regulations.gov splits names in two; the last word is the last name, the rest the first name. */
export function splitName(name: string): { firstName: string | null; lastName: string } {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return { firstName: null, lastName: words[0] ?? '' };
  return { firstName: words.slice(0, -1).join(' '), lastName: words[words.length - 1]! };
}

export function toExportRecord(c: Comment, topics: readonly CommentTopic[]): ExportRecord {
  const { firstName, lastName } = splitName(c.submitterName);
  return {
    documentId: c.sourceDocumentId,
    docketId: c.docketId,
    trackingNbr: c.trackingNumber,
    receiveDate: c.receivedAt.toISOString(),
    postedDate: c.postedAt ? c.postedAt.toISOString() : null,
    modifyDate: c.updatedAt.toISOString(),
    firstName,
    lastName,
    email: c.email,
    organization: c.organization,
    submitterType: c.organizationType === 'individual' && !c.organization ? 'INDIVIDUAL' : 'ORGANIZATION',
    organizationType: c.organizationType,
    organizationLabel: c.organizationLabel,
    onBehalfOf: c.onBehalfOf,
    category: topicLabel(topics, c.topic),
    topic: c.topic,
    title: c.title,
    comment: c.text,
    rawComment: c.rawText,
    commentOnDocumentId: c.documentId ?? c.commentOnRef,
    duplicateComments: c.similarCount,
    sourceDuplicateComments: c.duplicateComments,
    campaignId: c.campaignId,
    duplicateKind: c.duplicateKind,
    consentToPublish: c.consentToPublish,
    restrictReason: c.consentToPublish ? null : RESTRICT_REASON_NO_CONSENT,
    status: c.status,
    assignee: c.assignee,
    tags: [...c.tags],
    source: c.source,
    sourceRef: c.sourceRef,
    attachments: c.attachments.map((a) => a.name),
    suggestedTopic: c.suggestedTopic,
    suggestedTopicMethod: c.suggestedTopicMethod,
    personalDataFlag: c.personalData.length > 0,
    personalDataKinds: [...c.personalData],
    position: c.position,
    positionQuote: c.positionQuote,
    positionMethod: c.positionMethod,
  };
}

const FORMULA_START = /^[=+\-@'\t\r]/;

function cell(value: unknown, kind: FieldKind): string {
  if (value === null || value === undefined) return '';
  if (kind === 'list') return JSON.stringify(value);
  if (kind === 'boolean') return value ? 'true' : 'false';
  if (kind === 'number') return String(value);
  const s = String(value);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export function recordsToCsv(records: readonly ExportRecord[]): string {
  const header = EXPORT_FIELDS.map(([name]) => name);
  const rows = records.map((r) => EXPORT_FIELDS.map(([name, kind]) => cell(r[name], kind)));
  // quoted_match on empty strings is not needed: an empty cell is null, and no exported text is empty.
  return `\uFEFF${stringify([header, ...rows], { record_delimiter: '\r\n', quoted_string: false })}`;
}

/** Parses an export CSV back into records: the inverse of recordsToCsv. */
export function parseExportCsv(csv: string): ExportRecord[] {
  const rows = parseCsv(csv, { bom: true, relax_column_count: false }) as string[][];
  const [header, ...data] = rows;
  const expected = EXPORT_FIELDS.map(([name]) => name);
  if (!header || header.join(',') !== expected.join(',')) {
    throw new AppError('input.invalid', `Not a Policy Desk export: the header row must be ${expected.join(',')}.`);
  }
  return data.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [i, [name, kind]] of EXPORT_FIELDS.entries()) {
      const v = row[i] ?? '';
      if (kind === 'list') record[name] = v === '' ? [] : (JSON.parse(v) as string[]);
      else if (kind === 'boolean') record[name] = v === 'true';
      else if (kind === 'number') record[name] = Number(v);
      else if (v === '' && kind === 'nullableString') record[name] = null;
      else record[name] = v.startsWith("'") ? v.slice(1) : v;
    }
    return record as unknown as ExportRecord;
  });
}

const exportOptionsSchema = z.object({
  format: z.enum(['csv', 'json'], { error: 'expected format csv or json' }),
  status: z
    .union([z.enum(COMMENT_STATUSES), z.array(z.enum(COMMENT_STATUSES))], { error: `expected statuses among ${COMMENT_STATUSES.join(', ')}` })
    .optional(),
  since: z.union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected --since as YYYY-MM-DD' })]).optional(),
  organizationType: z.union([z.enum(ORGANIZATION_TYPES), z.array(z.enum(ORGANIZATION_TYPES))]).optional(),
  // The rest of listComments' filters, so an export can be exactly what a listing showed (the Slack export action).
  until: z.union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected until as YYYY-MM-DD' })]).optional(),
  topic: z.string().trim().min(1).optional(),
  assignee: z.string().trim().min(1).nullable().optional(),
  tag: z.string().trim().min(1).optional(),
  text: z.string().trim().min(1).max(500).optional(),
  submitter: z.string().trim().min(1).max(200).optional(),
});
export type ExportOptions = z.input<typeof exportOptionsSchema>;

export interface ExportResult {
  format: 'csv' | 'json';
  /** The file content. */
  content: string;
  /** A file name to offer, e.g. policy-desk-comments-2026-11-22.csv. */
  filename: string;
  count: number;
  /** How many of them may not be published (no consent). */
  restricted: number;
  records: ExportRecord[];
}

const PAGE = 500;

/** Exports comments as CSV or JSON (staff only). Oldest first, so repeated exports line up. */
export async function exportComments(deps: CommentDeps, actor: Actor, options: ExportOptions): Promise<ExportResult> {
  requireStaff(deps, actor, 'comments.export');
  const parsed = exportOptionsSchema.safeParse(options);
  if (!parsed.success) throw new AppError('input.invalid', `Invalid export options: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const o = parsed.data;
  const records: ExportRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { comments } = await listComments(deps, actor, {
      status: o.status,
      since: o.since,
      until: o.until,
      organizationType: o.organizationType,
      topic: o.topic,
      assignee: o.assignee,
      tag: o.tag,
      text: o.text,
      submitter: o.submitter,
      order: 'oldest',
      limit: PAGE,
      offset,
    });
    records.push(...comments.map((c) => toExportRecord(c, deps.config.comments.topics)));
    if (comments.length < PAGE) break;
  }
  const content = o.format === 'csv' ? recordsToCsv(records) : `${JSON.stringify(records, null, 2)}\n`;
  const restricted = records.filter((r) => !r.consentToPublish).length;
  deps.logger.info({ count: records.length, restricted, format: o.format }, 'comments: export');
  return {
    format: o.format,
    content,
    filename: `policy-desk-comments-${new Date().toISOString().slice(0, 10)}.${o.format}`,
    count: records.length,
    restricted,
    records,
  };
}
