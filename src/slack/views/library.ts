import type { types } from '@slack/bolt';
import type { AddResult, VersionDifference } from '../../app/library.ts';
import type { DocumentFacts } from '../../db/catalog.ts';
import type { LibraryEntry } from '../../db/library.ts';
import { describeDate } from '../../domain/document.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../limits.ts';
import { context, section, type SlackMessage } from './message.ts';

/** Block Kit for the library: the list, receipts, refusals and the differences between versions. */

export const LIBRARY_HELP = [
  '*Library* (library admins only):',
  '• `/library`: the documents, with status, date, pages and chunks',
  '• `/library add <https://…>`: fetch a document from its address and add it',
  '• `/library set <id> issued=2023-02 status=current supersedes=<id>`: catalog facts (`field=` removes one)',
  '• `/library retire <id>`: withdraw a document: answers leave it out, its history stays',
  '• Share a file with me in a DM, or upload it into the library channel, to add it; write facts such as `supersedes=<id>` in the message.',
].join('\n');

function pagesText(e: Pick<LibraryEntry, 'pages' | 'ocrPages'>): string | null {
  if (e.pages === null) return null;
  const ocr = e.ocrPages.length > 0 ? `, OCR on ${e.ocrPages.length === e.pages ? 'every page' : `p. ${e.ocrPages.join(', ')}`}` : '';
  return `${e.pages} page${e.pages === 1 ? '' : 's'}${ocr}`;
}

function entryLine(e: LibraryEntry): string {
  const title = escapeMrkdwn(truncate(e.title, 150));
  const linked = e.sourceUrl && /^https?:\/\//.test(e.sourceUrl) ? `<${e.sourceUrl}|${title}>` : title;
  const date = e.publishedOn ? `${describeDate(e.publishedOn, e.dateSource)}${e.dateSource === 'text' ? ' (text)' : ''}` : 'date not stated';
  const facts = [e.status ?? 'status not set', date, pagesText(e), `${e.chunks} chunk${e.chunks === 1 ? '' : 's'}`].filter(Boolean).join(' · ');
  return `*${linked}*  \`${e.id}\`\n${facts}`;
}

const MAX_LISTED = 45;

/** `/library`: one section a document (at most 45 of them, a note for the rest). */
export function libraryListMessage(entries: LibraryEntry[]): SlackMessage {
  if (entries.length === 0) {
    const text = 'The library is empty. Add a document with `/library add <url>` or by sharing a file with me.';
    return { text, blocks: [section(text)] };
  }
  const shown = entries.slice(0, MAX_LISTED);
  const blocks: types.KnownBlock[] = [section(`*${entries.length} document${entries.length === 1 ? '' : 's'} in the library*`)];
  for (const e of shown) blocks.push(section(entryLine(e)));
  if (entries.length > shown.length) blocks.push(context(`${entries.length - shown.length} more not shown here; \`policy-desk docs\` lists them all.`));
  return { text: `${entries.length} documents in the library`, blocks };
}

/** The one receipt the person who added a document gets. */
export function addReceiptMessage(r: AddResult): SlackMessage {
  const e = r.entry;
  const verb = r.status === 'ingested' ? 'Added' : r.status === 'updated' ? 'Updated' : 'Already in the library, unchanged:';
  const parts = [pagesText(e) ?? 'no pages (not a paged format)', `${e.chunks} chunk${e.chunks === 1 ? '' : 's'}`, e.ocrPages.length > 0 ? 'OCR used' : 'no OCR'];
  const lines = [`:white_check_mark: ${verb} *${escapeMrkdwn(truncate(e.title, 200))}* (\`${e.id}\`)`, parts.join(' · ')];
  const facts = [e.status ? `status ${e.status}` : null, e.publishedOn ? describeDate(e.publishedOn, e.dateSource) : null, e.supersedes.length ? `supersedes ${e.supersedes.map((s) => `\`${s}\``).join(', ')}` : null].filter(Boolean);
  if (facts.length) lines.push(facts.join(' · '));
  const blocks: types.KnownBlock[] = [section(lines.join('\n'))];
  if (r.warnings.length > 0) blocks.push(context(...r.warnings.slice(0, 5).map((w) => `:warning: ${escapeMrkdwn(truncate(w, 300))}`)));
  return { text: `${verb} ${e.title} (${e.id}): ${parts.join(', ')}`, blocks };
}

/** A document that could not be added: what was wrong, and that the library was not changed. */
export function addFailedMessage(what: string, reason: string): SlackMessage {
  const text = `Could not add ${what}: ${reason} The library was not changed.`;
  return { text, blocks: [section(`:x: Could not add *${escapeMrkdwn(truncate(what, 200))}*: ${escapeMrkdwn(truncate(reason, 2500))}`), context('The library was not changed.')] };
}

export function factsSetMessage(f: DocumentFacts): SlackMessage {
  const facts = [
    `status ${f.status ?? 'not set'}`,
    describeDate(f.publishedOn, f.dateSource),
    f.supersedes.length ? `supersedes ${f.supersedes.map((s) => `\`${s}\``).join(', ')}` : null,
    f.supersededBy.length ? `superseded by ${f.supersededBy.map((s) => `\`${s}\``).join(', ')}` : null,
  ].filter(Boolean);
  const text = `${f.title} (${f.id}): ${facts.join(', ')}`;
  return { text, blocks: [section(`*${escapeMrkdwn(truncate(f.title, 200))}* (\`${f.id}\`)\n${facts.join(' · ')}`)] };
}

export function retiredMessage(f: DocumentFacts): SlackMessage {
  const text = `${f.title} (${f.id}) is withdrawn: answers leave it out; it stays in the library with its history.`;
  return { text, blocks: [section(`:no_entry: *${escapeMrkdwn(truncate(f.title, 200))}* (\`${f.id}\`) is withdrawn: answers leave it out; it stays in the library with its history.`)] };
}

const quote = (q: string) => `> ${escapeMrkdwn(truncate(q, 600)).replace(/\n/g, '\n> ')}`;

/** Posted in the library channel when a new document supersedes another. */
export function differencesMessage(args: { newDoc: { id: string; title: string }; oldDoc: { id: string; title: string }; differences: VersionDifference[]; by: string | null }): SlackMessage {
  const head = `:arrows_counterclockwise: *${escapeMrkdwn(truncate(args.newDoc.title, 200))}* (\`${args.newDoc.id}\`) supersedes *${escapeMrkdwn(truncate(args.oldDoc.title, 200))}* (\`${args.oldDoc.id}\`)${args.by ? `, added by <@${args.by}>` : ''}.`;
  const blocks: types.KnownBlock[] = [section(head)];
  if (args.differences.length === 0) blocks.push(section('No differences in substance were found between the two texts.'));
  const max = SLACK_LIMITS.messageBlocks - 3;
  for (const d of args.differences.slice(0, max)) {
    const lines = [`• ${escapeMrkdwn(truncate(d.summary, 500))}`];
    if (d.oldQuote) lines.push(`*Before*${d.oldWhere ? ` (${escapeMrkdwn(d.oldWhere)})` : ''}:\n${quote(d.oldQuote)}`);
    if (d.newQuote) lines.push(`*Now*${d.newWhere ? ` (${escapeMrkdwn(d.newWhere)})` : ''}:\n${quote(d.newQuote)}`);
    blocks.push(section(lines.join('\n')));
  }
  if (args.differences.length > max) blocks.push(context(`${args.differences.length - max} more differences not shown.`));
  return { text: `${args.newDoc.title} supersedes ${args.oldDoc.title}: ${args.differences.length} difference(s)`, blocks };
}
