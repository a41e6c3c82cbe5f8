import { z } from 'zod';
import type { CommentTopic } from '../config.ts';

/**
 * The comment record: ONE schema for every intake path (Slack modal, Slack message shortcut,
 * e-mail import, CSV import). Each path maps its own input onto these field names and calls
 * `validateCommentInput` (or `submitComment`, which does); the field names are also the keys of
 * the field errors, so the Slack modal can use them as its block ids.
 */

// The vocabularies (types, states, positions and their labels) live in src/domain/comment.ts,
// free of zod, so the command line's help can name them without loading this schema.
import {
  ANONYMOUS,
  COMMENT_SOURCES,
  ORGANIZATION_TYPE_LABELS,
  ORGANIZATION_TYPES,
  type CommentSource,
  type CommentStatus,
  type OrganizationType,
  type PersonalDataKind,
  type Position,
} from '../domain/comment.ts';
export * from '../domain/comment.ts';

/**
 * Bounds, each with its reason:
 * - text 20,000 characters, for comments typed or sent in Slack (the form itself stops at
 *   3,000): a review card stays readable. Imported comments (CSV, regulations.gov JSON, e-mail)
 *   have no length limit: a letter refused at import is a letter lost to the review. Their full
 *   text is stored and searched; cards show an excerpt and say how long the whole is.
 * - names 200, organization 120 (regulations.gov's organization limit), title 500.
 * - attachments: 20 files; text is read from files of at most 25 MB (a common mail server limit),
 *   larger ones are recorded by name and size only; at most 200,000
 *   characters of extracted text are kept per file (about 80 pages), enough to search and
 *   quote, and well inside Postgres' 1 MB tsvector limit.
 */
export const COMMENT_LIMITS = {
  textChars: 20_000,
  nameChars: 200,
  organizationChars: 120,
  onBehalfOfChars: 200,
  titleChars: 500,
  emailChars: 254,
  sourceRefChars: 1_000,
  attachments: 20,
  /** Files up to this size are read for text; larger ones are recorded by name and size only. */
  attachmentBytes: 25 * 1024 * 1024,
  /** Slack's own upload limit: a sanity bound on a recorded size. */
  attachmentMaxBytes: 1024 * 1024 * 1024,
  attachmentTextChars: 200_000,
  attachmentNameChars: 255,
  tags: 20,
  tagChars: 40,
  noteChars: 5_000,
} as const;

const n = (x: number) => x.toLocaleString('en-US');

/** Empty strings and null (an empty Slack input, an empty CSV cell) mean "not given". */
const blankToUndefined = (v: unknown) => {
  if (v === null) return undefined;
  if (typeof v === 'string' && v.trim() === '') return undefined;
  return v;
};

const optionalText = (max: number, what: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${what} must be text.` })
      .trim()
      .max(max, { error: (iss) => `${what} is ${n(String(iss.input).length)} characters; shorten it to ${n(max)} or fewer.` })
      .optional(),
  );

const YES = new Set(['yes', 'y', 'true', '1', 'on']);
const NO = new Set(['no', 'n', 'false', '0', 'off']);

export const attachmentSchema = z.object({
  name: z
    .string({ error: 'Each attachment needs a file name.' })
    .trim()
    .min(1, { error: 'Each attachment needs a file name.' })
    .max(COMMENT_LIMITS.attachmentNameChars, { error: `File names are limited to ${COMMENT_LIMITS.attachmentNameChars} characters.` }),
  mime: z.preprocess(blankToUndefined, z.string().trim().max(255).default('application/octet-stream')),
  size: z
    .number({ error: 'The file size must be a number of bytes.' })
    .int()
    .min(0)
    .max(COMMENT_LIMITS.attachmentMaxBytes, { error: 'is larger than 1 GB; send a link to it instead.' }),
  /** Text extracted from the file (PDF, DOCX, plain text, HTML, Markdown); null when none could be. */
  text: z.preprocess(blankToUndefined, z.string().max(COMMENT_LIMITS.attachmentTextChars).nullable().default(null)),
  /** Why there is no text, or that it was truncated. */
  note: z.preprocess(blankToUndefined, z.string().max(500).nullable().default(null)),
  /** Where the file itself is (a Slack file permalink); the bytes are not stored. */
  url: z.preprocess(blankToUndefined, z.string().max(2_000).nullable().default(null)),
}).refine((a) => a.text === null || a.size <= COMMENT_LIMITS.attachmentBytes, {
  path: ['size'],
  error: `is larger than ${COMMENT_LIMITS.attachmentBytes / 1024 / 1024} MB, so its text is not read; record it without text or send a smaller file.`,
});
/** An attachment as intake code hands it over (see `readAttachment` in attachments.ts). */
export interface CommentAttachmentInput {
  name: string;
  mime?: string | null;
  size: number;
  text?: string | null;
  note?: string | null;
  url?: string | null;
}
export type CommentAttachment = z.output<typeof attachmentSchema>;

/**
 * The comment schema for a set of configured topics. `topic` accepts a slug or a label (any
 * case) and yields the slug. It is required from the Slack modal, where the submitter chooses;
 * other paths may leave it out (a forwarded e-mail does not say), and triage suggests one.
 */
export function commentInputSchema(topics: readonly CommentTopic[]) {
  const bySlugOrLabel = new Map<string, string>();
  for (const t of topics) {
    bySlugOrLabel.set(t.slug.toLowerCase(), t.slug);
    bySlugOrLabel.set(t.label.toLowerCase(), t.slug);
  }
  const topicList = topics.map((t) => t.label).join(', ');

  return z
    .object({
      // Optional except in the Slack form (checked below); a comment without one is "Anonymous".
      submitterName: z.preprocess(
        blankToUndefined,
        z
          .string({ error: 'Enter your name.' })
          .trim()
          .max(COMMENT_LIMITS.nameChars, { error: `Names are limited to ${COMMENT_LIMITS.nameChars} characters; shorten it.` })
          .optional(),
      ),
      email: z.preprocess(
        blankToUndefined,
        z
          .string({ error: 'Enter an e-mail address as text.' })
          .trim()
          .max(COMMENT_LIMITS.emailChars, { error: `E-mail addresses are limited to ${COMMENT_LIMITS.emailChars} characters.` })
          .pipe(z.email({ error: 'Enter a valid e-mail address, like name@example.org.' }))
          .optional(),
      ),
      organization: optionalText(COMMENT_LIMITS.organizationChars, 'The organization name'),
      organizationType: z.preprocess(
        (v) => (typeof v === 'string' ? v.trim().toLowerCase() : blankToUndefined(v)),
        z.enum(ORGANIZATION_TYPES, {
          error: `Choose the organization type: ${ORGANIZATION_TYPES.map((t) => ORGANIZATION_TYPE_LABELS[t]).join(', ')}.`,
        }),
      ),
      onBehalfOf: optionalText(COMMENT_LIMITS.onBehalfOfChars, '"On behalf of"'),
      topic: z.preprocess(
        blankToUndefined,
        z
          .string()
          .transform((v, ctx) => {
            const slug = bySlugOrLabel.get(v.trim().toLowerCase());
            if (slug) return slug;
            ctx.addIssue({ code: 'custom', message: `Choose one of the topics: ${topicList}.` });
            return z.NEVER;
          })
          .optional(),
      ),
      documentId: optionalText(200, 'The document id'),
      title: optionalText(COMMENT_LIMITS.titleChars, 'The subject'),
      text: z.preprocess(
        (v) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n').trim() : v),
        z
          .string({ error: 'Enter the comment text.' })
          .min(1, { error: 'Enter the comment text (it may say "see attached" when the comment is in a file).' }),
      ),
      attachments: z
        .array(attachmentSchema)
        .max(COMMENT_LIMITS.attachments, { error: `At most ${COMMENT_LIMITS.attachments} attachments; combine some files.` })
        .default([]),
      consentToPublish: z.preprocess(
        (v) => {
          if (typeof v !== 'string') return v;
          const s = v.trim().toLowerCase();
          return YES.has(s) ? true : NO.has(s) ? false : v;
        },
        z.boolean({ error: 'Say whether the comment may be published: yes or no.' }),
      ),
      source: z.enum(COMMENT_SOURCES, { error: `The source must be one of ${COMMENT_SOURCES.join(', ')}.` }),
      receivedAt: z.preprocess(
        (v) => (v === undefined || v === null || v === '' ? new Date() : typeof v === 'string' ? new Date(v.trim()) : v),
        z
          .date({ error: 'Give the date received as YYYY-MM-DD or an ISO 8601 timestamp.' })
          .refine((d) => !Number.isNaN(d.getTime()), { error: 'Give the date received as YYYY-MM-DD or an ISO 8601 timestamp.' })
          .refine((d) => d.getTime() <= Date.now() + 24 * 3600_000, { error: 'The date received is in the future.' }),
      ),
      /** Where it came from: a Slack permalink, "Message-ID <...>", "file.csv row 7". */
      sourceRef: optionalText(COMMENT_LIMITS.sourceRefChars, 'The source reference'),
      /** The submitter's Slack identity, when the comment came through Slack: `/comment status` matches on it. */
      slackUserId: optionalText(64, 'The Slack user id'),
      slackTeamId: optionalText(64, 'The Slack team id'),
      /** A Slack Connect user from another organization. */
      submitterExternal: z.boolean().default(false),
      /** The organization type as the source labelled it; `organizationType` is its mapping. */
      organizationLabel: optionalText(200, 'The organization label'),
      /** The text as it arrived, when cleaning (markup, entities) changed it. */
      rawText: z.preprocess(blankToUndefined, z.string().optional()),
      /** regulations.gov's `Duplicate Comments`: identical copies behind this one. */
      duplicateComments: z.preprocess(
        (v) => (typeof v === 'string' ? (v.trim() === '' ? 0 : Number(v.trim().replace(/,/g, ''))) : v ?? 0),
        z.number({ error: 'Duplicate Comments must be a whole number.' }).int({ error: 'Duplicate Comments must be a whole number.' }).min(0, { error: 'Duplicate Comments cannot be negative.' }),
      ),
      /** The comment's own id at the source (regulations.gov `Document ID`, e.g. DOS-2018-0012-0005). */
      sourceDocumentId: optionalText(200, 'The document id'),
      /** `Comment on Document ID` as the source gave it. */
      commentOnRef: optionalText(200, 'The commented document id'),
      docketId: optionalText(200, 'The docket id'),
      /** Other source fields kept with the comment (city, state, country, agency). */
      sourceFields: z.record(z.string(), z.string()).optional(),
      /** A stance label that came with the row; kept, never used to decide the position. */
      sourceStance: optionalText(100, 'The stance label'),
      postedAt: z.preprocess(
        (v) => (v === undefined || v === null || v === '' ? undefined : typeof v === 'string' ? new Date(v.trim()) : v),
        z.date().refine((d) => !Number.isNaN(d.getTime()), { error: 'Give the posted date as YYYY-MM-DD or an ISO 8601 timestamp.' }).optional(),
      ),
    })
    // Runs even when other fields failed (`when`), so the modal shows every problem at once.
    .check(
      z.superRefine((c: { source?: unknown; topic?: unknown } | null, ctx) => {
        // `when: () => true` runs this even on a non-object input (null from a hostile payload).
        if (typeof c !== 'object' || c === null) return;
        if (c.source === 'slack_modal' && (c.topic === undefined || c.topic === null)) {
          ctx.addIssue({ code: 'custom', path: ['topic'], message: `Choose a topic: ${topicList}.` });
        }
        const { submitterName, text } = c as { submitterName?: unknown; text?: unknown };
        if (c.source === 'slack_modal' && (submitterName === undefined || submitterName === null || (typeof submitterName === 'string' && !submitterName.trim()))) {
          ctx.addIssue({ code: 'custom', path: ['submitterName'], message: 'Enter your name.' });
        }
        if ((c.source === 'slack_modal' || c.source === 'slack_message') && typeof text === 'string' && text.length > COMMENT_LIMITS.textChars) {
          ctx.addIssue({
            code: 'custom',
            path: ['text'],
            message:
              `The comment is ${n(text.length)} characters; the limit is ${n(COMMENT_LIMITS.textChars)}. ` +
              'Shorten it, or attach the full text as a file and summarize it here.',
          });
        }
      }, { when: () => true }),
    )
    .transform((c) => ({ ...c, submitterName: c.submitterName || ANONYMOUS }));
}

/**
 * What an intake path hands to `submitComment`. Strings are accepted where a spreadsheet or a
 * Slack select gives strings (organization type, consent "yes"/"no", dates); blank means not given.
 */
export interface CommentInput {
  /** Optional except in the Slack form; none is "Anonymous". */
  submitterName?: string | null;
  email?: string | null;
  organization?: string | null;
  organizationType: OrganizationType | (string & {});
  onBehalfOf?: string | null;
  /** A topic slug or label. */
  topic?: string | null;
  /** An ingested document's id (validated against the documents table by submitComment). */
  documentId?: string | null;
  title?: string | null;
  text: string;
  attachments?: CommentAttachmentInput[];
  consentToPublish: boolean | string;
  source: CommentSource;
  /** Default: now. */
  receivedAt?: Date | string | null;
  sourceRef?: string | null;
  slackUserId?: string | null;
  slackTeamId?: string | null;
  submitterExternal?: boolean;
  organizationLabel?: string | null;
  rawText?: string | null;
  duplicateComments?: number | string | null;
  sourceDocumentId?: string | null;
  commentOnRef?: string | null;
  docketId?: string | null;
  sourceFields?: Record<string, string>;
  sourceStance?: string | null;
  postedAt?: Date | string | null;
}
export type ValidCommentInput = z.output<ReturnType<typeof commentInputSchema>> & { submitterName: string };

/** Field name → what to fix. Keys are the schema's field names; nested problems go to their top-level field. */
export type FieldErrors = Record<string, string>;

export function fieldErrorsFrom(error: z.ZodError, input?: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'comment');
    if (errors[field]) continue;
    let message = issue.message;
    if (field === 'attachments' && typeof issue.path[1] === 'number') {
      const i = issue.path[1];
      const name = (input as { attachments?: Array<{ name?: unknown }> } | undefined)?.attachments?.[i]?.name;
      const which = typeof name === 'string' && name.trim() ? `"${name.trim()}"` : `Attachment ${i + 1}`;
      message = issue.path[2] === 'size' ? `${which} ${message}` : `${which}: ${message}`;
    }
    errors[field] = message;
  }
  return errors;
}

export type ValidationResult = { ok: true; value: ValidCommentInput } | { ok: false; errors: FieldErrors };

/**
 * Building the schema costs about 2 ms, parsing with it 0.03 ms: one schema per topic list
 * (the config's, so in effect one), or an import of 100,000 rows spends minutes building schemas.
 */
const schemas = new WeakMap<readonly CommentTopic[], ReturnType<typeof commentInputSchema>>();
function schemaFor(topics: readonly CommentTopic[]): ReturnType<typeof commentInputSchema> {
  let schema = schemas.get(topics);
  if (!schema) schemas.set(topics, (schema = commentInputSchema(topics)));
  return schema;
}

/** Validates without touching the database; `submitComment` also checks that the referenced document exists. */
export function validateCommentInput(input: unknown, topics: readonly CommentTopic[]): ValidationResult {
  const parsed = schemaFor(topics).safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as ValidCommentInput };
  return { ok: false, errors: fieldErrorsFrom(parsed.error, input) };
}

/** One line per field, for the CLI and import reports. */
export function formatFieldErrors(errors: FieldErrors): string {
  return Object.entries(errors)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
}

/** A stored attachment as reviewers see it. */
export interface StoredAttachment {
  name: string;
  mime: string;
  size: number;
  url: string | null;
  /** Characters of extracted text (0 when none); the text itself comes with `getCommentDetails`. */
  textChars: number;
  note: string | null;
}

/** A stored comment: the domain object every service returns and every view builder renders. */
export interface Comment {
  id: number;
  trackingNumber: string;
  submitterName: string;
  email: string | null;
  organization: string | null;
  organizationType: OrganizationType;
  onBehalfOf: string | null;
  /** The submitter's topic slug; null when the intake path had none (see `suggestedTopic`). */
  topic: string | null;
  documentId: string | null;
  title: string | null;
  text: string;
  attachments: StoredAttachment[];
  consentToPublish: boolean;
  source: CommentSource;
  sourceRef: string | null;
  slackUserId: string | null;
  slackTeamId: string | null;
  submitterExternal: boolean;
  receivedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  status: CommentStatus;
  assignee: string | null;
  tags: string[];
  campaignId: string | null;
  /** Other comments in the same campaign ("N similar comments"); 0 without a campaign. */
  similarCount: number;
  duplicateKind: 'exact' | 'near' | null;
  /** A suggestion only: never replaces `topic`. */
  suggestedTopic: string | null;
  suggestedTopicScore: number | null;
  suggestedTopicMethod: string | null;
  personalData: PersonalDataKind[];
  postedAt: Date | null;
  /** The comment's own id at the source (regulations.gov `Document ID`); exported as `documentId`. */
  sourceDocumentId: string | null;
  /** `Comment on Document ID` as the source named it. */
  commentOnRef: string | null;
  docketId: string | null;
  /** The organization type as the source labelled it. */
  organizationLabel: string | null;
  /** regulations.gov's `Duplicate Comments`: identical copies behind this one. */
  duplicateComments: number;
  /** The text as it arrived, when cleaning changed it; else null (`text` is it). */
  rawText: string | null;
  sourceFields: Record<string, string> | null;
  sourceStance: string | null;
  position: Position | null;
  /** The verbatim sentence of the text that shows the position. */
  positionQuote: string | null;
  /** cues, llm, campaign or reviewer. */
  positionMethod: string | null;
}
