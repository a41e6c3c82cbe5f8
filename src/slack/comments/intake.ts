import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { COMMENT_LIMITS, type CommentAttachmentInput } from '../../comments/schema.ts';
import { listDocuments } from '../../db/documents.ts';
import type { SlackDeps } from '../deps.ts';
import { commentFormModal, type CommentFormMetadata, type CommentFormValues, type FormDocument } from '../views/comment-form.ts';
import type { SlackMessage } from '../views/message.ts';
import { commentSlack } from './context.ts';

/** Look-ups that only prefill the form must not use up the trigger_id's three seconds. */
const PREFILL_BUDGET_MS = 1_200;

export function within<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

const teamInfoSchema = z.object({ team: z.object({ name: z.string().optional() }).passthrough() });

/** A workspace's name (team.info): for a Slack Connect user, their own organization. */
export async function teamName(client: webApi.WebClient, teamId: string | null): Promise<string | null> {
  if (!teamId) return null;
  try {
    return teamInfoSchema.parse(await client.team.info({ team: teamId })).team.name?.trim() || null;
  } catch {
    return null;
  }
}

/** What the form starts with: the person's name and e-mail from Slack, and for an external person their organization. */
async function prefill(deps: SlackDeps, client: webApi.WebClient, userId: string): Promise<CommentFormValues> {
  const person = await commentSlack(deps).person(client, userId);
  if (!person) return {};
  const organization = person.external ? await teamName(client, person.teamId) : null;
  return {
    submitterName: person.name,
    ...(person.email ? { email: person.email } : {}),
    ...(organization ? { organization } : {}),
  };
}

/** The ingested documents a comment may refer to (the form's select). */
export async function formDocuments(deps: SlackDeps): Promise<FormDocument[]> {
  const docs = await listDocuments(deps.services.db);
  return docs.map((d) => ({ id: d.id, title: d.title }));
}

/**
 * Opens the comment form (views.open) for /comment, the global shortcut and the Home button.
 * Prefills run side by side within a budget: a slow Slack or database leaves a field empty
 * rather than letting the trigger_id expire.
 */
export async function openCommentForm(
  deps: SlackDeps,
  client: webApi.WebClient,
  args: { triggerId: string; userId: string; metadata: CommentFormMetadata; initial?: CommentFormValues },
): Promise<void> {
  const [values, documents] = await Promise.all([
    within(PREFILL_BUDGET_MS, prefill(deps, client, args.userId), {}),
    within(PREFILL_BUDGET_MS, formDocuments(deps), [] as FormDocument[]),
  ]);
  const view = commentFormModal({
    topics: deps.services.config.comments.topics,
    documents,
    initial: { ...values, ...args.initial },
    metadata: args.metadata,
  });
  await client.views.open({ trigger_id: args.triggerId, view });
}

/**
 * A Slack message's text as a comment: mentions, channel links and links read as words, line
 * breaks kept (unlike the one-line question text the answering code uses).
 */
export function commentTextFromSlack(text: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)\|([^>]+)>/g, '@$2')
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_m, name: string | undefined) => name ?? '@group')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(mailto:)?([^>|]+)(?:\|[^>]*)?>/g, '$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/**
 * A text over the comment limit stays whole in a text attachment (searchable), and the comment
 * text is its start, as the mail importer does for over-long letters.
 */
export function fitCommentText(text: string): { text: string; overflow: CommentAttachmentInput | null } {
  if (text.length <= COMMENT_LIMITS.textChars) return { text, overflow: null };
  const note = '… (continues in the attachment message.txt)';
  return {
    text: `${text.slice(0, COMMENT_LIMITS.textChars - note.length)}${note}`,
    overflow: {
      name: 'message.txt',
      mime: 'text/plain',
      size: Buffer.byteLength(text, 'utf8'),
      text: text.slice(0, COMMENT_LIMITS.attachmentTextChars),
      note: 'the whole message: longer than the comment text limit',
      url: null,
    },
  };
}

/** Posts an ephemeral reply to a response_url that was kept in a modal's private_metadata. */
export function responseUrlPoster(responseUrl: string): (message: SlackMessage) => Promise<void> {
  return async (message) => {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
  };
}
