import type { types } from '@slack/bolt';
import type { CommentTopic } from '../../config.ts';
import { topicLabel } from '../../comments/queue.ts';
import { ORGANIZATION_TYPE_LABELS, POSITION_LABELS, STATUS_LABELS, type Comment, type CommentSource, type CommentStatus } from '../../comments/schema.ts';
import { PERSONAL_DATA_LABELS } from '../../comments/triage.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../limits.ts';

/** Small pieces the comment views share: dates, labels, fields. */

const STATUS_EMOJI: Record<CommentStatus, string> = {
  new: ':new:',
  triaged: ':label:',
  in_review: ':mag:',
  responded: ':envelope_with_arrow:',
  closed: ':white_check_mark:',
  duplicate: ':busts_in_silhouette:',
  spam: ':no_entry_sign:',
};

export function statusText(status: CommentStatus): string {
  return `${STATUS_EMOJI[status]} ${STATUS_LABELS[status]}`;
}

export const SOURCE_LABELS: Record<CommentSource, string> = {
  slack_modal: 'Slack form',
  slack_message: 'Slack message',
  email: 'E-mail',
  csv: 'Spreadsheet',
  regulations_gov: 'regulations.gov',
};

/** A date every reader sees in their own time zone, with a plain fallback. */
export function slackDate(d: Date, format = '{date_short_pretty} {time}'): string {
  const unix = Math.floor(d.getTime() / 1000);
  return `<!date^${unix}^${format}|${d.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

export function who(userIdOrName: string | null): string {
  if (!userIdOrName) return '_unassigned_';
  return /^[UW][A-Z0-9]{2,}$/.test(userIdOrName) ? `<@${userIdOrName}>` : escapeMrkdwn(userIdOrName);
}

export function field(label: string, value: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.sectionFieldText) };
}

/** Section blocks of at most ten fields each. */
export function fieldSections(fields: types.MrkdwnElement[]): types.SectionBlock[] {
  const out: types.SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.sectionFields) out.push({ type: 'section', fields: fields.slice(i, i + SLACK_LIMITS.sectionFields) });
  return out;
}

export function organizationText(c: Pick<Comment, 'organization' | 'organizationType' | 'onBehalfOf'>): string {
  const type = ORGANIZATION_TYPE_LABELS[c.organizationType];
  const org = c.organization ? `${escapeMrkdwn(c.organization)} (${type})` : type;
  return c.onBehalfOf ? `${org}, on behalf of ${escapeMrkdwn(c.onBehalfOf)}` : org;
}

export function submitterText(c: Pick<Comment, 'submitterName' | 'email' | 'submitterExternal' | 'slackUserId'>, options: { email?: boolean } = {}): string {
  const parts = [escapeMrkdwn(c.submitterName)];
  if (options.email !== false && c.email) parts.push(escapeMrkdwn(c.email));
  if (c.slackUserId) parts.push(`<@${c.slackUserId}>`);
  if (c.submitterExternal) parts.push('_external (Slack Connect)_');
  return parts.join(' · ');
}

export function sourceText(c: Pick<Comment, 'source' | 'sourceRef'>): string {
  const label = SOURCE_LABELS[c.source];
  if (c.sourceRef && /^https?:\/\//.test(c.sourceRef)) return `<${c.sourceRef}|${label}>`;
  return c.sourceRef ? `${label}: ${escapeMrkdwn(truncate(c.sourceRef, 200))}` : label;
}

export function topicText(topics: readonly CommentTopic[], slug: string | null): string {
  return slug ? escapeMrkdwn(topicLabel(topics, slug) ?? slug) : '_none given_';
}

/** Triage suggestions, always labelled as suggestions; null when there are none. */
export function suggestionsText(c: Comment, topics: readonly CommentTopic[]): string | null {
  const parts: string[] = [];
  if (c.suggestedTopic && c.suggestedTopic !== c.topic) {
    const how = c.suggestedTopicMethod ? ` by ${escapeMrkdwn(c.suggestedTopicMethod)}` : '';
    parts.push(`:bulb: _Suggestion${how}:_ topic *${escapeMrkdwn(topicLabel(topics, c.suggestedTopic) ?? c.suggestedTopic)}*`);
  }
  if (c.personalData.length > 0) {
    parts.push(`:warning: _Suggestion:_ may contain personal data (${c.personalData.map((k) => PERSONAL_DATA_LABELS[k]).join(', ')}); check before publishing`);
  }
  return parts.length ? parts.join('\n') : null;
}

export function similarText(c: Comment): string | null {
  if (c.similarCount <= 0) return null;
  const kind = c.duplicateKind === 'exact' ? 'an exact copy in' : c.duplicateKind === 'near' ? 'a near copy in' : 'in';
  return `:busts_in_silhouette: *${c.similarCount} similar comment${c.similarCount === 1 ? '' : 's'}* (${kind} campaign \`${c.campaignId}\`)`;
}

export function attachmentsText(c: Comment): string | null {
  if (c.attachments.length === 0) return null;
  return c.attachments
    .map((a) => {
      const name = a.url ? `<${a.url}|${escapeMrkdwn(a.name)}>` : escapeMrkdwn(a.name);
      const info = a.textChars > 0 ? `${a.textChars.toLocaleString('en-US')} characters of text` : escapeMrkdwn(a.note ?? 'no text');
      return `:paperclip: ${name} (${info})`;
    })
    .join('\n');
}

/** The comment's position on its docket's proposal, with the sentence that shows it; null before one is read. */
export function positionText(c: Pick<Comment, 'position' | 'positionQuote' | 'positionMethod'>, quoteChars = 400): string | null {
  if (!c.position) return null;
  const by = c.positionMethod === 'reviewer' ? ' (set by a reviewer)' : c.positionMethod ? ` (${escapeMrkdwn(c.positionMethod)})` : '';
  const quote = c.positionQuote ? `\n_“${escapeMrkdwn(truncate(c.positionQuote.replace(/\s+/g, ' ').trim(), quoteChars))}”_` : '';
  return `*${POSITION_LABELS[c.position]}*${by}${quote}`;
}

/** The comment's own id at its source (regulations.gov's `Document ID`, e.g. DOS-2018-0012-0005); null without one. */
export function sourceIdText(c: Pick<Comment, 'sourceDocumentId'>): string | null {
  return c.sourceDocumentId ? `\`${escapeMrkdwn(c.sourceDocumentId)}\`` : null;
}

/** "full text: 50,000 characters" when the view shows less than the whole text; else null. */
export function fullTextLine(text: string, shown: number): string | null {
  if (text.length <= shown) return null;
  return `:page_facing_up: full text: ${text.length.toLocaleString('en-US')} characters; *Send me the full text* puts all of it in your DM as a file`;
}

/** A quoted excerpt of a comment's text, for cards and lists. */
export function excerpt(text: string, max: number): string {
  const t = truncate(text.replace(/\s+/g, ' ').trim(), max);
  return `>${escapeMrkdwn(t)}`;
}

export function plain(text: string, max = 75): types.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max) };
}
