import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { setPosition } from '../../src/comments/docket-positions.ts';
import { importComments } from '../../src/comments/mail-import.ts';
import { recordCommentCard } from '../../src/db/comment-cards.ts';
import { messageViolations, modalViolations, SLACK_LIMITS } from '../../src/slack/limits.ts';
import { CARD_EXCERPT_CHARS } from '../../src/slack/views/comment-card.ts';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/views/ids.ts';
import type { SlackMessage } from '../../src/slack/views/message.ts';
import { dbLabel } from '../helpers/db.ts';
import { blockAction, interact, PEOPLE, responsesTo, REVIEW_CHANNEL, startCommentApp, textOf, type CommentApp } from '../helpers/slack-comments.ts';

/*
 * A long imported comment on its review card and in the details modal, through the HTTP receiver
 * and the Web API stand-in: an excerpt within Block Kit's limits with "full text: N characters",
 * its position with the quote, regulations.gov's id of the comment, and "Send me the full text",
 * which uploads the whole text into the reviewer's DM.
 */

let app: CommentApp;
let dir: string;
const services = () => ({ db: app.db, config: app.services.config, logger: app.logs.logger });

const QUOTE = 'We oppose the proposal to loosen end-use monitoring for night vision exports.';
/** 50,000 characters: a quotable first sentence, then numbered paragraphs, then a last line to find in the file. */
function longText(): string {
  const head = `${QUOTE} `;
  const tail = ' END OF THE LETTER: the last words a reader of the excerpt never sees.';
  let body = '';
  for (let i = 1; head.length + body.length + tail.length < 50_000; i++) body += `Paragraph ${i} explains in detail why monitoring matters for partners & civilians. `;
  const text = head + body.slice(0, 50_000 - head.length - tail.length) + tail;
  expect(text).toHaveLength(50_000);
  return text;
}

let comment: { id: number; trackingNumber: string; text: string };
const CARD_TS = '1760000000.000777';

beforeAll(async () => {
  app = await startCommentApp({ ingestDocs: false });
  dir = await mkdtemp(path.join(os.tmpdir(), 'full-text-'));
  const text = longText();
  const file = path.join(dir, 'long.csv');
  await writeFile(file, stringify([{ 'Document ID': 'DOS-2018-0012-0005', 'Docket ID': 'DOS-2018-0012', Comment: text, Category: 'Individual' }], { header: true }));
  const summary = await importComments(services(), CLI_ACTOR, [file]);
  expect(summary.imported).toBe(1);
  const [row] = await app.db.query<{ id: number; trackingNumber: string }>(
    `SELECT id, tracking_number AS "trackingNumber" FROM comments WHERE source_document_id = 'DOS-2018-0012-0005'`,
  );
  comment = { ...row!, text };
  await setPosition(services(), CLI_ACTOR, comment.id, 'opposes', { quote: QUOTE });
  // The card as the review channel has it (imports post none): redrawn on the next change.
  await recordCommentCard(app.db, comment.id, REVIEW_CHANNEL, CARD_TS);
});

afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const click = (actionId: string, responseId: string, where: Parameters<typeof blockAction>[0]['where'] = { kind: 'message', channel: REVIEW_CHANNEL, ts: CARD_TS }) =>
  interact(app.url, blockAction({ actionId, user: PEOPLE.staff.id, value: String(comment.id), responseUrl: app.standIn.responseUrl(responseId), where }));

describe(`a 50,000-character comment in Slack (${dbLabel})`, () => {
  it('its card shows an excerpt and "full text: 50,000 characters" within the limits, its position with the quote, and its Document ID', async () => {
    await click(ACTION_IDS.commentAssignMe, 'assign');
    const update = await app.standIn.waitFor('the card redrawn', () =>
      app.standIn.callsOf('chat.update').find((u) => u.body.channel === REVIEW_CHANNEL && u.body.ts === CARD_TS),
    );
    const card: SlackMessage = { text: String(update.body.text ?? ''), blocks: update.body.blocks as SlackMessage['blocks'] };
    expect(messageViolations(card)).toEqual([]);
    const shown = JSON.stringify(card.blocks);
    expect(shown).toContain('full text: 50,000 characters');
    expect(shown).toContain('DOS-2018-0012-0005');
    expect(shown).toContain('*Opposes*');
    expect(shown).toContain(QUOTE);
    expect(shown).not.toContain('END OF THE LETTER');
    // The excerpt is the text's start, and short.
    const sections = (card.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section' && b.text);
    const excerpt = sections.find((s) => s.text!.text.startsWith('>'))!;
    expect(excerpt.text!.text.length).toBeLessThanOrEqual(Math.min(SLACK_LIMITS.sectionText, CARD_EXCERPT_CHARS + 100));
    expect(excerpt.text!.text).toContain('We oppose the proposal');
    const buttons = (card.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []);
    expect(buttons.find((e) => e.action_id === ACTION_IDS.commentFullText)?.value).toBe(String(comment.id));
  });

  it('"Send me the full text" uploads the whole text into the reviewer\'s DM', async () => {
    const before = app.standIn.uploads.size;
    await click(ACTION_IDS.commentFullText, 'full');
    const sent = await app.standIn.waitFor('the confirmation', () => responsesTo(app.standIn, 'full')[0]);
    expect(textOf(sent)).toContain(`comment-${comment.trackingNumber}.txt`);
    expect(textOf(sent)).toContain('50,000 characters');
    const upload = [...app.standIn.uploads.values()].slice(before)[0]!;
    expect(upload.channel).toBe(`D${PEOPLE.staff.id}`);
    expect(upload.filename).toBe(`comment-${comment.trackingNumber}.txt`);
    expect(upload.content!.toString('utf8')).toBe(comment.text);
    expect(upload.initialComment).toContain('DOS-2018-0012-0005');
  });

  it('the details modal shows the start of the text, its length, the position, the Document ID and the same button', async () => {
    const triggerId = 'open';
    await interact(app.url, { ...blockAction({ actionId: ACTION_IDS.commentOpen, user: PEOPLE.staff.id, value: String(comment.id), responseUrl: app.standIn.responseUrl('open'), where: { kind: 'message', channel: REVIEW_CHANNEL, ts: CARD_TS } }), trigger_id: triggerId });
    const open = await app.standIn.waitFor('the details modal', () =>
      app.standIn.callsOf('views.open').find((v) => (v.body.view as { callback_id: string }).callback_id === VIEW_IDS.commentDetails && JSON.stringify(v.body.view).includes(comment.trackingNumber)),
    );
    expect(modalViolations(open.body.view as never)).toEqual([]);
    const shown = JSON.stringify((open.body.view as { blocks: unknown[] }).blocks);
    expect(shown).toContain('full text: 50,000 characters');
    expect(shown).toContain('DOS-2018-0012-0005');
    expect(shown).toContain('*Opposes*');
    expect(shown).toContain(ACTION_IDS.commentFullText);
    expect(shown).not.toContain('END OF THE LETTER');
  });

  it('refuses the full text to someone who is not staff, and uploads nothing', async () => {
    const before = app.standIn.uploads.size;
    await interact(app.url, blockAction({ actionId: ACTION_IDS.commentFullText, user: PEOPLE.colleague.id, value: String(comment.id), responseUrl: app.standIn.responseUrl('denied'), where: { kind: 'message', channel: REVIEW_CHANNEL, ts: CARD_TS } }));
    const reply = await app.standIn.waitFor('the refusal', () => responsesTo(app.standIn, 'denied')[0]);
    expect(textOf(reply)).not.toContain('Sent you');
    expect(app.standIn.uploads.size).toBe(before);
  });
});
