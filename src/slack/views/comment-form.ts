import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { CommentTopic } from '../../config.ts';
import { COMMENT_LIMITS, ORGANIZATION_TYPE_LABELS, ORGANIZATION_TYPES, type FieldErrors } from '../../comments/schema.ts';
import { slackFileSchema, type SlackFile } from '../comments/files.ts';
import { encodePrivateMetadata, escapeMrkdwn, modalLabel, SLACK_LIMITS, truncate } from '../limits.ts';
import { plain } from './comment-parts.ts';
import { VIEW_IDS } from './ids.ts';
import { context, section } from './message.ts';

/**
 * The comment form. Block ids are the comment schema's field names, so the schema's field errors
 * go straight into `response_action: errors`; every input's action id is `value`.
 */
export const FORM_FIELDS = [
  'submitterName',
  'email',
  'organization',
  'organizationType',
  'onBehalfOf',
  'topic',
  'documentId',
  'title',
  'text',
  'attachments',
  'consentToPublish',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export const FORM_ACTION = 'value';

/** Slack's plain_text_input holds at most 3,000 characters; longer comments go in an attached file. */
export const FORM_TEXT_MAX = Math.min(COMMENT_LIMITS.textChars, SLACK_LIMITS.inputMaxLength);
/** file_input takes at most 10 files. */
export const FORM_MAX_FILES = 10;
/** A select option's value is at most 150 characters. */
const OPTION_VALUE_MAX = 150;

export interface CommentFormValues {
  submitterName?: string;
  email?: string;
  organization?: string;
  organizationType?: string;
  onBehalfOf?: string;
  topic?: string;
  documentId?: string;
  title?: string;
  text?: string;
  consentToPublish?: boolean;
}

/** Where the form was opened from: a /comment in a conversation can be answered there (ephemeral). */
export const formMetadataSchema = z.object({
  origin: z.enum(['command', 'shortcut', 'home']),
  channel: z.string().optional(),
  responseUrl: z.string().url().optional(),
});
export type CommentFormMetadata = z.infer<typeof formMetadataSchema>;

export interface FormDocument {
  id: string;
  title: string;
}

const option = (value: string, text: string): types.PlainTextOption => ({ value, text: plain(text) });

function textInput(
  field: FormField,
  label: string,
  options: { initial?: string; optional?: boolean; max: number; multiline?: boolean; placeholder?: string; hint?: string; email?: boolean },
): types.InputBlock {
  const initial = options.initial ? truncate(options.initial, options.max, '') : undefined;
  const element = options.email
    ? ({ type: 'email_text_input', action_id: FORM_ACTION, ...(initial ? { initial_value: initial } : {}) } as types.EmailInput)
    : ({
        type: 'plain_text_input',
        action_id: FORM_ACTION,
        max_length: options.max,
        ...(options.multiline ? { multiline: true } : {}),
        ...(initial ? { initial_value: initial } : {}),
        ...(options.placeholder ? { placeholder: plain(options.placeholder, 150) } : {}),
      } as types.PlainTextInput);
  return {
    type: 'input',
    block_id: field,
    optional: options.optional ?? false,
    label: plain(label, 2000),
    element,
    ...(options.hint ? { hint: plain(options.hint, 2000) } : {}),
  };
}

function selectInput(field: FormField, label: string, options: types.PlainTextOption[], initial: string | undefined, extra: { optional?: boolean; placeholder: string; hint?: string }): types.InputBlock {
  const initialOption = options.find((o) => o.value === initial);
  return {
    type: 'input',
    block_id: field,
    optional: extra.optional ?? false,
    label: plain(label, 2000),
    element: {
      type: 'static_select',
      action_id: FORM_ACTION,
      placeholder: plain(extra.placeholder, 150),
      options,
      ...(initialOption ? { initial_option: initialOption } : {}),
    },
    ...(extra.hint ? { hint: plain(extra.hint, 2000) } : {}),
  };
}

/** The modal behind /comment, the global shortcut and the App Home button. */
export function commentFormModal(args: {
  topics: readonly CommentTopic[];
  documents: readonly FormDocument[];
  initial?: CommentFormValues;
  metadata: CommentFormMetadata;
  /** A problem to show above the form (e.g. the comment could not be saved), with its reference id. */
  notice?: string;
}): types.ModalView {
  const v = args.initial ?? {};
  const blocks: types.KnownBlock[] = [];
  if (args.notice) blocks.push(section(`:warning: ${escapeMrkdwn(args.notice)}`));
  blocks.push(
    section('Your comment goes to the Policy Desk review team. You get a tracking number and a copy of what was recorded as soon as it is saved.'),
  );
  blocks.push(
    textInput('submitterName', 'Your name', { initial: v.submitterName, max: COMMENT_LIMITS.nameChars }),
    textInput('email', 'E-mail', { initial: v.email, optional: true, max: COMMENT_LIMITS.emailChars, email: true, hint: 'Where the team can reach you about this comment.' }),
    textInput('organization', 'Organization', { initial: v.organization, optional: true, max: COMMENT_LIMITS.organizationChars }),
    selectInput(
      'organizationType',
      'Organization type',
      ORGANIZATION_TYPES.map((t) => option(t, ORGANIZATION_TYPE_LABELS[t])),
      v.organizationType,
      { placeholder: 'Choose one' },
    ),
    textInput('onBehalfOf', 'On behalf of', { initial: v.onBehalfOf, optional: true, max: COMMENT_LIMITS.onBehalfOfChars, hint: 'If you are writing for someone else: their name or organization.' }),
    selectInput(
      'topic',
      'Topic',
      args.topics.slice(0, SLACK_LIMITS.selectOptions).map((t) => option(t.slug, t.label)),
      v.topic,
      { placeholder: 'Choose the policy area' },
    ),
  );
  const docs = args.documents.filter((d) => d.id.length <= OPTION_VALUE_MAX).slice(0, SLACK_LIMITS.selectOptions);
  if (docs.length > 0) {
    blocks.push(
      selectInput('documentId', 'Document you are commenting on', docs.map((d) => option(d.id, d.title)), v.documentId, {
        optional: true,
        placeholder: 'Choose a document (optional)',
      }),
    );
  }
  blocks.push(
    textInput('title', 'Subject', { initial: v.title, optional: true, max: COMMENT_LIMITS.titleChars }),
    textInput('text', 'Comment', {
      initial: v.text,
      max: FORM_TEXT_MAX,
      multiline: true,
      placeholder: 'Your comment',
      hint: `Up to ${FORM_TEXT_MAX.toLocaleString('en-US')} characters. Longer? Attach it as a file below and summarize it here (or write "See attached").`,
    }),
    {
      type: 'input',
      block_id: 'attachments',
      optional: true,
      label: plain('Attachments'),
      element: { type: 'file_input', action_id: FORM_ACTION, max_files: FORM_MAX_FILES },
      hint: plain('PDF, Word (.docx), text, Markdown or HTML files are read, so their text is searchable; other files are kept by name.', 2000),
    },
    {
      type: 'input',
      block_id: 'consentToPublish',
      label: plain('May we publish your comment?'),
      element: {
        type: 'radio_buttons',
        action_id: FORM_ACTION,
        options: [option('yes', 'Yes, it may be published'), option('no', 'No, keep it internal')],
        ...(v.consentToPublish === undefined ? {} : { initial_option: option(v.consentToPublish ? 'yes' : 'no', v.consentToPublish ? 'Yes, it may be published' : 'No, keep it internal') }),
      },
    },
    context('Check the status of your comment any time with `/comment status <tracking number>`.'),
  );
  return {
    type: 'modal',
    callback_id: VIEW_IDS.commentForm,
    title: modalLabel('Submit a comment'),
    submit: modalLabel('Submit'),
    close: modalLabel('Cancel'),
    private_metadata: encodePrivateMetadata(args.metadata),
    blocks,
  };
}

const textState = z.object({ value: z.string().nullish() }).passthrough();
const selectState = z.object({ selected_option: z.object({ value: z.string() }).passthrough().nullish() }).passthrough();
const filesState = z.object({ files: z.array(slackFileSchema).nullish() }).passthrough();
const entry = <T extends z.ZodTypeAny>(s: T) => z.object({ [FORM_ACTION]: s }).optional();

/** The form's state as Slack sends it with view_submission. */
export const commentFormStateSchema = z.object({
  submitterName: entry(textState),
  email: entry(textState),
  organization: entry(textState),
  organizationType: entry(selectState),
  onBehalfOf: entry(textState),
  topic: entry(selectState),
  documentId: entry(selectState),
  title: entry(textState),
  text: entry(textState),
  attachments: entry(filesState),
  consentToPublish: entry(selectState),
});

/** What the person typed and chose, and the files they attached. */
export function formInput(state: z.infer<typeof commentFormStateSchema>): { values: CommentFormValues; files: SlackFile[] } {
  const text = (f: 'submitterName' | 'email' | 'organization' | 'onBehalfOf' | 'title' | 'text') => state[f]?.[FORM_ACTION]?.value ?? undefined;
  const select = (f: 'organizationType' | 'topic' | 'documentId' | 'consentToPublish') => state[f]?.[FORM_ACTION]?.selected_option?.value ?? undefined;
  const consent = select('consentToPublish');
  return {
    values: {
      submitterName: text('submitterName'),
      email: text('email'),
      organization: text('organization'),
      organizationType: select('organizationType'),
      onBehalfOf: text('onBehalfOf'),
      topic: select('topic'),
      documentId: select('documentId'),
      title: text('title'),
      text: text('text'),
      consentToPublish: consent === undefined ? undefined : consent === 'yes',
    },
    files: state.attachments?.[FORM_ACTION]?.files ?? [],
  };
}

/** Slack shows an error under the block it names; problems with fields the form lacks go under the comment text. */
export function formErrors(errors: FieldErrors): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = new Set<string>(FORM_FIELDS);
  for (const [field, message] of Object.entries(errors)) {
    const block = fields.has(field) ? field : 'text';
    out[block] = out[block] ? `${out[block]} ${message}` : message;
  }
  for (const k of Object.keys(out)) out[k] = truncate(out[k]!, 300);
  return out;
}
