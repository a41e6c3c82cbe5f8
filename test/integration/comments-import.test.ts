import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import { formatImportSummary, importComments, type ImportEvent } from '../../src/comments/mail-import.ts';
import { getCommentDetails, listComments } from '../../src/comments/queue.ts';
import type { Db } from '../../src/db/types.ts';
import { commentDeps, makeDocx, makePdf, multipartEmail } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;
let dir: string;

const inbox = () => path.join(dir, 'inbox');

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  dir = await mkdtemp(path.join(tmpdir(), 'pd-import-'));
  await mkdir(path.join(inbox(), 'nested'), { recursive: true });

  const pdf = await makePdf(['Annex: loitering munitions and retransfer controls.']);
  const docx = await makeDocx(['Our position on foreign military financing and co-production.']);
  await writeFile(
    path.join(inbox(), 'ngo.eml'),
    multipartEmail({
      from: '"Maria Garcia" <maria@peacewatch.org>',
      subject: 'CAT policy comments',
      messageId: '<ngo-1@peacewatch.org>',
      bodyQp: 'Dear colleagues,\r\n\r\nPlease see our annexes on drones =E2=80=94 and financing.\r\n\r\nSincerely,\r\nMaria Garcia\r\nDirector, Peace Watch International\r\n',
      attachments: [
        { name: 'annex.pdf', mime: 'application/pdf', content: pdf },
        { name: 'position.docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: docx },
      ],
    }),
  );
  await writeFile(
    path.join(inbox(), 'nested', 'latin1.eml'),
    Buffer.from(
      'From: =?ISO-8859-1?Q?Ren=E9_Dupr=E9?= <rene@defense-co.com>\r\nMessage-ID: <latin-1@defense-co.com>\r\n' +
        'Subject: Licences\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
        'Les d\xe9lais des licences ITAR sont trop longs.\r\n',
      'latin1',
    ),
  );
  const mbox = [
    'From maria@peacewatch.org Mon Mar  4 09:00:00 2024',
    // The same message as ngo.eml: Message-ID makes it one comment.
    multipartEmail({ from: '"Maria Garcia" <maria@peacewatch.org>', subject: 'CAT policy comments', messageId: '<ngo-1@peacewatch.org>', bodyQp: 'Same as the file.' }).replace(/\r\n/g, '\n'),
    '',
    'From garbage Mon Mar  4 09:00:00 2024',
    '\u0001\u0002 this is not an e-mail',
    'at all',
    '',
    'From tom@gmail.com Tue Mar  5 11:00:00 2024',
    'From: Tom Baker <tom@gmail.com>',
    'Message-ID: <tom-1@gmail.com>',
    'Subject: MTCR',
    '',
    'Keep armed drones under the MTCR presumption of denial.',
    '>From my experience, exports spread fast.',
    '',
  ].join('\n');
  await writeFile(path.join(inbox(), 'old-inbox.mbox'), mbox);
  await writeFile(
    path.join(inbox(), 'sheet.csv'),
    [
      'id,name,email,organization,organizationType,topic,comment,consentToPublish,receivedAt',
      'S-1,Ann Lee,ann@uni.edu,State University,academia,Export controls and ITAR,"Deemed export rules hurt research.",yes,2024-02-01',
      'S-2,Bad Row,not-an-email,,,,"Hello",no,2024-02-02',
      'S-3,Cut,short',
      'S-4,Omar Said,omar@gov.example.gov,,government,MTCR and UAS,"Please publish UAS export data.",no,2024-02-03',
    ].join('\n'),
  );
  await writeFile(path.join(inbox(), 'README.txt'), 'not for import');
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`importing comments (${dbLabel})`, () => {
  let first: Awaited<ReturnType<typeof importComments>>;
  const events: ImportEvent[] = [];

  it('imports a directory: e-mail, mbox and CSV; bad messages and rows reported with where, the rest imported', async () => {
    first = await importComments(deps, CLI_ACTOR, [inbox()], { onEvent: (e) => events.push(e) });
    const failed = first.outcomes.flatMap((o) => (o.status === 'failed' ? [[path.relative(inbox(), o.where), o.reason]] : []));
    expect(failed).toEqual([
      ['old-inbox.mbox message 2 (line 18)', 'not an e-mail message: no From header with an e-mail address'],
      ['sheet.csv line 3', 'email: Enter a valid e-mail address, like name@example.org.'],
      ['sheet.csv line 4', expect.stringMatching(/^unreadable row: Invalid Record Length/)],
    ]);
    expect(first).toMatchObject({ imported: 5, duplicates: 1, failed: 3 });
    expect(first.ignored.map((f) => path.basename(f))).toEqual(['README.txt']);
    expect(events[0]).toEqual({ type: 'start', total: 9 });
    expect(events.filter((e) => e.type === 'item')).toHaveLength(9);
    expect(formatImportSummary(first)).toBe('Imported 5 comment(s); 1 already imported (skipped); 3 could not be read (skipped); 1 other file(s) ignored.');
  });

  it('recovers senders, decodes charsets and makes attachment text searchable', async () => {
    const { comments } = await listComments(deps, CLI_ACTOR, { text: 'loitering munitions' });
    expect(comments).toHaveLength(1);
    const ngo = comments[0]!;
    expect(ngo).toMatchObject({
      submitterName: 'Maria Garcia',
      organization: 'Peace Watch International',
      organizationType: 'ngo',
      source: 'email',
      consentToPublish: false,
      topic: null,
      sourceRef: 'Message-ID <ngo-1@peacewatch.org>',
    });
    expect(ngo.text).toContain('drones — and financing');
    expect(ngo.attachments.map((a) => [a.name, a.textChars > 0])).toEqual([['annex.pdf', true], ['position.docx', true]]);
    expect((await listComments(deps, CLI_ACTOR, { text: '"co-production"' })).comments.map((c) => c.id)).toEqual([ngo.id]);

    const [rene] = (await listComments(deps, CLI_ACTOR, { submitter: 'defense-co' })).comments;
    expect(rene).toMatchObject({ submitterName: 'René Dupré', organization: 'defense-co.com', organizationType: 'industry' });
    expect(rene!.text).toBe('Les délais des licences ITAR sont trop longs.');

    const [tom] = (await listComments(deps, CLI_ACTOR, { submitter: 'tom@gmail.com' })).comments;
    expect(tom).toMatchObject({ organization: null, organizationType: 'individual', suggestedTopic: 'mtcr-and-uas' });
    expect(tom!.text).toBe('Keep armed drones under the MTCR presumption of denial.\nFrom my experience, exports spread fast.');

    const [ann] = (await listComments(deps, CLI_ACTOR, { submitter: 'Ann Lee' })).comments;
    expect(ann).toMatchObject({ source: 'csv', topic: 'export-controls-and-itar', consentToPublish: true, organizationType: 'academia' });
    expect(ann!.receivedAt.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(ann!.sourceRef).toMatch(/sheet\.csv line 2$/);
  });

  it('does not duplicate anything on re-import', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
    const again = await importComments(deps, CLI_ACTOR, [inbox()]);
    expect(again).toMatchObject({ imported: 0, duplicates: 6, failed: 3 });
    const imported = first.outcomes.flatMap((o) => (o.status === 'failed' ? [] : [o.trackingNumber]));
    const repeated = again.outcomes.flatMap((o) => (o.status === 'duplicate' ? [o.trackingNumber] : []));
    expect(repeated).toEqual(imported);
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('audits imports under the importing actor', async () => {
    const ngo = (await listComments(deps, CLI_ACTOR, { text: 'loitering' })).comments[0]!;
    expect((await getCommentDetails(deps, CLI_ACTOR, ngo.id)).audit[0]).toMatchObject({ actor: 'cli', action: 'submitted', note: 'email: Message-ID <ngo-1@peacewatch.org>' });
  });

  it('reports paths that do not exist or cannot be imported, and imports the rest', async () => {
    const lone = path.join(dir, 'lone.eml');
    await writeFile(lone, 'From: Lone Writer <lone@example.net>\r\nMessage-ID: <lone@example.net>\r\n\r\nA single message about transparency reports.\r\n');
    const notMbox = path.join(dir, 'empty.mbox');
    await writeFile(notMbox, 'no separator lines here\n');
    const pdf = path.join(dir, 'letter.pdf');
    await writeFile(pdf, 'x');
    const r = await importComments(deps, CLI_ACTOR, [path.join(dir, 'missing.eml'), lone, notMbox, pdf]);
    expect(r.outcomes.map((o) => [path.basename(o.where), o.status, o.status === 'failed' ? o.reason : ''])).toEqual([
      ['missing.eml', 'failed', 'no such file or directory'],
      ['lone.eml', 'imported', ''],
      ['empty.mbox', 'failed', 'not an mbox file: no "From " separator line starts a message'],
      ['letter.pdf', 'failed', 'unsupported file type ".pdf": expected .eml, .mbox, .csv or .json'],
    ]);
  });
});
