import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, ingest } from '../../src/app/services.ts';
import { dbLabel } from '../helpers/db.ts';
import { startHttpServer } from '../helpers/http-server.ts';
import { PEOPLE, pollUntil, responsesTo, slashCommand, startCommentApp, STAFF_GROUP, textOf, type CommentApp } from '../helpers/slack-comments.ts';
import { eventEnvelope, signedPost } from '../helpers/slack-requests.ts';

/*
 * The library kept from Slack, through Bolt's HTTP receiver with signed requests and the Web API
 * stand-in, on PGlite or Postgres: files shared by an admin in a DM and in the library channel
 * become documents with one receipt; non-admins and external users are refused (logged) on every
 * surface; /library lists, sets facts, retires (out of answers) and adds from a URL on a loopback
 * server (refused by default, allowed with INGEST_ALLOW_PRIVATE_URLS); a superseding upload posts
 * the differences in the library channel.
 */

const LIBRARY_CHANNEL = 'CLIBRARY';
let app: CommentApp;
let web: Awaited<ReturnType<typeof startHttpServer>>;
let seq = 0;
const nextTs = () => `1770000000.${String(++seq).padStart(6, '0')}`;
const respId = () => `lib${++seq}`;

const OLD_TEXT = `Interim Guidance on Night Vision Exports

Night vision devices require a license for every destination. Reviews of night vision license applications take ninety days. Exporters file a written end-use certificate signed by the consignee.`;
const NEW_TEXT = `Revised Guidance on Night Vision Exports

Night vision devices require a license except for close allies. Reviews of night vision license applications take thirty days. Human rights vetting of the end user precedes every approval, and civilian harm reports are reviewed.`;

function fileShare(args: { user: string; channel: string; im: boolean; fileId: string; name: string; content: string; text?: string; mimetype?: string }) {
  const file = app.standIn.addFile({ id: args.fileId, name: args.name, mimetype: args.mimetype ?? 'text/plain', content: Buffer.from(args.content) });
  const ts = nextTs();
  return {
    ts,
    ...eventEnvelope({
      type: 'message',
      subtype: 'file_share',
      user: args.user,
      text: args.text ?? '',
      channel: args.channel,
      channel_type: args.im ? 'im' : 'channel',
      ts,
      event_ts: ts,
      files: [file],
    }),
  };
}

const threadReplies = (channel: string, ts: string) => app.standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === channel && c.body.thread_ts === ts);
const documentsBySource = async (source: string) => app.db.query<{ id: string }>('SELECT id FROM documents WHERE source = $1', [source]);
const refusalsLogged = (userId: string) => app.logs.lines.filter((l) => l.event === 'access.denied' && (l.actor as { userId?: string } | undefined)?.userId === userId);

async function command(user: string, text: string): Promise<string> {
  const id = respId();
  const res = await slashCommand(app.url, { command: '/library', text, user, responseUrl: app.standIn.responseUrl(id) });
  expect(res.status).toBe(200);
  return id;
}

const responseText = (id: string) => pollUntil(`a response on ${id}`, async () => responsesTo(app.standIn, id).map(textOf).join('\n') || null);

beforeAll(async () => {
  app = await startCommentApp({
    ingestDocs: false,
    env: {
      LIBRARY_ADMIN_USER_IDS: `${PEOPLE.staff.id},${PEOPLE.externalListed.id}`,
      LIBRARY_ADMIN_USERGROUP_ID: STAFF_GROUP,
      LIBRARY_CHANNEL_ID: LIBRARY_CHANNEL,
      INGEST_ALLOW_PRIVATE_URLS: 'false',
    },
  });
  app.standIn.setChannel(LIBRARY_CHANNEL, { name: 'policy-library', isPrivate: false });
  await ingest(app.services, [BUNDLED_CORPUS_DIR]);
  web = await startHttpServer({
    '/guidance/blue-lantern.html': {
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>Blue Lantern Handbook</title></head><body><nav>Home About</nav><main><h1>Blue Lantern Handbook</h1><p>Blue Lantern end-use checks verify that defense articles reach the stated consignee.</p></main><footer>Privacy</footer></body></html>',
    },
  });
}, 120_000);

afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe(`the Slack library (${dbLabel})`, () => {
  it('a file an admin shares in a DM becomes a document, with one receipt, also when Slack retries the event', async () => {
    const share = fileShare({ user: PEOPLE.staff.id, channel: `D${PEOPLE.staff.id}`, im: true, fileId: 'FOLDGUIDE', name: 'interim-guidance.txt', content: OLD_TEXT, text: 'issued=2021-05' });
    expect((await signedPost(app.url, share.body)).status).toBe(200);
    expect((await signedPost(app.url, share.body, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    const receipt = await app.standIn.waitFor('the receipt', () => threadReplies(`D${PEOPLE.staff.id}`, share.ts)[0]);
    expect(textOf(receipt)).toContain('Added');
    expect(textOf(receipt)).toContain('Interim Guidance on Night Vision Exports');
    expect(textOf(receipt)).toMatch(/\d+ chunk/);
    expect(textOf(receipt)).toContain('no OCR');
    expect(await documentsBySource('slack-file:FOLDGUIDE')).toEqual([{ id: 'interim-guidance' }]);
    const [facts] = await app.db.query<{ publishedOn: string }>(`SELECT published_on AS "publishedOn" FROM document_view WHERE id = 'interim-guidance'`);
    expect(facts!.publishedOn).toBe('2021-05');
    await new Promise((r) => setTimeout(r, 300));
    expect(threadReplies(`D${PEOPLE.staff.id}`, share.ts)).toHaveLength(1);
  });

  it('the same file from a non-admin or an external user (even one listed as admin) is refused, logged, and stores nothing', async () => {
    for (const [who, fileId] of [[PEOPLE.colleague, 'FCOLLEAG'], [PEOPLE.external, 'FEXTERN1'], [PEOPLE.externalListed, 'FEXTLIST'], [PEOPLE.externalInGroup, 'FEXTGRP1']] as const) {
      const share = fileShare({ user: who.id, channel: `D${who.id}`, im: true, fileId, name: 'sneaky.txt', content: OLD_TEXT });
      await signedPost(app.url, share.body);
      const reply = await app.standIn.waitFor(`the refusal for ${who.id}`, () => threadReplies(`D${who.id}`, share.ts)[0]);
      expect(textOf(reply)).toContain('only library admins');
      expect(await documentsBySource(`slack-file:${fileId}`)).toEqual([]);
      expect(refusalsLogged(who.id).length).toBeGreaterThan(0);
    }
    // In the library channel too.
    const share = fileShare({ user: PEOPLE.colleague2.id, channel: LIBRARY_CHANNEL, im: false, fileId: 'FCHANNON', name: 'other.txt', content: OLD_TEXT });
    await signedPost(app.url, share.body);
    await app.standIn.waitFor('the channel refusal', () => threadReplies(LIBRARY_CHANNEL, share.ts)[0]);
    expect(await documentsBySource('slack-file:FCHANNON')).toEqual([]);
    expect(refusalsLogged(PEOPLE.colleague2.id).length).toBeGreaterThan(0);
  });

  it('/library refuses non-admins and external users on every subcommand, and logs each refusal', async () => {
    for (const who of [PEOPLE.colleague, PEOPLE.externalListed]) {
      const before = refusalsLogged(who.id).length;
      for (const text of ['', 'add https://www.example.gov/x.html', 'set interim-guidance status=current', 'retire interim-guidance']) {
        const id = await command(who.id, text);
        expect(await responseText(id)).toContain('only library admins');
      }
      expect(refusalsLogged(who.id).length - before).toBe(4);
    }
    const [row] = await app.db.query<{ status: string | null }>(`SELECT status FROM document_view WHERE id = 'interim-guidance'`);
    expect(row!.status).not.toBe('withdrawn');
  });

  it('a file an admin of the user group uploads into the library channel, superseding the interim guidance, posts the differences there', async () => {
    const share = fileShare({ user: PEOPLE.groupStaff.id, channel: LIBRARY_CHANNEL, im: false, fileId: 'FNEWGUIDE', name: 'revised-guidance.txt', content: NEW_TEXT, text: 'New version: supersedes=interim-guidance issued=2024-01' });
    await signedPost(app.url, share.body);
    const receipt = await app.standIn.waitFor('the receipt', () => threadReplies(LIBRARY_CHANNEL, share.ts)[0]);
    expect(textOf(receipt)).toContain('Revised Guidance on Night Vision Exports');
    expect(textOf(receipt)).toContain('supersedes `interim-guidance`');
    const diff = await app.standIn.waitFor('the differences', () =>
      app.standIn.callsOf('chat.postMessage').find((c) => c.body.channel === LIBRARY_CHANNEL && !c.body.thread_ts && textOf(c).includes('supersedes')),
    );
    const text = textOf(diff);
    expect(text).toContain('revised-guidance');
    expect(text).toContain('interim-guidance');
    // Each difference with its verbatim quote from the document it comes from.
    const blocks = (diff.body.blocks ?? []) as Array<{ text?: { text?: string } }>;
    const quotes = blocks.flatMap((b) => (b.text?.text ?? '').split('\n')).filter((l) => l.startsWith('> ')).map((l) => l.slice(2).trim());
    expect(quotes.length).toBeGreaterThan(1);
    expect(quotes.some((q) => NEW_TEXT.includes(q))).toBe(true);
    expect(quotes.some((q) => OLD_TEXT.includes(q))).toBe(true);
    for (const q of quotes) expect(NEW_TEXT.includes(q.replace(/…$/, '')) || OLD_TEXT.includes(q.replace(/…$/, ''))).toBe(true);
  });

  it('/library lists the documents with status, date and its source, chunks', async () => {
    const text = await responseText(await command(PEOPLE.staff.id, ''));
    expect(text).toContain('interim-guidance');
    expect(text).toContain('revised-guidance');
    expect(text).toMatch(/superseded/);
    expect(text).toContain('(catalog)');
    expect(text).toMatch(/\d+ chunks?/);
  });

  it('/library set changes facts; a bad value is told and changes nothing', async () => {
    expect(await responseText(await command(PEOPLE.staff.id, 'set revised-guidance status=current issued=2024-02'))).toContain('status current');
    expect(await responseText(await command(PEOPLE.staff.id, 'set revised-guidance issued=2024-13'))).toMatch(/YYYY-MM/);
    const [row] = await app.db.query<{ publishedOn: string }>(`SELECT published_on AS "publishedOn" FROM document_view WHERE id = 'revised-guidance'`);
    expect(row!.publishedOn).toBe('2024-02');
  });

  it('/library retire takes a document out of answers and keeps it', async () => {
    const question = 'How long do reviews of night vision license applications take?';
    expect((await ask(app.services, question)).citations.some((c) => c.document.id === 'revised-guidance')).toBe(true);
    expect(await responseText(await command(PEOPLE.staff.id, 'retire revised-guidance'))).toContain('withdrawn');
    expect((await ask(app.services, question)).citations.some((c) => c.document.id === 'revised-guidance')).toBe(false);
    expect(await app.db.query(`SELECT id FROM documents WHERE id = 'revised-guidance'`)).toHaveLength(1);
  });

  it('/library add <url> refuses a loopback address by default and adds it with INGEST_ALLOW_PRIVATE_URLS=true', async () => {
    const url = web.url('/guidance/blue-lantern.html');
    const refusedId = await command(PEOPLE.staff.id, `add <${url}>`);
    const receiptRefused = await pollUntil('the refusal receipt', async () => responsesTo(app.standIn, refusedId).map(textOf).find((t) => t.includes('Could not add')) ?? null);
    expect(receiptRefused).toContain('loopback');
    expect(receiptRefused).toContain('library was not changed');
    expect(web.requests).toHaveLength(0);
    expect(await documentsBySource(url)).toEqual([]);

    app.services.config.fetch.allowPrivate = true;
    try {
      const id = await command(PEOPLE.staff.id, `add <${url}>`);
      const receipt = await pollUntil('the receipt', async () => responsesTo(app.standIn, id).map(textOf).find((t) => t.includes('Added')) ?? null);
      expect(receipt).toContain('Blue Lantern Handbook');
    } finally {
      app.services.config.fetch.allowPrivate = false;
    }
    expect(await documentsBySource(url)).toHaveLength(1);
    const answer = await ask(app.services, 'What do Blue Lantern end-use checks verify?');
    expect(answer.citations.find((c) => c.document.source === url)).toBeDefined();
  });

  it('an upload that cannot be read gets a clear error and leaves the library untouched', async () => {
    const share = fileShare({ user: PEOPLE.staff.id, channel: `D${PEOPLE.staff.id}`, im: true, fileId: 'FBROKEN1', name: 'scan.pdf', content: '%PDF-1.7 truncated', mimetype: 'application/pdf' });
    await signedPost(app.url, share.body);
    const receipt = await app.standIn.waitFor('the error receipt', () => threadReplies(`D${PEOPLE.staff.id}`, share.ts)[0]);
    expect(textOf(receipt)).toContain('Could not add');
    expect(textOf(receipt)).toContain('scan.pdf');
    expect(textOf(receipt)).toContain('library was not changed');
    expect(await documentsBySource('slack-file:FBROKEN1')).toEqual([]);
  });
});
