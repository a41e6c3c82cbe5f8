import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_DENIED_MESSAGE, CLI_ACTOR } from '../../src/comments/access.ts';
import { parseExportCsv } from '../../src/comments/export.ts';
import { getAuditLog, getComment, setStatus, submitComment } from '../../src/comments/queue.ts';
import { homeViolations, messageViolations, modalViolations } from '../../src/slack/limits.ts';
import { NOTE_ACTION, NOTE_BLOCK, TAGS_ACTION, TAGS_BLOCK } from '../../src/slack/views/comment-details.ts';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/views/ids.ts';
import type { SlackMessage } from '../../src/slack/views/message.ts';
import { sampleInput } from '../helpers/comments.ts';
import { dbLabel } from '../helpers/db.ts';
import {
  blockAction,
  commentFormSubmission,
  formValues,
  homeOpened,
  interact,
  PEOPLE,
  pollUntil,
  responsesTo,
  REVIEW_CHANNEL,
  reviewModalSubmission,
  slashCommand,
  startCommentApp,
  textOf,
  type CommentApp,
} from '../helpers/slack-comments.ts';
import type { RecordedCall } from '../helpers/slack-stand-in.ts';

/*
 * The staff side in Slack, on PGlite or Postgres, through the HTTP receiver and the stand-in:
 * review card actions that update the card in place and append to the audit log, the details
 * and tag modals, the App Home tab, /comments with filters, paging and exports uploaded into the
 * DM, and the polite (logged) refusal for everyone else on every one of those surfaces.
 */

let app: CommentApp;
let seq = 0;
const services = () => ({ db: app.db, config: app.services.config, logger: app.logs.logger });
const asMessage = (c: RecordedCall): SlackMessage => ({ text: String(c.body.text ?? ''), blocks: (c.body.blocks ?? []) as SlackMessage['blocks'] });
const rid = (p: string) => `${p}-${++seq}`;

interface Carded {
  id: number;
  trackingNumber: string;
  card: { channel: string; ts: string };
}

/** A comment submitted through the form, with its review card. */
async function submitViaForm(text: string, user: string = PEOPLE.colleague.id): Promise<Carded> {
  const viewId = `VREV${String(++seq).padStart(6, '0')}`;
  const res = await interact(
    app.url,
    commentFormSubmission({
      viewId,
      user,
      values: formValues({ name: 'Jane Doe', organizationType: 'industry', organization: 'Acme Defense', topic: 'export-controls-and-itar', text, consent: 'no' }),
      metadata: { origin: 'shortcut' },
    }),
  );
  expect(res.json?.response_action).toBe('update');
  const row = await pollUntil('the card', async () => {
    const rows = await app.db.query<{ id: number; tracking_number: string; channel_id: string; message_ts: string | null }>(
      `SELECT c.id, c.tracking_number, k.channel_id, k.message_ts FROM comments c JOIN slack_comment_cards k ON k.comment_id = c.id WHERE c.idempotency_key = $1`,
      [`slack-view:${viewId}`],
    );
    return rows[0]?.message_ts ? rows[0] : null;
  });
  return { id: row.id, trackingNumber: row.tracking_number, card: { channel: row.channel_id, ts: row.message_ts! } };
}

const updatesOf = (c: Carded) => app.standIn.callsOf('chat.update').filter((u) => u.body.channel === c.card.channel && u.body.ts === c.card.ts);

/** A click on a card, as the given person; returns the response_url id it may answer on. */
async function clickCard(c: Carded, actionId: string, user: string, extra: { selectedValue?: string; teamId?: string } = {}): Promise<string> {
  const responseId = rid('card');
  const res = await interact(
    app.url,
    blockAction({
      actionId,
      user,
      teamId: extra.teamId,
      value: String(c.id),
      ...(extra.selectedValue ? { selectedValue: extra.selectedValue } : {}),
      responseUrl: app.standIn.responseUrl(responseId),
      where: { kind: 'message', channel: c.card.channel, ts: c.card.ts },
    }),
  );
  expect(res.status).toBe(200);
  return responseId;
}

beforeAll(async () => {
  app = await startCommentApp({ ingestDocs: false });
  // A queue to list: 23 NGO comments on human rights, 2 from industry, one of them triaged.
  for (let i = 0; i < 23; i++) await submitComment(services(), sampleInput({ slackUserId: PEOPLE.colleague2.id }), { idempotencyKey: `seed-${i}` });
  for (let i = 0; i < 2; i++) {
    const { comment } = await submitComment(services(), sampleInput({ organizationType: 'industry', organization: 'Acme Defense', topic: 'mtcr-and-uas' }), { idempotencyKey: `seed-ind-${i}` });
    if (i === 0) await setStatus(services(), CLI_ACTOR, comment.id, 'triaged');
  }
});

afterAll(async () => {
  await app?.close();
});

describe(`review cards (${dbLabel})`, () => {
  it('"Assign to me" updates the card in place and appends to the audit log', async () => {
    const c = await submitViaForm('Assign-me test: please publish the list of approved end-use checks.');
    await clickCard(c, ACTION_IDS.commentAssignMe, PEOPLE.staff.id);
    const update = await app.standIn.waitFor('chat.update', () => updatesOf(c)[0]);
    expect(textOf(update)).toContain(`<@${PEOPLE.staff.id}>`);
    expect(messageViolations(asMessage(update))).toEqual([]);
    expect((await getComment(services(), CLI_ACTOR, c.id)).assignee).toBe(PEOPLE.staff.id);
    const audit = await getAuditLog(services(), CLI_ACTOR, c.id);
    expect(audit.at(-1)).toMatchObject({ actor: PEOPLE.staff.id, action: 'assign', from: null, to: PEOPLE.staff.id });
  });

  it('"Set status" moves the comment when the move is valid, and refuses a stale, invalid one with the allowed moves', async () => {
    const c = await submitViaForm('Status test: the review period for retransfers is too short.');
    await clickCard(c, ACTION_IDS.commentSetStatus, PEOPLE.groupStaff.id, { selectedValue: `${c.id}:triaged` });
    const update = await app.standIn.waitFor('chat.update', () => updatesOf(c)[0]);
    expect(textOf(update)).toContain('Triaged');
    // The menu now offers the moves from "triaged".
    expect(JSON.stringify(update.body.blocks)).toContain(`"value":"${c.id}:in_review"`);
    expect(JSON.stringify(update.body.blocks)).not.toContain(`"value":"${c.id}:triaged"`);
    expect((await getAuditLog(services(), CLI_ACTOR, c.id)).at(-1)).toMatchObject({ actor: PEOPLE.groupStaff.id, action: 'status', from: 'new', to: 'triaged' });

    // A card drawn before that change still offers "responded"? No move from triaged goes there.
    const responseId = await clickCard(c, ACTION_IDS.commentSetStatus, PEOPLE.staff.id, { selectedValue: `${c.id}:responded` });
    const refusal = await app.standIn.waitFor('the refusal', () => responsesTo(app.standIn, responseId)[0]);
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(textOf(refusal)).toContain(`Cannot move ${c.trackingNumber} from Triaged to Responded`);
    expect(textOf(refusal)).toContain('In review (in_review)');
    expect((await getComment(services(), CLI_ACTOR, c.id)).status).toBe('triaged');
    await app.standIn.waitFor('the card redrawn', () => updatesOf(c).length >= 2);
    expect((await getAuditLog(services(), CLI_ACTOR, c.id)).filter((e) => e.action === 'status')).toHaveLength(1);
  });

  it('"Tag" opens the tag editor; saving adds and removes tags, updates the card and the audit log, once per click', async () => {
    const c = await submitViaForm('Tag test: offsets should be disclosed.');
    await clickCard(c, ACTION_IDS.commentTag, PEOPLE.staff.id);
    const open = await app.standIn.waitFor('the tag editor', () => app.standIn.callsOf('views.open').find((v) => JSON.stringify(v.body.view).includes(c.trackingNumber) && (v.body.view as { callback_id: string }).callback_id === VIEW_IDS.commentTags));
    const view = open.body.view as { private_metadata: string };
    expect(modalViolations(open.body.view as never)).toEqual([]);
    const tags = (value: string, hash: string) =>
      interact(app.url, reviewModalSubmission({ callbackId: VIEW_IDS.commentTags, viewId: 'VTAGS1', hash, user: PEOPLE.staff.id, metadata: view.private_metadata, values: { [TAGS_BLOCK]: { [TAGS_ACTION]: { type: 'plain_text_input', value } } } }));
    const [first, again] = await Promise.all([tags('ITAR, needs reply', 'h1'), tags('ITAR, needs reply', 'h1')]);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect((await getComment(services(), CLI_ACTOR, c.id)).tags).toEqual(['itar', 'needs reply']);
    await app.standIn.waitFor('the card with tags', () => updatesOf(c).find((u) => textOf(u).includes('needs reply')));
    expect((await tags('itar', 'h2')).status).toBe(200);
    expect((await getComment(services(), CLI_ACTOR, c.id)).tags).toEqual(['itar']);
    const tagEntries = (await getAuditLog(services(), CLI_ACTOR, c.id)).filter((e) => e.action === 'tags');
    expect(tagEntries.map((e) => e.to)).toEqual(['itar, needs reply', 'itar']);

    const bad = await tags('no/slashes', 'h3');
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { [TAGS_BLOCK]: expect.stringContaining('is not allowed') } });
  });

  it('"Open details" shows the record, attachments, notes and audit log; a note is added once, shown, and logged', async () => {
    const c = await submitViaForm('Details test: please brief us on the new guidance.');
    await clickCard(c, ACTION_IDS.commentAssignMe, PEOPLE.staff.id);
    await app.standIn.waitFor('the assignment on the card', () => updatesOf(c)[0]);
    await clickCard(c, ACTION_IDS.commentOpen, PEOPLE.staff.id);
    const open = await app.standIn.waitFor('the details modal', () => app.standIn.callsOf('views.open').find((v) => (v.body.view as { callback_id: string }).callback_id === VIEW_IDS.commentDetails && JSON.stringify(v.body.view).includes(c.trackingNumber)));
    const view = open.body.view as { private_metadata: string; blocks: unknown[] };
    expect(modalViolations(open.body.view as never)).toEqual([]);
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain('Audit log');
    expect(shown).toContain(`assigned to <@${PEOPLE.staff.id}>`);
    expect(shown).toContain('Internal notes');
    expect(JSON.parse(view.private_metadata)).toEqual({ commentId: c.id });

    const note = (hash: string) =>
      interact(app.url, reviewModalSubmission({ callbackId: VIEW_IDS.commentDetails, viewId: 'VDETAILS1', hash, user: PEOPLE.staff.id, metadata: view.private_metadata, values: { [NOTE_BLOCK]: { [NOTE_ACTION]: { type: 'plain_text_input', value: 'Called them; annex follows.' } } } }));
    const [a, b] = await Promise.all([note('n1'), note('n1')]);
    const updated = [a, b].find((r) => r.json?.response_action === 'update');
    expect(updated).toBeDefined();
    expect(JSON.stringify(updated!.json)).toContain('Called them; annex follows.');
    const notes = await app.db.query<{ author: string; body: string }>('SELECT author, body FROM comment_notes WHERE comment_id = $1', [c.id]);
    expect(notes).toEqual([{ author: PEOPLE.staff.id, body: 'Called them; annex follows.' }]);
    expect((await getAuditLog(services(), CLI_ACTOR, c.id)).at(-1)).toMatchObject({ action: 'note', actor: PEOPLE.staff.id });

    // The actions inside the modal work too, and redraw it.
    await interact(app.url, blockAction({ actionId: ACTION_IDS.commentSetStatus, user: PEOPLE.staff.id, selectedValue: `${c.id}:spam`, where: { kind: 'modal', viewId: 'VDETAILS1', metadata: view.private_metadata } }));
    const redraw = await app.standIn.waitFor('the modal redrawn', () => app.standIn.callsOf('views.update').find((u) => u.body.view_id === 'VDETAILS1' && JSON.stringify(u.body.view).includes('Spam')));
    expect(modalViolations(redraw.body.view as never)).toEqual([]);
    await app.standIn.waitFor('the card updated', () => updatesOf(c).find((u) => textOf(u).includes('Spam')));
  });
});

describe(`App Home (${dbLabel})`, () => {
  it('shows staff the queue: counts by status, topic and organization type, their assignments, the oldest unreviewed', async () => {
    const before = app.standIn.callsOf('views.publish').length;
    await homeOpened(app.url, PEOPLE.staff.id);
    const publish = await app.standIn.waitFor('views.publish', () => app.standIn.callsOf('views.publish').slice(before).find((p) => p.body.user_id === PEOPLE.staff.id));
    const view = publish.body.view as { type: string; blocks: unknown[] };
    const shown = JSON.stringify(view);
    expect(view.type).toBe('home');
    for (const s of ['Comment queue', 'By status', 'By topic', 'By organization type', 'Assigned to you', 'Oldest unreviewed', 'Human rights and IHL', 'NGO']) expect(shown).toContain(s);
    const [{ n }] = (await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM comments WHERE assignee = $1 AND status IN ('new','triaged','in_review')", [PEOPLE.staff.id])) as [{ n: number }];
    expect(shown).toContain(`Assigned to you (${n})`);
    const [oldest] = await app.db.query<{ tracking_number: string }>("SELECT tracking_number FROM comments WHERE status IN ('new','triaged') ORDER BY received_at, id LIMIT 1");
    expect(shown).toContain(oldest!.tracking_number);
    expect(homeViolations(publish.body.view as never)).toEqual([]);
  });

  it('shows staff by user group the queue as well', async () => {
    const before = app.standIn.callsOf('views.publish').length;
    await homeOpened(app.url, PEOPLE.groupStaff.id);
    const publish = await app.standIn.waitFor('views.publish', () => app.standIn.callsOf('views.publish').slice(before).find((p) => p.body.user_id === PEOPLE.groupStaff.id));
    expect(JSON.stringify(publish.body.view)).toContain('By status');
    expect(app.standIn.callsOf('usergroups.users.list').length).toBeGreaterThan(0);
  });

  it('shows everyone else an explanation, a "Submit a comment" button and only their own comments', async () => {
    const [theirs] = await app.db.query<{ tracking_number: string }>('SELECT tracking_number FROM comments WHERE slack_user_id = $1 LIMIT 1', [PEOPLE.colleague.id]);
    const [others] = await app.db.query<{ tracking_number: string }>('SELECT tracking_number FROM comments WHERE slack_user_id IS DISTINCT FROM $1 LIMIT 1', [PEOPLE.colleague.id]);
    for (const user of [PEOPLE.colleague.id, PEOPLE.externalListed.id, PEOPLE.externalInGroup.id, PEOPLE.stranger.id]) {
      const before = app.standIn.callsOf('views.publish').length;
      await homeOpened(app.url, user);
      const publish = await app.standIn.waitFor('views.publish', () => app.standIn.callsOf('views.publish').slice(before).find((p) => p.body.user_id === user));
      const shown = JSON.stringify(publish.body.view);
      expect(shown).toContain('Submit a comment');
      expect(shown).toContain(ACTION_IDS.commentNew);
      for (const hidden of ['By status', 'Assigned to you', 'Oldest unreviewed', others!.tracking_number, ACTION_IDS.commentOpen]) expect(shown).not.toContain(hidden);
      if (user === PEOPLE.colleague.id) expect(shown).toContain(theirs!.tracking_number);
      expect(homeViolations(publish.body.view as never)).toEqual([]);
    }
    // The Home button opens the form.
    const opens = app.standIn.callsOf('views.open').length;
    await interact(app.url, blockAction({ actionId: ACTION_IDS.commentNew, user: PEOPLE.external.id, value: 'home', where: { kind: 'home' } }));
    await app.standIn.waitFor('the form', () => app.standIn.callsOf('views.open').slice(opens).find((v) => (v.body.view as { callback_id?: string }).callback_id === VIEW_IDS.commentForm));
  });
});

describe(`/comments (${dbLabel})`, () => {
  it('lists and filters the queue for staff, ten at a time, with paging', async () => {
    const id = rid('list');
    await slashCommand(app.url, { command: '/comments', text: 'status:new topic:human org:ngo', user: PEOPLE.staff.id, responseUrl: app.standIn.responseUrl(id) });
    const page1 = await app.standIn.waitFor('the list', () => responsesTo(app.standIn, id)[0]);
    expect(page1.body.response_type).toBe('ephemeral');
    expect(textOf(page1)).toContain('*23 comments* matching _status new · topic Human rights and IHL · organization type NGO_, showing 1–10');
    expect(messageViolations(asMessage(page1))).toEqual([]);
    const next = (page1.body.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ACTION_IDS.commentsNext)!;
    expect(next).toBeDefined();

    const id2 = rid('page');
    await interact(app.url, blockAction({ actionId: ACTION_IDS.commentsNext, user: PEOPLE.staff.id, value: next.value, responseUrl: app.standIn.responseUrl(id2), where: { kind: 'message', channel: 'CPOLICY1', ts: '1760000000.000100', ephemeral: true } }));
    const page2 = await app.standIn.waitFor('page 2', () => responsesTo(app.standIn, id2)[0]);
    expect(page2.body.replace_original).toBe(true);
    expect(textOf(page2)).toContain('showing 11–20');
    expect(textOf(page2)).toContain(ACTION_IDS.commentsPrev);

    const id3 = rid('mine');
    await slashCommand(app.url, { command: '/comments', text: 'assignee:me status:open', user: PEOPLE.staff.id, responseUrl: app.standIn.responseUrl(id3) });
    const mine = await app.standIn.waitFor('assigned to me', () => responsesTo(app.standIn, id3)[0]);
    const [{ n }] = (await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM comments WHERE assignee = $1 AND status IN ('new','triaged','in_review')", [PEOPLE.staff.id])) as [{ n: number }];
    expect(textOf(mine)).toContain(`*${n} comment${n === 1 ? '' : 's'}* matching _assigned to me · status new, triaged, in_review_`);

    const id4 = rid('bad');
    await slashCommand(app.url, { command: '/comments', text: 'topic:bogus', user: PEOPLE.staff.id, responseUrl: app.standIn.responseUrl(id4) });
    expect(textOf(await app.standIn.waitFor('the hint', () => responsesTo(app.standIn, id4)[0]))).toContain('No topic matches "bogus"');
  });

  it('exports what was listed: the button uploads a CSV into the staff member\'s DM, and it parses back', async () => {
    const id = rid('exp-list');
    await slashCommand(app.url, { command: '/comments', text: 'org:industry', user: PEOPLE.staff.id, responseUrl: app.standIn.responseUrl(id) });
    const list = await app.standIn.waitFor('the list', () => responsesTo(app.standIn, id)[0]);
    const exportButton = (list.body.blocks as Array<{ elements?: Array<{ action_id: string; value: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTION_IDS.commentsExportCsv)!;
    const uploadsBefore = app.standIn.uploads.size;
    const id2 = rid('exp');
    await interact(app.url, blockAction({ actionId: ACTION_IDS.commentsExportCsv, user: PEOPLE.staff.id, value: exportButton.value, responseUrl: app.standIn.responseUrl(id2), where: { kind: 'message', channel: 'CPOLICY1', ts: '1760000000.000100', ephemeral: true } }));
    const sent = await app.standIn.waitFor('the confirmation', () => responsesTo(app.standIn, id2)[0]);
    expect(textOf(sent)).toMatch(/Sent you policy-desk-comments-\d{4}-\d{2}-\d{2}\.csv/);
    const upload = [...app.standIn.uploads.values()].slice(uploadsBefore)[0]!;
    expect(upload.channel).toBe(`D${PEOPLE.staff.id}`);
    expect(app.standIn.callsOf('files.getUploadURLExternal').length).toBeGreaterThan(0);
    const records = parseExportCsv(upload.content!.toString('utf8'));
    const [{ n }] = (await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM comments WHERE organization_type = 'industry'")) as [{ n: number }];
    expect(records).toHaveLength(n);
    expect(records.every((r) => r.organizationType === 'industry')).toBe(true);
    expect(upload.initialComment).toContain(`${n} comments`);
  });

  it('/comments export json <filters> uploads JSON', async () => {
    const id = rid('exp-json');
    const uploadsBefore = app.standIn.uploads.size;
    await slashCommand(app.url, { command: '/comments', text: 'export json status:triaged', user: PEOPLE.groupStaff.id, responseUrl: app.standIn.responseUrl(id) });
    await app.standIn.waitFor('the confirmation', () => responsesTo(app.standIn, id)[0]);
    const upload = [...app.standIn.uploads.values()].slice(uploadsBefore)[0]!;
    expect(upload.channel).toBe(`D${PEOPLE.groupStaff.id}`);
    const records = JSON.parse(upload.content!.toString('utf8')) as Array<{ status: string }>;
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.status === 'triaged')).toBe(true);
  });
});

describe(`access: only staff, never external users (${dbLabel})`, () => {
  const outsiders = [
    { who: 'a colleague who is not staff', id: PEOPLE.colleague.id, teamId: undefined },
    { who: 'an external user listed in STAFF_USER_IDS', id: PEOPLE.externalListed.id, teamId: 'TPARTNER' },
    { who: 'an external user in the staff user group', id: PEOPLE.externalInGroup.id, teamId: 'TPARTNER' },
    { who: 'a stranger', id: PEOPLE.stranger.id, teamId: undefined },
  ];
  let target: Carded;
  let detailsMeta: string;

  beforeAll(async () => {
    target = await submitViaForm('Access test: a comment only staff may see in the queue.');
    detailsMeta = JSON.stringify({ commentId: target.id, card: target.card });
  });

  for (const o of outsiders) {
    it(`refuses ${o.who} on every staff surface, politely, and logs each attempt`, async () => {
      const deniedBefore = app.logs.lines.filter((l) => l.event === 'access.denied').length;
      const snapshot = async () => ({
        comment: await getComment(services(), CLI_ACTOR, target.id),
        audit: (await getAuditLog(services(), CLI_ACTOR, target.id)).length,
        notes: (await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM comment_notes WHERE comment_id = $1', [target.id]))[0]!.n,
      });
      const before = await snapshot();
      const updatesBefore = app.standIn.callsOf('chat.update').length;
      const uploadsBefore = app.standIn.uploads.size;
      const modalsBefore = app.standIn.callsOf('views.open').length;
      const refusals: string[] = [];
      const expectRefusal = async (responseId: string) => {
        const r = await app.standIn.waitFor(`the refusal on ${responseId}`, () => responsesTo(app.standIn, responseId)[0]);
        expect(r.body.response_type).toBe('ephemeral');
        expect(textOf(r)).not.toContain(target.trackingNumber);
        refusals.push(textOf(r));
      };

      // /comments: list, export, help
      for (const text of ['status:new', 'export csv', 'help']) {
        const id = rid('deny-cmd');
        await slashCommand(app.url, { command: '/comments', text, user: o.id, responseUrl: app.standIn.responseUrl(id) });
        await expectRefusal(id);
      }
      // Paging and export buttons (e.g. a list forwarded by someone)
      const cursor = JSON.stringify({ q: 'status:new', o: 10 });
      for (const actionId of [ACTION_IDS.commentsNext, ACTION_IDS.commentsPrev, ACTION_IDS.commentsExportCsv, ACTION_IDS.commentsExportJson]) {
        const id = rid('deny-btn');
        await interact(app.url, blockAction({ actionId, user: o.id, teamId: o.teamId, value: cursor, responseUrl: app.standIn.responseUrl(id), where: { kind: 'message', channel: 'CPOLICY1', ts: '1760000000.000100', ephemeral: true } }));
        await expectRefusal(id);
      }
      // Card actions: assign, set status, tag, open details
      await expectRefusal(await clickCard(target, ACTION_IDS.commentAssignMe, o.id, { teamId: o.teamId }));
      await expectRefusal(await clickCard(target, ACTION_IDS.commentSetStatus, o.id, { teamId: o.teamId, selectedValue: `${target.id}:triaged` }));
      await expectRefusal(await clickCard(target, ACTION_IDS.commentTag, o.id, { teamId: o.teamId }));
      await expectRefusal(await clickCard(target, ACTION_IDS.commentOpen, o.id, { teamId: o.teamId }));
      // "Open" from the Home tab (no conversation): the refusal comes as a small modal.
      await interact(app.url, blockAction({ actionId: ACTION_IDS.commentOpen, user: o.id, teamId: o.teamId, value: String(target.id), where: { kind: 'home' } }));
      const notice = await app.standIn.waitFor('the refusal modal', () => app.standIn.callsOf('views.open').slice(modalsBefore).find((v) => JSON.stringify(v.body.view).includes('only Policy Desk staff')));
      expect(JSON.stringify(notice.body.view)).not.toContain(target.trackingNumber);
      // Crafted modal submissions: a note and tags
      const note = await interact(app.url, reviewModalSubmission({ callbackId: VIEW_IDS.commentDetails, viewId: rid('VDENY'), user: o.id, teamId: o.teamId, metadata: detailsMeta, values: { [NOTE_BLOCK]: { [NOTE_ACTION]: { type: 'plain_text_input', value: 'sneaky note' } } } }));
      expect(note.json).toMatchObject({ response_action: 'errors', errors: { [NOTE_BLOCK]: ACCESS_DENIED_MESSAGE } });
      const tags = await interact(app.url, reviewModalSubmission({ callbackId: VIEW_IDS.commentTags, viewId: rid('VDENY'), user: o.id, teamId: o.teamId, metadata: detailsMeta, values: { [TAGS_BLOCK]: { [TAGS_ACTION]: { type: 'plain_text_input', value: 'sneaky' } } } }));
      expect(tags.json).toMatchObject({ response_action: 'errors', errors: { [TAGS_BLOCK]: ACCESS_DENIED_MESSAGE } });

      expect(refusals).toHaveLength(11);
      for (const r of refusals) expect(r).toContain('only Policy Desk staff can see or change the comment queue');
      // Nothing changed, nothing was shown or sent.
      expect(await snapshot()).toEqual(before);
      await new Promise((r) => setTimeout(r, 200));
      expect(app.standIn.callsOf('chat.update').length).toBe(updatesBefore);
      expect(app.standIn.uploads.size).toBe(uploadsBefore);
      expect(app.standIn.callsOf('views.open').slice(modalsBefore).filter((v) => /comment_(details|tags)/.test(JSON.stringify(v.body.view)))).toEqual([]);
      // Every attempt is in the log, with who it was.
      const denied = app.logs.lines.filter((l) => l.event === 'access.denied').slice(deniedBefore);
      expect(denied.length).toBeGreaterThanOrEqual(13);
      expect(denied.every((l) => (l.actor as { userId: string }).userId === o.id)).toBe(true);
      if (o.teamId === 'TPARTNER') expect(denied.every((l) => (l.actor as { external: boolean }).external === true)).toBe(true);
    });
  }
});
