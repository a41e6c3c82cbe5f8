import type { types } from '@slack/bolt';
import type { Answer, Citation, ComparisonSideAnswer } from '../../domain/answer.ts';
import { describeDate } from '../../domain/document.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../limits.ts';

/**
 * A comparison answer (the `comparison` of an Answer) in Slack: the documents side by side, one
 * column per document (a section's `fields`), oldest first. Each side shows the document's
 * title, its date (marked "(catalog)" when supplied), its status, and its verbatim quotes on the
 * topic, or that it says nothing on it. When a side does not fit a field (2,000 characters) the
 * sides become one section per document (3,000); quotes are shortened, with a note, only when a
 * side would not fit even that.
 */

export const SILENT_SIDE = '_Says nothing on this._';
export const SHORTENED_NOTE = '_(quotes shortened to fit Slack; the full passages are in the documents)_';

function sideHeading(side: ComparisonSideAnswer): string {
  const d = side.document;
  const title = escapeMrkdwn(truncate(d.title, 200));
  const status = side.status ?? d.status ?? null;
  const date = describeDate(d.date ?? side.date, d.dateSource);
  return `*${title}*\n${escapeMrkdwn(date)} · ${status ? escapeMrkdwn(status) : 'status not recorded'}`;
}

function quoteLines(q: string): string {
  return q
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => `>${escapeMrkdwn(l)}`)
    .join('\n');
}

function renderSide(side: ComparisonSideAnswer, quotes: ReadonlyMap<number, string>, shortened: boolean): string {
  const themes = new Map((side.themes ?? []).map((t) => [t.n, t.theme]));
  const parts = [sideHeading(side)];
  if (side.silent || side.citations.length === 0) parts.push(SILENT_SIDE);
  for (const c of side.citations) {
    const theme = themes.get(c.n);
    parts.push(`*[${c.n}]*${theme ? ` _${escapeMrkdwn(truncate(theme, 200))}_` : ''}\n${quoteLines(quotes.get(c.n) ?? c.quote)}`);
  }
  if (shortened) parts.push(SHORTENED_NOTE);
  return parts.join('\n');
}

/** The side's text within `max` characters: whole quotes when they fit, else the longest shortened until it does. */
export function fitSide(side: ComparisonSideAnswer, max: number): string {
  const full = renderSide(side, new Map(), false);
  if (full.length <= max) return full;
  const quotes = new Map<number, string>(side.citations.map((c: Citation) => [c.n, c.quote]));
  for (;;) {
    let longest: [number, string] | null = null;
    for (const entry of quotes) if (!longest || entry[1].length > longest[1].length) longest = entry;
    if (!longest || longest[1].length <= 1) break;
    quotes.set(longest[0], truncate(longest[1], Math.floor(longest[1].length * 0.9)));
    const text = renderSide(side, quotes, true);
    if (text.length <= max) return text;
  }
  // Only the headings are left to cut: a side never goes over the limit.
  return truncate(renderSide(side, quotes, true), max);
}

/** The comparison's lead line, from how the question was read. */
export function comparisonLead(answer: Answer): string {
  const topic = answer.query?.comparison?.topic ?? null;
  if (topic) return `*Side by side on ${escapeMrkdwn(truncate(topic, 300))}*, oldest first:`;
  if (answer.comparison?.some((s) => s.themes !== undefined)) return '*What each version stresses that the other does not*, oldest first:';
  return '*Side by side*, oldest first:';
}

/**
 * The sides as blocks: one section with a field per document when every side fits a field and
 * there are at most ten; otherwise one section per document.
 */
export function comparisonBlocks(sides: readonly ComparisonSideAnswer[]): types.SectionBlock[] {
  if (sides.length === 0) return [];
  const whole = sides.map((s) => renderSide(s, new Map(), false));
  if (sides.length <= SLACK_LIMITS.sectionFields && whole.every((t) => t.length <= SLACK_LIMITS.sectionFieldText)) {
    return [{ type: 'section', block_id: 'comparison_sides', fields: whole.map((text) => ({ type: 'mrkdwn', text })) }];
  }
  return sides.map((s, i) => ({ type: 'section', block_id: `comparison_side_${i + 1}`, text: { type: 'mrkdwn', text: fitSide(s, SLACK_LIMITS.sectionText) } }));
}
