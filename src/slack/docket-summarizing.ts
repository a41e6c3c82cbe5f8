import type { RespondFn } from '@slack/bolt';
import type { Actor } from '../comments/access.ts';
import { ORGANIZATION_TYPE_LABELS } from '../comments/schema.ts';
import type { CommentTopic } from '../config.ts';
import { AppError } from '../errors.ts';
import { summarizeDocket } from '../summarize/docket.ts';
import type { Summary } from '../summarize/types.ts';
import type { SlackDeps } from './deps.ts';
import { responseUrlPoster, responseUrlStatus } from './summarizing.ts';
import { summaryMessages } from './views/summary.ts';

/**
 * `/comments summary [topic] [since] [shareable]` for staff: the docket summary, shown only to the
 * person asking, with a status line while it runs. The same summarizeDocket() as
 * `policy-desk comments summary`; staff checks happen in the comment store's read.
 */

export const DOCKET_SUMMARY_USAGE =
  '`/comments summary [topic] [since YYYY-MM-DD] [shareable]`, e.g. `/comments summary MTCR and UAS 2026-09-01` or `/comments summary topic:human-rights-and-ihl shareable`.';

export interface DocketSummaryRequest {
  topic?: string;
  since?: string;
  shareable: boolean;
}

/** Whether a /comments text asks for a summary ("summary ..." or "summarize ..."). */
export function isDocketSummaryText(text: string): boolean {
  return /^\s*summar(?:y|ise|ize)\b/i.test(text);
}

/**
 * The words after "summary": a date (YYYY-MM-DD, or since:YYYY-MM-DD) is the start, "shareable"
 * asks for a shareable summary, and the rest (or topic:<slug>) is the topic, as a slug or a label.
 */
export function parseDocketSummaryText(text: string, topics: readonly CommentTopic[]): DocketSummaryRequest {
  let rest = text.trim().replace(/^summar(?:y|ise|ize)\b/i, ' ');
  const out: DocketSummaryRequest = { shareable: false };
  const date = /(?:^|\s)(?:since:)?(\d{4}-\d{2}-\d{2})(?=\s|$)/.exec(rest);
  if (date) {
    out.since = date[1]!;
    rest = rest.replace(date[0], ' ');
  }
  if (/(?:^|\s)shareable(?=\s|$)/i.test(rest)) {
    out.shareable = true;
    rest = rest.replace(/(?:^|\s)shareable(?=\s|$)/gi, ' ');
  }
  const topic = rest.replace(/(?:^|\s)topic:/i, ' ').replace(/\s+/g, ' ').trim();
  if (topic) {
    const v = topic.toLowerCase();
    if (v === 'none' || topics.some((t) => t.slug === v || t.label.toLowerCase() === v)) out.topic = topic;
    else {
      // As in /comments filters: the start of a topic will do when only one topic starts that way.
      const starts = topics.filter((t) => t.slug.startsWith(v) || t.label.toLowerCase().startsWith(v));
      if (starts.length !== 1) {
        throw new AppError('input.invalid', `Unknown topic "${topic}". Topics: ${topics.map((t) => t.label).join(', ')}, or "none". Usage: ${DOCKET_SUMMARY_USAGE}`);
      }
      out.topic = starts[0]!.slug;
    }
  }
  return out;
}

export async function summarizeDocketInSlack(deps: SlackDeps, args: { actor: Actor; text: string; respond: RespondFn; requester: string }): Promise<Summary> {
  const request = parseDocketSummaryText(args.text, deps.services.config.comments.topics);
  const status = responseUrlStatus(args.respond);
  await status.update('Reading the comments…');
  let announced = false;
  const summary = await summarizeDocket(deps.services, args.actor, {
    ...request,
    onProgress: (p) => {
      if (announced || p.phase === 'read' || p.phase === 'done') return;
      announced = true;
      void status.update(`Summarizing ${p.total.toLocaleString('en-US')} submission${p.total === 1 ? '' : 's'}…`);
    },
  });
  const messages = summaryMessages(summary, { requestedBy: args.requester, organizationTypeLabels: ORGANIZATION_TYPE_LABELS });
  await responseUrlPoster(args.respond, () => status.used() > 0)(messages);
  deps.logger.info({ mode: summary.mode, shareable: summary.shareable, comments: summary.stats.docket?.comments, themes: summary.themes.length }, 'slack: docket summarized');
  return summary;
}
