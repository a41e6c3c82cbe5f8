import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { getCommentDetails, listComments } from '../../src/comments/queue.ts';
import { messageViolations, modalViolations } from '../../src/slack/limits.ts';
import { checkReviewChannel } from '../../src/slack/comments/review-channel.ts';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/views/ids.ts';
import type { SlackMessage } from '../../src/slack/views/message.ts';
import { makeDocx, makePdf } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import {
  blockAction,
  cardsPosted,
  commentFormSubmission,
  dmsTo,
  formValues,
  globalShortcut,
  interact,
  messageShortcut,
  PARTNER_NAME,
  PARTNER_TEAM,
  PEOPLE,
  pollUntil,
  responsesTo,
  REVIEW_CHANNEL,
  slashCommand,
  startCommentApp,
  textOf,
  type CommentApp,
} from '../helpers/slack-comments.ts';
import { TEST_BOT_TOKEN } from '../helpers/slack-requests.ts';
import type { RecordedCall } from '../helpers/slack-stand-in.ts';
import type { Db } from '../../src/db/types.ts';

/*
 * Comment intake through Bolt's HTTP receiver with signed requests and the Slack Web API
 * stand-in, on PGlite or Postgres: the /comment form (field errors, one comment per view id,
 * receipts only after the commit, the database being down), file attachments, the "Add to
 * comment queue" message shortcut from a partner organization's user, and /comment status.
 */

let app: CommentApp;
let seq = 0;
const viewId = () => `VFORM${String(++seq).padStart(5, '0')}`;
const asMessage = (c: RecordedCall): SlackMessage => ({ text: String(c.body.text ?? ''), blocks: (c.body.blocks ?? []) as SlackMessage['blocks'] });

const goodForm = (overrides: Parameters<typeof formValues>[0] = {}) =>
  formValues({
    name: 'Jane Doe',
    email: 'jane@state.example.gov',
    organization: 'Office of Regional Security',
    organizationType: 'government',
    topic: 'mtcr-and-uas',
    text: 'Please clarify how the MTCR Category I presumption of denial applies to armed UAS co-development.',
    consent: 'yes',
    ...overrides,
  });

async function commentsIn(db: CommentApp['db']): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
  return row!.n;
}

beforeAll(async () => {
  app = await startCommentApp();
});

afterAll(async () => {
  await app?.close();
});

describe(`comment intake in Slack (${dbLabel})`, () => {
  it('/comment opens the form with the schema fields, configured topics, the ingested documents and a prefilled name', async () => {
    const res = await slashCommand(app.url, { command: '/comment', text: '', user: PEOPLE.colleague.id, responseUrl: app.standIn.responseUrl('open-1') });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const open = await app.standIn.waitFor('views.open', () => app.standIn.callsOf('views.open').find((c) => (c.body.view as { callback_id?: string }).callback_id === VIEW_IDS.commentForm));
    const view = open.body.view as { blocks: Array<{ block_id?: string; element?: Record<string, unknown> }>; private_metadata: string };
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual([
      'submitterName', 'email', 'organization', 'organizationType', 'onBehalfOf', 'topic', 'documentId', 'title', 'text', 'attachments', 'consentToPublish',
    ]);
    const byId = (id: string) => view.blocks.find((b) => b.block_id === id)!.element!;
    expect(byId('submitterName').initial_value).toBe(PEOPLE.colleague.name);
    expect(byId('email').initial_value).toBe(PEOPLE.colleague.email);
    expect((byId('topic').options as Array<{ value: string }>).map((o) => o.value)).toEqual(app.services.config.comments.topics.map((t) => t.slug));
    expect((byId('documentId').options as Array<{ value: string }>).map((o) => o.value)).toEqual([app.documentId]);
    expect(byId('text')).toMatchObject({ multiline: true, max_length: 3000 });
    expect(byId('attachments').type).toBe('file_input');
    expect(JSON.parse(view.private_metadata)).toMatchObject({ origin: 'command', responseUrl: app.standIn.responseUrl('open-1') });
    expect(modalViolations(open.body.view as never)).toEqual([]);
  });

  it('the global shortcut opens the same form', async () => {
    const before = app.standIn.callsOf('views.open').length;
    expect((await interact(app.url, globalShortcut(PEOPLE.external.id))).status).toBe(200);
    const open = await app.standIn.waitFor('views.open', () => app.standIn.callsOf('views.open').slice(before).find((c) => (c.body.view as { callback_id?: string }).callback_id === VIEW_IDS.commentForm));
    // A partner organization's person: their organization is prefilled from their workspace.
    expect(JSON.stringify(open.body.view)).toContain(PARTNER_NAME);
  });

  it('stores a submitted form, answers with the receipt, then sends it (ephemeral and DM) and posts the card, after the commit', async () => {
    const id = viewId();
    const responseUrl = app.standIn.responseUrl('form-ok');
    // While the ephemeral receipt is held at the stand-in, the comment must already be readable: committed first.
    const release = app.standIn.hold('response_url');
    const res = await interact(app.url, commentFormSubmission({ viewId: id, user: PEOPLE.colleague.id, values: goodForm({ documentId: app.documentId }), metadata: { origin: 'command', channel: 'CPOLICY1', responseUrl } }));
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBe('update');
    const tracking = /tracking number \*([0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4})\*/.exec(JSON.stringify(res.json))?.[1];
    expect(tracking).toBeDefined();
    await app.standIn.waitFor('the ephemeral receipt', () => responsesTo(app.standIn, 'form-ok').length > 0);
    const stored = await app.db.query<{ tracking_number: string; source: string; document_id: string; slack_user_id: string }>(
      'SELECT tracking_number, source, document_id, slack_user_id FROM comments WHERE idempotency_key = $1',
      [`slack-view:${id}`],
    );
    expect(stored).toEqual([{ tracking_number: tracking, source: 'slack_modal', document_id: app.documentId, slack_user_id: PEOPLE.colleague.id }]);
    release();

    const [ephemeral] = responsesTo(app.standIn, 'form-ok');
    expect(ephemeral!.body.response_type).toBe('ephemeral');
    expect(textOf(ephemeral!)).toContain(tracking);
    expect(textOf(ephemeral!)).toContain('MTCR Category I presumption');
    const dm = await app.standIn.waitFor('the DM receipt', () => dmsTo(app.standIn, PEOPLE.colleague.id).find((c) => textOf(c).includes(tracking!)));
    expect(textOf(dm)).toContain('May be published');
    expect(messageViolations(asMessage(dm))).toEqual([]);
    const card = await app.standIn.waitFor('the review card', () => cardsPosted(app.standIn).find((c) => textOf(c).includes(tracking!)));
    expect(card.body.channel).toBe(REVIEW_CHANNEL);
    expect(messageViolations(asMessage(card))).toEqual([]);
    const cardActions = JSON.stringify(card.body.blocks);
    for (const a of [ACTION_IDS.commentAssignMe, ACTION_IDS.commentSetStatus, ACTION_IDS.commentTag, ACTION_IDS.commentOpen]) expect(cardActions).toContain(a);
    // Only the moves valid from "new" are offered.
    expect(cardActions).toMatch(/"value":"\d+:triaged"/);
    expect(cardActions).not.toMatch(/"value":"\d+:(responded|closed|in_review)"/);
    // Where the card is, kept so later changes update it in place (written once Slack answered the post).
    const location = await pollUntil('the card location', async () => {
      const [row] = await app.db.query<{ channel_id: string; message_ts: string | null }>(
        'SELECT channel_id, message_ts FROM slack_comment_cards k JOIN comments c ON c.id = k.comment_id WHERE c.tracking_number = $1',
        [tracking],
      );
      return row?.message_ts ? row : null;
    });
    expect(location).toEqual({ channel_id: REVIEW_CHANNEL, message_ts: expect.stringMatching(/^\d+\.\d+$/) });
  });

  it('shows invalid fields on the fields themselves, keeps the form open, and stores nothing', async () => {
    const before = await commentsIn(app.db);
    const posts = app.standIn.calls.length;
    const res = await interact(
      app.url,
      commentFormSubmission({
        viewId: viewId(),
        user: PEOPLE.colleague.id,
        values: goodForm({ email: 'not-an-address', text: '   ', topic: undefined, consent: undefined, documentId: 'no-such-document' }),
        metadata: { origin: 'shortcut' },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBe('errors');
    const errors = res.json!.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual(['consentToPublish', 'email', 'text', 'topic']);
    expect(errors.email).toContain('Enter a valid e-mail address');
    expect(errors.text).toContain('Enter the comment text');
    expect(errors.topic).toContain('Choose a topic');
    expect(errors.consentToPublish).toContain('published');

    // With the fields fixed, an unknown document is reported on the document select.
    const doc = await interact(app.url, commentFormSubmission({ viewId: viewId(), user: PEOPLE.colleague.id, values: goodForm({ documentId: 'no-such-document' }), metadata: { origin: 'shortcut' } }));
    expect(doc.json).toMatchObject({ response_action: 'errors', errors: { documentId: expect.stringContaining('No ingested document') } });

    expect(await commentsIn(app.db)).toBe(before);
    expect(app.standIn.calls.slice(posts).filter((c) => c.method === 'chat.postMessage' || c.method === 'response_url')).toEqual([]);
  });

  it('stores one comment for a view submitted twice (double click, resubmission) and sends one receipt and one card', async () => {
    const id = viewId();
    const text = 'Double-click test: the retransfer consent process should publish its timelines.';
    const submit = () => interact(app.url, commentFormSubmission({ viewId: id, user: PEOPLE.colleague2.id, values: goodForm({ name: 'John Roe', email: PEOPLE.colleague2.email, text }), metadata: { origin: 'home' } }));
    const [a, b] = await Promise.all([submit(), submit()]);
    const c = await submit();
    const numbers = [a, b, c].map((r) => /([0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4})/.exec(JSON.stringify(r.json))?.[1]);
    expect(new Set(numbers).size).toBe(1);
    expect([a, b, c].every((r) => r.json?.response_action === 'update')).toBe(true);
    const rows = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE body = $1', [text]);
    expect(rows[0]!.n).toBe(1);
    await app.standIn.waitFor('the receipt', () => dmsTo(app.standIn, PEOPLE.colleague2.id).some((m) => textOf(m).includes(numbers[0]!)));
    await app.standIn.waitFor('the card', () => cardsPosted(app.standIn).some((m) => textOf(m).includes(numbers[0]!)));
    await new Promise((r) => setTimeout(r, 300));
    expect(dmsTo(app.standIn, PEOPLE.colleague2.id).filter((m) => textOf(m).includes(numbers[0]!))).toHaveLength(1);
    expect(cardsPosted(app.standIn).filter((m) => textOf(m).includes(numbers[0]!))).toHaveLength(1);
  });

  it('reads files attached in the form (file input) after saving: the receipt at once, the text extracted (a failed download retried) and searchable', async () => {
    const pdf = app.standIn.addFile({ id: 'FFORMPDF1', name: 'annex-a.pdf', mimetype: 'application/pdf', content: await makePdf(['Annex A: quarterly reporting on gyroscope transfers.']) });
    // Slack's file host fails the first download: the intake job tries again after a backoff.
    app.standIn.failNext('file_download', { status: 503 });
    const id = viewId();
    const res = await interact(app.url, commentFormSubmission({ viewId: id, user: PEOPLE.colleague.id, values: goodForm({ text: 'See attached.', files: [pdf] }), metadata: { origin: 'shortcut' } }));
    // Saved before Slack is answered: the form turns into the receipt, naming the file.
    expect(res.json?.response_action).toBe('update');
    const tracking = /tracking number \*([0-9a-z-]{13})\*/.exec(JSON.stringify(res.json))?.[1];
    expect(tracking).toBeDefined();
    expect(JSON.stringify(res.json)).toContain('annex-a.pdf');
    const services = { db: app.db, config: app.services.config, logger: app.logs.logger };
    const dm = await app.standIn.waitFor('the DM receipt', () => dmsTo(app.standIn, PEOPLE.colleague.id).find((c) => textOf(c).includes(tracking!)), 15_000);
    expect(textOf(dm)).toContain('annex-a.pdf');
    const downloads = app.standIn.calls.filter((c) => c.method === 'file_download' && c.body.file === 'FFORMPDF1');
    expect(downloads.map((d) => d.status)).toEqual([503, 200]);
    expect(downloads[1]!.body.authorized).toBe(true);
    const d = await getCommentDetails(services, CLI_ACTOR, tracking!);
    expect(d.comment.attachments).toEqual([expect.objectContaining({ name: 'annex-a.pdf', note: null, textChars: expect.any(Number) })]);
    expect(d.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['submitted', 'attachments']));
    const { comments } = await listComments(services, CLI_ACTOR, { text: 'gyroscope' });
    expect(comments.map((c) => c.attachments.map((a) => a.name))).toEqual([['annex-a.pdf']]);
    const card = await app.standIn.waitFor('the card', () => cardsPosted(app.standIn).find((c) => textOf(c).includes(tracking!)));
    expect(textOf(card)).toContain('annex-a.pdf');
  });

  it('turns a partner organization user\'s Slack Connect message with a file into a comment, once', async () => {
    const docx = app.standIn.addFile({
      id: 'FMSGDOCX1',
      name: 'position-paper.docx',
      mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      content: await makeDocx(['Our position on offset obligations and the interoperability of sustainment packages.']),
    });
    const ts = app.standIn.nextTs();
    const payload = () =>
      messageShortcut({
        invoker: PEOPLE.staff.id,
        channel: 'CSHARED1',
        message: { ts, text: 'Comments from <@UEXT0001> on the draft:\nsee the attached *position paper* &amp; annex', user: PEOPLE.external.id, userTeam: PARTNER_TEAM, files: [docx] },
        responseUrl: app.standIn.responseUrl(`shortcut-${ts}`),
      });
    expect((await interact(app.url, payload())).status).toBe(200);
    const added = await app.standIn.waitFor('the confirmation', () => responsesTo(app.standIn, `shortcut-${ts}`).find((c) => textOf(c).includes('Added to the comment queue')));
    const tracking = /tracking number \*([0-9a-z-]{13})\*/.exec(textOf(added))?.[1];
    expect(tracking).toBeDefined();

    const services = { db: app.db, config: app.services.config, logger: app.logs.logger };
    const d = await getCommentDetails(services, CLI_ACTOR, tracking!);
    expect(d.comment).toMatchObject({
      submitterName: PEOPLE.external.name,
      email: PEOPLE.external.email,
      organization: PARTNER_NAME,
      submitterExternal: true,
      source: 'slack_message',
      slackUserId: PEOPLE.external.id,
      slackTeamId: PARTNER_TEAM,
      consentToPublish: false,
      sourceRef: `https://policy-desk-test.slack.com/archives/CSHARED1/p${ts.replace('.', '')}`,
      receivedAt: new Date(Number(ts.split('.')[0]) * 1000),
    });
    expect(d.comment.text).toBe('Comments from @UEXT0001 on the draft:\nsee the attached *position paper* & annex');
    expect(d.attachmentTexts[0]).toMatchObject({ name: 'position-paper.docx', text: expect.stringContaining('offset obligations') });
    expect(d.audit[0]).toMatchObject({ action: 'submitted', actor: PEOPLE.staff.id });
    const { comments } = await listComments(services, CLI_ACTOR, { text: 'interoperability sustainment' });
    expect(comments.map((c) => c.trackingNumber)).toEqual([tracking]);

    // The author gets the receipt by DM, naming who added it; the card goes to the review channel.
    const dm = await app.standIn.waitFor('the author receipt', () => dmsTo(app.standIn, PEOPLE.external.id).find((c) => textOf(c).includes(tracking!)));
    expect(textOf(dm)).toContain(`<@${PEOPLE.staff.id}> added your Slack message`);
    const card = await app.standIn.waitFor('the card', () => cardsPosted(app.standIn).find((c) => textOf(c).includes(tracking!)));
    expect(textOf(card)).toContain('external (Slack Connect)');
    expect(textOf(card)).toContain('position-paper.docx');

    // The same message again (another click, another person): nothing new.
    expect((await interact(app.url, payload())).status).toBe(200);
    await app.standIn.waitFor('the second answer', () => responsesTo(app.standIn, `shortcut-${ts}`).find((c) => textOf(c).includes('already in the comment queue')));
    const [row] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE slack_user_id = $1', [PEOPLE.external.id]);
    expect(row!.n).toBe(1);
    expect(dmsTo(app.standIn, PEOPLE.external.id).filter((c) => textOf(c).includes(tracking!))).toHaveLength(1);
  });

  it('never downloads a file with the bot token from a host that is not Slack\'s', async () => {
    const ts = app.standIn.nextTs();
    const foreign = { id: 'FFOREIGN1', name: 'x.txt', mimetype: 'text/plain', size: 10, url_private_download: 'https://evil.example.com/steal-token' };
    await interact(app.url, messageShortcut({ invoker: PEOPLE.colleague.id, channel: 'CPOLICY1', message: { ts, text: 'A note with a file', user: PEOPLE.colleague.id, files: [foreign] }, responseUrl: app.standIn.responseUrl(`foreign-${ts}`) }));
    const reply = await app.standIn.waitFor('the receipt', () => responsesTo(app.standIn, `foreign-${ts}`)[0]);
    const tracking = /tracking number \*([0-9a-z-]{13})\*/.exec(textOf(reply))?.[1];
    const d = await getCommentDetails({ db: app.db, config: app.services.config, logger: app.logs.logger }, CLI_ACTOR, tracking!);
    expect(d.comment.attachments[0]).toMatchObject({ name: 'x.txt', textChars: 0, note: expect.stringContaining('not read') });
  });

  it('/comment status shows a submitter their own comment, and nobody else\'s', async () => {
    const [mine] = await app.db.query<{ tracking_number: string }>('SELECT tracking_number FROM comments WHERE slack_user_id = $1 ORDER BY id LIMIT 1', [PEOPLE.colleague.id]);
    const tn = mine!.tracking_number;
    await slashCommand(app.url, { command: '/comment', text: `status ${tn.toUpperCase()}`, user: PEOPLE.colleague.id, responseUrl: app.standIn.responseUrl('status-own') });
    const own = await app.standIn.waitFor('the status', () => responsesTo(app.standIn, 'status-own')[0]);
    expect(own.body.response_type).toBe('ephemeral');
    expect(textOf(own)).toContain(`Comment ${tn}`);
    expect(textOf(own)).toContain('New');

    await slashCommand(app.url, { command: '/comment', text: `status ${tn}`, user: PEOPLE.colleague2.id, responseUrl: app.standIn.responseUrl('status-other') });
    const other = await app.standIn.waitFor('the refusal', () => responsesTo(app.standIn, 'status-other')[0]);
    expect(textOf(other)).toContain(`You have no comment with tracking number "${tn}"`);
    expect(textOf(other)).not.toContain('MTCR');

    await slashCommand(app.url, { command: '/comment', text: 'status', user: PEOPLE.colleague2.id, responseUrl: app.standIn.responseUrl('status-list') });
    const list = await app.standIn.waitFor('the list', () => responsesTo(app.standIn, 'status-list')[0]);
    expect(textOf(list)).toContain('Your comments');
    expect(textOf(list)).not.toContain(tn);
  });

  it('checks at start-up that the review channel is private, and warns otherwise', async () => {
    const logs = captureLogs();
    const client = new WebClient(TEST_BOT_TOKEN, { slackApiUrl: app.standIn.apiUrl, retryConfig: { retries: 0 } });
    app.standIn.setChannel('CPUBLIC1', { name: 'general', isPrivate: false });
    app.standIn.setChannel('GSHARED1', { name: 'shared-review', isPrivate: true, isExtShared: true });
    expect(await checkReviewChannel(client, REVIEW_CHANNEL, logs.logger)).toBe('private');
    expect(await checkReviewChannel(client, 'CPUBLIC1', logs.logger)).toBe('public');
    expect(await checkReviewChannel(client, 'GSHARED1', logs.logger)).toBe('shared');
    expect(await checkReviewChannel(client, 'GMISSING', logs.logger)).toBe('unreachable');
    expect(await checkReviewChannel(client, undefined, logs.logger)).toBe('unset');
    expect(logs.lines.filter((l) => l.level === 40).map((l) => String(l.msg))).toEqual([
      expect.stringContaining('CPUBLIC1 is not a private channel'),
      expect.stringContaining('GSHARED1 is shared with another organization'),
      expect.stringContaining('could not look up REVIEW_CHANNEL_ID GMISSING'),
      expect.stringContaining('REVIEW_CHANNEL_ID is not set'),
    ]);
    // The running app checked its own (private) channel at start-up.
    await app.logs.waitFor('the start-up check', (l) => l.msg === 'slack: review channel is private');
    expect(app.standIn.callsOf('conversations.info').some((c) => c.body.channel === REVIEW_CHANNEL)).toBe(true);
  });
});

describe(`comment intake with the database down (${dbLabel})`, () => {
  let broken: CommentApp;

  beforeAll(async () => {
    // A real store that has gone away: opened, migrated, then closed under the running app.
    const db = await openTestDb();
    broken = await startCommentApp({ standIn: app.standIn, db, ingestDocs: false });
    await db.close();
  });

  afterAll(async () => {
    await broken?.close();
  });

  it('shows the error on the form with a reference id, keeps the text, and sends no receipt', async () => {
    const posts = app.standIn.calls.length;
    const res = await interact(
      broken.url,
      commentFormSubmission({ viewId: viewId(), user: PEOPLE.colleague.id, values: goodForm(), metadata: { origin: 'command', responseUrl: app.standIn.responseUrl('form-down') } }),
    );
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBe('errors');
    const message = (res.json!.errors as Record<string, string>).text!;
    expect(message).toContain('could not be saved');
    expect(message).toContain('Your text is still here');
    const ref = /reference ([0-9a-f]{8})/.exec(message)?.[1];
    expect(ref).toBeDefined();
    expect(message).not.toMatch(/select|insert|stack|\.ts:/i);
    const logged = await broken.logs.waitFor('the failure log line', (l) => l.ref === ref);
    expect(logged.msg).toBe('slack: comment submission failed');
    await new Promise((r) => setTimeout(r, 300));
    const after = app.standIn.calls.slice(posts);
    expect(after.filter((c) => c.method === 'chat.postMessage' || c.method === 'response_url' || c.method === 'conversations.open')).toEqual([]);
  });

  it('tells the person who ran "Add to comment queue" that nothing was stored, with a reference id', async () => {
    const ts = app.standIn.nextTs();
    await interact(broken.url, messageShortcut({ invoker: PEOPLE.colleague.id, channel: 'CPOLICY1', message: { ts, text: 'Lost?', user: PEOPLE.colleague.id }, responseUrl: app.standIn.responseUrl(`down-${ts}`) }));
    const reply = await app.standIn.waitFor('the error', () => responsesTo(app.standIn, `down-${ts}`)[0]);
    expect(textOf(reply)).toMatch(/comment queue is unavailable.*reference `?[0-9a-f]{8}/s);
    expect(dmsTo(app.standIn, PEOPLE.colleague.id).filter((c) => textOf(c).includes('Lost?'))).toEqual([]);
  });
});

describe(`a submission slower than Slack waits (${dbLabel})`, () => {
  let slow: CommentApp;
  let delayMs = 0;

  beforeAll(async () => {
    // The same store, reached through a connection that is slow to start transactions (a busy
    // server): only the timing changes, every statement still runs for real.
    const real = app.db;
    const sluggish: Db = {
      kind: real.kind,
      query: (sql, params) => real.query(sql, params),
      exec: (sql) => real.exec(sql),
      transaction: async (fn) => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        return real.transaction(fn);
      },
      close: async () => undefined,
    };
    slow = await startCommentApp({ standIn: app.standIn, db: sluggish, ingestDocs: false });
  });

  afterAll(async () => {
    await slow?.close();
  });

  it('asks to submit again instead of timing out, still sends the receipt once saved, and the resubmission stores nothing twice', async () => {
    const id = viewId();
    const text = 'Slow path: the comment must not be lost when saving takes longer than three seconds.';
    const submit = () => interact(slow.url, commentFormSubmission({ viewId: id, user: PEOPLE.colleague2.id, values: goodForm({ name: 'John Roe', text }), metadata: { origin: 'shortcut' } }));
    delayMs = 3_000;
    const first = await submit();
    expect(first.json).toMatchObject({ response_action: 'errors', errors: { text: expect.stringContaining('will not be stored twice') } });
    const dm = await app.standIn.waitFor('the receipt once saved', () => dmsTo(app.standIn, PEOPLE.colleague2.id).find((c) => textOf(c).includes('Slow path')));
    const tracking = /tracking number \*([0-9a-z-]{13})\*/.exec(textOf(dm))?.[1];
    expect(tracking).toBeDefined();
    delayMs = 0;
    const again = await submit();
    expect(again.json?.response_action).toBe('update');
    expect(JSON.stringify(again.json)).toContain(tracking);
    const rows = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE body = $1', [text]);
    expect(rows[0]!.n).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(dmsTo(app.standIn, PEOPLE.colleague2.id).filter((c) => textOf(c).includes('Slow path'))).toHaveLength(1);
  });
});
