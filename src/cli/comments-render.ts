import { receiptFields, parseStatus, topicLabel, type CommentDetails, type CommentFilter } from '../comments/queue.ts';
import { POSITION_LABELS, STATUS_LABELS, type Comment } from '../comments/schema.ts';
import { PERSONAL_DATA_LABELS } from '../comments/triage.ts';
import type { Config } from '../config.ts';

/** How `policy-desk comments list|show` print a comment; loaded only by those commands. */

export interface CommentListOptions {
  status?: string[];
  topic?: string;
  orgType?: string[];
  assignee?: string;
  unassigned?: boolean;
  since?: string;
  text?: string;
  submitter?: string;
  campaign?: string;
  tag?: string;
  limit?: number;
  oldest?: boolean;
}

export function commentFilterFromOptions(opts: CommentListOptions): CommentFilter {
  return {
    status: opts.status?.map(parseStatus),
    topic: opts.topic,
    organizationType: opts.orgType as CommentFilter['organizationType'],
    assignee: opts.unassigned ? null : opts.assignee,
    since: opts.since,
    text: opts.text,
    submitter: opts.submitter,
    campaignId: opts.campaign,
    tag: opts.tag,
    limit: opts.limit ?? 50,
    order: opts.oldest ? 'oldest' : 'newest',
  };
}

export function commentLine(c: Comment, config: Config): string {
  const topic = topicLabel(config.comments.topics, c.topic) ?? `(suggested: ${topicLabel(config.comments.topics, c.suggestedTopic) ?? 'none'})`;
  const who = c.organization ? `${c.submitterName} (${c.organization})` : c.submitterName;
  const flags = [
    c.assignee ? `@${c.assignee}` : '',
    c.similarCount ? `${c.similarCount} similar` : '',
    c.consentToPublish ? '' : 'no consent',
    c.personalData.length ? 'personal data' : '',
    c.tags.length ? c.tags.map((t) => `#${t}`).join(' ') : '',
  ].filter(Boolean);
  const excerpt = c.text.replace(/\s+/g, ' ').slice(0, 80);
  return `${c.trackingNumber}  ${STATUS_LABELS[c.status].padEnd(9)}  ${c.receivedAt.toISOString().slice(0, 10)}  ${c.organizationType.padEnd(10)}  ${topic}  ${who}${flags.length ? `  [${flags.join('; ')}]` : ''}\n    ${excerpt}${c.text.length > 80 ? '…' : ''}`;
}

export function renderCommentDetails(d: CommentDetails, config: Config): string {
  const c = d.comment;
  const topics = config.comments.topics;
  const lines = [
    ...receiptFields(c, topics, { maxTextChars: 100_000 }).map((f) => `${f.label}: ${f.value}`),
    ...[
      c.sourceDocumentId ? `Document ID: ${c.sourceDocumentId} (the comment's own id at regulations.gov)` : null,
      c.docketId ? `Docket: ${c.docketId}${c.commentOnRef ? `, on ${c.commentOnRef}` : ''}` : null,
      c.organizationLabel ? `Organization label: ${c.organizationLabel} (mapped to ${c.organizationType})` : null,
      c.duplicateComments ? `Duplicate Comments: ${c.duplicateComments.toLocaleString('en-US')} identical copies counted by regulations.gov` : null,
      `Position: ${c.position ? `${POSITION_LABELS[c.position]}${c.positionQuote ? ` — "${c.positionQuote}"` : ''} (${c.positionMethod === 'reviewer' ? 'set by a reviewer' : `read by ${c.positionMethod}`})` : 'not read (no proposal set for its docket)'}`,
      c.sourceStance ? `Stance label in the source: ${c.sourceStance}` : null,
      `Length: ${c.text.length.toLocaleString('en-US')} characters`,
    ].filter((l): l is string => l !== null),
    `Status: ${STATUS_LABELS[c.status]}${c.assignee ? `, assigned to ${c.assignee}` : ', unassigned'}`,
    `Source: ${c.source}${c.sourceRef ? ` (${c.sourceRef})` : ''}${c.submitterExternal ? ', external Slack Connect user' : ''}`,
    `Tags: ${c.tags.join(', ') || 'none'}`,
    `Suggested topic: ${topicLabel(topics, c.suggestedTopic) ?? 'none'}${c.suggestedTopicMethod ? ` (suggestion by ${c.suggestedTopicMethod}${c.suggestedTopicScore !== null ? `, score ${c.suggestedTopicScore.toFixed(2)}` : ''})` : ''}`,
    `Personal data in the text: ${c.personalData.length ? c.personalData.map((k) => PERSONAL_DATA_LABELS[k]).join(', ') : 'none found'}`,
    `Campaign: ${c.campaignId ? `${c.campaignId}, ${c.similarCount} similar comment(s)${c.duplicateKind ? ` (${c.duplicateKind} duplicate)` : ''}` : 'none'}`,
  ];
  for (const s of d.similar) lines.push(`  similar: ${s.trackingNumber}  ${STATUS_LABELS[s.status]}  ${s.submitterName}${s.organization ? ` (${s.organization})` : ''}`);
  for (const a of c.attachments) {
    lines.push(`Attachment: ${a.name} (${a.mime}, ${a.size.toLocaleString('en-US')} bytes${a.textChars ? `, ${a.textChars.toLocaleString('en-US')} characters of text` : ''}${a.note ? `; ${a.note}` : ''})`);
  }
  for (const n of d.notes) lines.push(`Note by ${n.author}, ${n.createdAt.toISOString()}: ${n.body}`);
  lines.push('Audit log:');
  for (const e of d.audit) {
    const change = e.from !== null || e.to !== null ? ` ${e.from ?? '-'} → ${e.to ?? '-'}` : '';
    lines.push(`  ${e.at.toISOString()}  ${e.actor}  ${e.action}${change}${e.note ? `  (${e.note})` : ''}`);
  }
  return lines.join('\n');
}
