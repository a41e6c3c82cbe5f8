import type { types } from '@slack/bolt';
import { docketStatsLine, plural, pointPeople, quotesToShow, SECTION_TITLES, themeCountsLine, threadStatsLine } from '../../summarize/render-text.ts';
import type { AttachmentDigest, SourceRef, Summary, SummaryPoint, Theme } from '../../summarize/types.ts';
import { escapeMrkdwn, packMessages, SLACK_LIMITS, splitText, truncate } from '../limits.ts';
import { context, section, type SlackMessage } from './message.ts';

/**
 * A summary as Slack messages: a header, the counts, then one section per part of the summary.
 * Every point ends with links to the messages it draws on (the author's name, linked to the
 * message) or the tracking numbers of the comments; quotes are block quotes under their point.
 * Pure and within Slack's limits: long summaries are split over up to three messages, then cut
 * with a note.
 */

export const SUMMARY_OVERFLOW_NOTE =
  ':scissors: This summary was too long for Slack and was shortened here. `policy-desk summarize-thread --file` or `policy-desk comments summary` prints all of it.';

export interface SummaryViewOptions {
  /** Who asked, shown in the header context. */
  requestedBy?: string;
  /** Organization type labels for docket counts ("ngo" → "NGO"). */
  organizationTypeLabels?: Record<string, string>;
}

function isWebUrl(s: string | undefined): s is string {
  return typeof s === 'string' && /^https?:\/\/[^\s<>|]+$/.test(s);
}

/** A source as a Slack link: the author's name linked to the message, or a comment's tracking number. */
export function sourceLink(ref: SourceRef): string {
  if (ref.kind === 'comment') return `\`${escapeMrkdwn(ref.id)}\``;
  const name = escapeMrkdwn(truncate(ref.label.replace(/\s*\(.*\)$/, ''), 60)).replace(/\|/g, '¦');
  return isWebUrl(ref.link) ? `<${ref.link}|${name}>` : name;
}

function sourceLinks(refs: readonly SourceRef[], max = 4): string {
  const shown = refs.slice(0, max).map(sourceLink);
  const more = refs.length > max ? ` +${refs.length - max}` : '';
  return shown.length ? ` (${shown.join(', ')}${more})` : '';
}

function quoteLine(text: string, ref?: SourceRef): string {
  const body = escapeMrkdwn(truncate(text.replace(/\s*\n\s*/g, ' '), 500));
  return `>_“${body}”_${ref ? ` ${sourceLink(ref)}` : ''}`;
}

export function pointMrkdwn(p: SummaryPoint): string {
  // An owner is a Slack user id: shown as a mention, which Slack renders as the person's name.
  const who = pointPeople(p.owner && /^[UW][A-Z0-9]{2,}$/.test(p.owner) ? { ...p, ownerName: `<@${p.owner}>` } : p);
  const people = who ? ` — _${escapeMrkdwn(who).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>')}_` : '';
  const lines = [`• ${escapeMrkdwn(p.text)}${people}${sourceLinks(p.sources, 6)}`];
  for (const q of quotesToShow(p)) lines.push(quoteLine(q.text, p.sources.length === 1 && p.sources[0]!.id === q.source.id ? undefined : q.source));
  return lines.join('\n');
}

/** A titled list of points as sections, split where a section would pass 3,000 characters. */
function pointSections(title: string, points: readonly SummaryPoint[]): types.SectionBlock[] {
  if (points.length === 0) return [];
  const text = `*${title}*\n${points.map(pointMrkdwn).join('\n')}`;
  return splitText(text, SLACK_LIMITS.sectionText).map((piece) => section(piece));
}

function themeSection(t: Theme, i: number, summary: Summary, options: SummaryViewOptions): types.SectionBlock[] {
  const lines = [`*${i + 1}. ${escapeMrkdwn(truncate(t.title, 150))}* — ${escapeMrkdwn(themeCountsLine(t, summary.kind, options.organizationTypeLabels))}`];
  if (t.summary) lines.push(escapeMrkdwn(truncate(t.summary, 600)));
  for (const q of t.quotes) lines.push(quoteLine(q.text, q.source));
  for (const c of t.campaigns.slice(0, 3)) lines.push(`:busts_in_silhouette: campaign of ${plural(c.size, 'comment')}, counted once${c.representative ? ` (${sourceLink(c.representative)})` : ''}`);
  if (summary.kind === 'docket' && t.sources.length) lines.push(`_From_ ${t.sources.slice(0, 8).map(sourceLink).join(', ')}${t.count > 8 ? ` _and ${(t.count - Math.min(8, t.sources.length)).toLocaleString('en-US')} more_` : ''}`);
  return splitText(lines.join('\n'), SLACK_LIMITS.sectionText).map((piece) => section(piece));
}

/** Read files with their points cited "name, p. N"; unread ones are in the notes. */
function attachmentSections(attachments: readonly AttachmentDigest[]): types.SectionBlock[] {
  const read = attachments.filter((a) => a.read);
  if (read.length === 0) return [];
  const text = `*${SECTION_TITLES.attachments}*\n${read
    .map((a) => [`:page_facing_up: *${escapeMrkdwn(truncate(a.name, 150))}*${a.pages ? ` (${plural(a.pages, 'page')})` : ''}, attached by ${sourceLink(a.source)}`, ...a.points.map((pt) => `>_“${escapeMrkdwn(truncate(pt.text, 400))}”_ (${escapeMrkdwn(pt.cite)})`)].join('\n'))
    .join('\n')}`;
  return splitText(text, SLACK_LIMITS.sectionText).map((piece) => section(piece));
}

function modeLine(summary: Summary): string {
  const what = summary.kind === 'thread' ? 'messages' : 'comments';
  const how =
    summary.mode === 'llm'
      ? `Written by a language model from the ${what}; every quote was checked word for word and every point links to its sources.`
      : `Extractive summary: sentences quoted from the ${what}, grouped by shared keywords; nothing paraphrased.`;
  const share = summary.kind === 'docket' ? (summary.shareable ? ' Shareable: quotes only comments whose authors consented to publication.' : ' For staff only: may quote comments without consent to publish.') : '';
  return how + share;
}

/** Plain text for notifications and screen readers: the title and the overview. */
export function summaryFallbackText(summary: Summary): string {
  const overview = summary.overview.map((p) => `- ${p.text}`).join('\n');
  return truncate(`${summary.title}\n${overview}`, SLACK_LIMITS.fallbackText);
}

export function summaryMessages(summary: Summary, options: SummaryViewOptions = {}): SlackMessage[] {
  const body: types.KnownBlock[] = [];
  body.push({ type: 'header', text: { type: 'plain_text', text: truncate(summary.title, SLACK_LIMITS.headerText) } });
  const stats = summary.stats.thread
    ? threadStatsLine(summary.stats.thread)
    : summary.stats.docket
      ? docketStatsLine(summary.stats.docket, summary.shareable, options.organizationTypeLabels)
      : '';
  const head = [escapeMrkdwn(stats), options.requestedBy ? `Requested by <@${options.requestedBy}>.` : ''].filter(Boolean).join(' ');
  if (head) body.push(context(head));
  for (const n of summary.notes) body.push(context(`:information_source: ${escapeMrkdwn(n)}`));
  const preamble = body.length;
  body.push(...pointSections(SECTION_TITLES.overview, summary.overview));
  if (summary.positions.length) {
    const text = `*${SECTION_TITLES.positions}*\n${summary.positions
      .map((pos) => `*${escapeMrkdwn(pos.participant)}*${pos.organization ? ` (${escapeMrkdwn(pos.organization)})` : ''}\n${pos.points.map(pointMrkdwn).join('\n')}`)
      .join('\n')}`;
    body.push(...splitText(text, SLACK_LIMITS.sectionText).map((piece) => section(piece)));
  }
  body.push(...pointSections(SECTION_TITLES.agreements, summary.agreements));
  body.push(...pointSections(SECTION_TITLES.disagreements, summary.disagreements));
  body.push(...pointSections(SECTION_TITLES.decisions, summary.decisions));
  body.push(...pointSections(SECTION_TITLES.actionItems, summary.actionItems));
  body.push(...pointSections(SECTION_TITLES.openQuestions, summary.openQuestions));
  if (summary.answeredQuestions.length) {
    const text = `*${SECTION_TITLES.answeredQuestions}*\n${summary.answeredQuestions
      .map((p) => `• ${escapeMrkdwn(truncate(p.text, 300))} — _answered by ${escapeMrkdwn(p.answeredBy?.map((x) => x.name).join(', ') ?? '')}_${sourceLinks(p.sources, 4)}`)
      .join('\n')}`;
    body.push(...splitText(text, SLACK_LIMITS.sectionText).map((piece) => section(piece)));
  }
  body.push(...attachmentSections(summary.attachments));
  if (summary.themes.length) {
    body.push({ type: 'divider' });
    body.push(section(`*${SECTION_TITLES.themes}*`));
    summary.themes.forEach((t, i) => body.push(...themeSection(t, i, summary, options)));
  }
  if (body.length === preamble) body.push(section('_Nothing to summarize._'));
  const { messages } = packMessages(body, { tail: [context(modeLine(summary))], overflowNote: SUMMARY_OVERFLOW_NOTE });
  const fallback = summaryFallbackText(summary);
  return messages.map((blocks, i) => ({
    text: i === 0 ? fallback : `${summary.title}, part ${i + 1} of ${messages.length}`,
    blocks: blocks as types.KnownBlock[],
  }));
}
