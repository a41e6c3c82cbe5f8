import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromSignature,
  guessOrganizationType,
  parseCommentCsv,
  parseEmailMessage,
  splitMbox,
  type ParsedItem,
} from '../../../src/comments/mail-import.ts';
import { validateCommentInput } from '../../../src/comments/schema.ts';
import { makeDocx, makePdf, multipartEmail, testConfig } from '../../helpers/comments.ts';

const topics = testConfig().comments.topics;

async function parsedOk(raw: string | Buffer, where = 'test.eml') {
  const item = await parseEmailMessage(Buffer.from(raw), where, topics);
  if (!item.ok) throw new Error(`not parsed: ${item.reason}`);
  return item;
}

/** Every item is either a complete, valid comment or a failure that says where and why. */
function expectWholeOrReported(items: ParsedItem[]): void {
  for (const item of items) {
    expect(item.where).toBeTruthy();
    if (item.ok) {
      expect(validateCommentInput(item.input, topics).ok).toBe(true);
      expect(item.idempotencyKey).toMatch(/^(email|email-sha256|csv|csv-row):/);
    } else {
      expect(item.reason.trim().length).toBeGreaterThan(5);
    }
  }
}

describe('parseEmailMessage', () => {
  it('reads a multipart message: quoted-printable body, PDF and DOCX attachments, sender and organization', async () => {
    const pdf = await makePdf(['Annex A: armed drone exports', 'The MTCR presumption of denial should stay.']);
    const docx = await makeDocx(['Annex B', 'End-use monitoring of unmanned aircraft.']);
    const item = await parsedOk(
      multipartEmail({
        from: '"Maria Garcia" <maria@peacewatch.org>',
        subject: 'Comments on the CAT policy',
        messageId: '<m1@peacewatch.org>',
        bodyQp: 'Dear colleagues,=0D=0A=0D=0AWe submit our comments on drones =E2=80=94 see the annexes. This line is=\r\n long and soft-wrapped.\r\n\r\nSincerely,\r\nMaria Garcia\r\nDirector, Peace Watch International\r\n',
        attachments: [
          { name: 'annex-a.pdf', mime: 'application/pdf', content: pdf },
          { name: 'annex-b.docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: docx },
          { name: 'logo.png', mime: 'image/png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
        ],
      }),
    );
    expect(item.idempotencyKey).toBe('email:<m1@peacewatch.org>');
    expect(item.input).toMatchObject({
      submitterName: 'Maria Garcia',
      email: 'maria@peacewatch.org',
      organization: 'Peace Watch International',
      organizationType: 'ngo',
      title: 'Comments on the CAT policy',
      consentToPublish: false,
      source: 'email',
      sourceRef: 'Message-ID <m1@peacewatch.org>',
    });
    expect(item.input.text).toContain('drones — see the annexes. This line is long and soft-wrapped.');
    const [a, b, c] = item.input.attachments!;
    expect(a).toMatchObject({ name: 'annex-a.pdf', mime: 'application/pdf', note: null });
    expect(a!.text).toContain('MTCR presumption of denial');
    expect(b!.text).toContain('End-use monitoring of unmanned aircraft.');
    expect(c).toMatchObject({ name: 'logo.png', text: null });
    expect(c!.note).toMatch(/no text extracted/);
    expect((item.input.receivedAt as Date).toISOString()).toBe('2024-03-04T14:30:00.000Z');
  });

  it('decodes a non-UTF-8 charset (ISO-8859-1 headers and quoted-printable body)', async () => {
    const raw = [
      'From: =?ISO-8859-1?Q?Jos=E9_Mu=F1oz?= <jose@ministerio.gob.es>',
      'Subject: =?ISO-8859-1?Q?Observaci=F3n?=',
      'Message-ID: <latin1@ministerio.gob.es>',
      'Content-Type: text/plain; charset=ISO-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'La pol=EDtica debe considerar el da=F1o a civiles. =A9 2024',
      '',
    ].join('\r\n');
    const item = await parsedOk(raw);
    expect(item.input.submitterName).toBe('José Muñoz');
    expect(item.input.title).toBe('Observación');
    expect(item.input.text).toBe('La política debe considerar el daño a civiles. © 2024');
    expect(item.input.organizationType).toBe('government');
  });

  it('decodes windows-1252 8-bit bodies', async () => {
    const head = 'From: Ann <ann@uni.edu>\r\nMessage-ID: <w1252@uni.edu>\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n';
    const body = Buffer.from([...Buffer.from('We \x93quote\x94 the policy \x96 and ask for review.', 'latin1')]);
    const item = await parsedOk(Buffer.concat([Buffer.from(head), body]));
    expect(item.input.text).toBe('We “quote” the policy – and ask for review.');
    expect(item.input).toMatchObject({ organizationType: 'academia', organization: 'uni.edu' });
  });

  it('turns an empty body with an attachment into "See attached", keyed by content without a Message-ID', async () => {
    const pdf = await makePdf(['Our full comments on ITAR licensing.']);
    const raw = multipartEmail({ from: 'bob@gmail.com', subject: 'comments', bodyQp: '', attachments: [{ name: 'comments.pdf', mime: 'application/pdf', content: pdf }] });
    const item = await parsedOk(raw);
    expect(item.input.text).toBe('See attached file(s): comments.pdf.');
    expect(item.input).toMatchObject({ submitterName: 'bob@gmail.com', organization: null, organizationType: 'individual' });
    expect(item.idempotencyKey).toMatch(/^email-sha256:[0-9a-f]{64}$/);
  });

  it('moves an over-long body into a searchable attachment', async () => {
    const long = 'The policy should publish data on every transfer. '.repeat(600);
    const item = await parsedOk(`From: a@b.org\r\nMessage-ID: <long@b.org>\r\nContent-Type: text/plain\r\n\r\n${long}`);
    expect(item.input.text.length).toBeLessThanOrEqual(20_000);
    expect(item.input.text).toMatch(/The full message \(\d[\d,]+ characters\) is in the attachment message-body\.txt\.$/);
    expect(item.input.attachments![0]).toMatchObject({ name: 'message-body.txt', text: long.trim() });
  });

  it('reports messages it cannot use, with the reason', async () => {
    expect(await parseEmailMessage(Buffer.from('\u0000\u0001 lorem ipsum\nnot mail'), 'x.eml', topics)).toEqual({
      ok: false,
      where: 'x.eml',
      reason: 'not an e-mail message: no From header with an e-mail address',
    });
    expect(await parseEmailMessage(Buffer.from('From: a@b.org\r\nSubject: empty\r\n\r\n'), 'y.eml', topics)).toEqual({
      ok: false,
      where: 'y.eml',
      reason: 'the message has no text and no attachments',
    });
  });

  it('never throws and never yields a partial record, whatever the bytes (property, fixed seed)', async () => {
    const header = fc.constantFrom('From: a@b.org\r\n', 'From: "X" <x@y.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n', '', 'Subject: hi\r\n');
    await fc.assert(
      fc.asyncProperty(header, fc.string({ unit: 'binary', maxLength: 400 }), fc.uint8Array({ maxLength: 200 }), async (h, s, bytes) => {
        const raw = Buffer.concat([Buffer.from(h + s), Buffer.from(bytes)]);
        const item = await parseEmailMessage(raw, 'fuzz.eml', topics);
        expectWholeOrReported([item]);
      }),
      { seed: 424242, numRuns: 150 },
    );
  });
});

describe('splitMbox', () => {
  it('splits on "From " lines after a blank line and undoes mboxrd quoting one level', () => {
    const mbox = [
      'From alice@example.org Mon Mar  4 09:00:00 2024',
      'From: alice@example.org',
      'Subject: one',
      '',
      '>From the start, this was quoted.',
      '>>From here, twice.',
      'From inside a paragraph is not a separator',
      '',
      'From bob@example.org Mon Mar  4 10:00:00 2024',
      'From: bob@example.org',
      '',
      'Two.',
      '',
    ].join('\n');
    const { messages, leading } = splitMbox(Buffer.from(mbox));
    expect(leading).toBe('');
    expect(messages.map((m) => m.line)).toEqual([1, 9]);
    expect(messages[0]!.raw.toString()).toBe(
      'From: alice@example.org\nSubject: one\n\nFrom the start, this was quoted.\n>From here, twice.\nFrom inside a paragraph is not a separator',
    );
    expect(messages[1]!.raw.toString()).toBe('From: bob@example.org\n\nTwo.');
  });

  it('keeps 8-bit bytes untouched', () => {
    const bytes = Buffer.concat([Buffer.from('From x\nFrom: a@b.org\n\n'), Buffer.from([0xe9, 0xff, 0x00, 0x80])]);
    expect([...splitMbox(bytes).messages[0]!.raw.subarray(-4)]).toEqual([0xe9, 0xff, 0x00, 0x80]);
  });

  it('never throws on random input (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.string({ maxLength: 300 }), (bytes, s) => {
        const input = Buffer.concat([Buffer.from(`From x\n${s}\n\nFrom y\n`), Buffer.from(bytes)]);
        const { messages } = splitMbox(input);
        expect(messages.length).toBeGreaterThanOrEqual(2);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('parseCommentCsv', () => {
  it('maps columns by name (regulations.gov names too) and reports bad rows by line', () => {
    const csv = [
      'Tracking Number,First Name,Last Name,Email,Organization,Category,Comment,Consent,Receive Date,Notes',
      'r-1,Jane,Doe,jane@acme.com,Acme Defense Inc.,Export controls and ITAR,"Faster ITAR reviews, please.",yes,2024-03-01,x',
      'r-2,Bob,,not-an-email,,,"Hello",no,2024-03-02,',
      'r-3,Too,few',
      'r-4,Ann,Lee,ann@uni.edu,State University,mtcr-and-uas,"Line one',
      'line two of the same comment",1,2024-03-03,',
    ].join('\n');
    const { items, notes } = parseCommentCsv(csv, 'sheet.csv', topics);
    expect(notes).toEqual(['sheet.csv: columns not used: Notes']);
    expect(items.map((i) => [i.where, i.ok])).toEqual([
      ['sheet.csv line 2', true],
      ['sheet.csv line 3', false],
      ['sheet.csv line 4', false],
      ['sheet.csv line 6', true],
    ]);
    const [jane, bob, few, ann] = items;
    if (!jane!.ok || !ann!.ok || bob!.ok || few!.ok) throw new Error('unexpected');
    expect(jane!.input).toMatchObject({ submitterName: 'Jane Doe', organizationType: 'industry', topic: 'Export controls and ITAR', consentToPublish: 'yes' });
    expect(jane!.idempotencyKey).toBe('csv:id:r-1');
    expect(bob!.reason).toBe('email: Enter a valid e-mail address, like name@example.org.');
    expect(few!.reason).toMatch(/^unreadable row: Invalid Record Length/);
    expect(ann!.input).toMatchObject({ text: 'Line one\nline two of the same comment', organizationType: 'academia' });
  });

  it('keys rows without an id by their content', () => {
    const csv = 'name,comment\nA,same text\nA,same text\nB,other\n';
    const keys = parseCommentCsv(csv, 'k.csv', topics).items.map((i) => (i.ok ? i.idempotencyKey : i.reason));
    expect(keys[0]).toMatch(/^csv-row:[0-9a-f]{64}$/);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('reports a file without a comment column, an empty file and a binary file', () => {
    expect(parseCommentCsv('name,email\nA,a@b.org\n', 'n.csv', topics).items[0]).toMatchObject({ ok: false, where: 'n.csv line 1', reason: expect.stringMatching(/no comment column/) });
    expect(parseCommentCsv('', 'e.csv', topics).items[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(parseCommentCsv(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]), 'x.csv', topics).items[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/NUL/) });
  });

  it('never throws, and every row is whole or reported (property, fixed seed)', () => {
    const header = fc.constantFrom('name,email,comment\n', 'comment\n', 'id,comment,consent,receivedAt,topic,organizationType\n', '"com""ment",x\n', '');
    fc.assert(
      fc.property(header, fc.string({ unit: 'binary', maxLength: 400 }), (h, body) => {
        const { items } = parseCommentCsv(h + body, 'fuzz.csv', topics);
        expectWholeOrReported(items);
      }),
      { seed: 99, numRuns: 300 },
    );
  });
});

describe('sender heuristics', () => {
  it('reads name and organization from a signature block', () => {
    expect(fromSignature('Text.\n\nRegards,\nDr. Amina Haddad\nSenior Fellow | Institute for Security Studies\n+1 202 555 0100')).toEqual({
      name: 'Dr. Amina Haddad',
      organization: 'Institute for Security Studies',
    });
    expect(fromSignature('No closing at all.')).toEqual({ name: null, organization: null });
  });

  it.each([
    ['Acme Aerospace LLC', undefined, 'industry'],
    ['Stanford University', undefined, 'academia'],
    ['Ministry of Defence', undefined, 'government'],
    [null, 'x@state.gov', 'government'],
    [null, 'x@mod.gov.uk', 'government'],
    [null, 'x@ox.ac.uk', 'academia'],
    [null, 'x@hrw.org', 'ngo'],
    [null, 'x@gmail.com', 'individual'],
    ['Some Group Name', 'x@gmail.com', 'industry'],
    ['Friends of Peace', 'x@gmail.com', 'other'],
    [null, 'x@example.xyz', 'individual'],
  ])('%s / %s → %s', (org, email, type) => {
    expect(guessOrganizationType(org, email)).toBe(type);
  });
});
