import { Writable } from 'node:stream';
import { Document, Packer, Paragraph } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Actor } from '../../src/comments/access.ts';
import type { CommentDeps } from '../../src/comments/deps.ts';
import type { CommentInput } from '../../src/comments/schema.ts';
import type { Db } from '../../src/db/types.ts';

export const STAFF_ID = 'USTAFF01';
export const GROUP_ID = 'SSTAFF01';

export const staff: Actor = { kind: 'slack', userId: STAFF_ID, teamId: 'T1', external: false };
export const groupStaff: Actor = { kind: 'slack', userId: 'UGROUP01', teamId: 'T1', external: false, inStaffUsergroup: true };
export const nonStaff: Actor = { kind: 'slack', userId: 'UOTHER01', teamId: 'T1', external: false, inStaffUsergroup: false };
/** A Slack Connect user whose id is even listed as staff: still refused. */
export const externalListed: Actor = { kind: 'slack', userId: STAFF_ID, teamId: 'TEXT', external: true, inStaffUsergroup: true };

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ STAFF_USER_IDS: STAFF_ID, STAFF_USERGROUP_ID: GROUP_ID, ...env }, '/tmp');
}

/** Comment services over a test database, with the log lines kept for assertions. */
export function commentDeps(db: Db, env: Record<string, string> = {}): CommentDeps & { logLines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  return {
    db,
    config: testConfig(env),
    logger,
    logLines: () => lines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const WORDS = (
  'alliance annex backlog budget cargo charter civilian clause corridor council deadline delegation deterrence diplomat ' +
  'embargo escort exporter frigate guidance harbor helicopter inventory jurisdiction kiosk ledger license logistics ' +
  'maritime mandate missile monitor munitions notification oversight parliament patrol pilot quarterly radar registry ' +
  'retransfer rifle satellite schedule sensor shipment signal statute subsidy summit tariff tender threshold treaty ' +
  'tribunal turbine verdict vessel warranty waiver warehouse yardstick zone audit bulletin caucus dossier envoy'
).split(' ');

let n = 0;
/**
 * A valid comment input. Each call's text is different words (a seeded walk over a vocabulary),
 * so sample comments are not near-duplicates of each other unless a test wants them to be.
 */
function distinctText(i: number): string {
  let s = (i * 2654435761) >>> 0;
  const words: string[] = [];
  for (let k = 0; k < 14; k++) {
    s = (Math.imul(s ^ (s >>> 13), 0x5bd1e995) + k + 1) >>> 0;
    words.push(WORDS[s % WORDS.length]!);
  }
  return `Comment ${i}: ${words.join(' ')}.`;
}

export function sampleInput(overrides: Partial<CommentInput> = {}): CommentInput {
  n++;
  return {
    submitterName: 'Jane Doe',
    email: 'jane@example.org',
    organization: 'Example Coalition',
    organizationType: 'ngo',
    topic: 'human-rights-and-ihl',
    text: distinctText(n),
    consentToPublish: true,
    source: 'slack_modal',
    slackUserId: 'USUBMIT1',
    ...overrides,
  };
}

export async function makePdf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 740 - i * 18, size: 12, font }));
  return Buffer.from(await doc.save());
}

export async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  const doc = new Document({ sections: [{ children: paragraphs.map((p) => new Paragraph({ text: p })) }] });
  return Packer.toBuffer(doc);
}

/** base64 in 76-character lines, as mail bodies carry it. */
export function base64Lines(b: Buffer): string {
  return (b.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** A multipart/mixed message: a quoted-printable text body and base64 attachments. */
export function multipartEmail(options: {
  from: string;
  subject: string;
  messageId?: string;
  date?: string;
  bodyQp: string;
  charset?: string;
  attachments?: Array<{ name: string; mime: string; content: Buffer }>;
}): string {
  const boundary = '----=_Part_0_123456.789';
  const headers = [
    `From: ${options.from}`,
    'To: ArmsTransferProcess@state.gov',
    `Subject: ${options.subject}`,
    ...(options.messageId ? [`Message-ID: ${options.messageId}`] : []),
    `Date: ${options.date ?? 'Mon, 4 Mar 2024 09:30:00 -0500'}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ];
  const parts = [
    [
      `--${boundary}`,
      `Content-Type: text/plain; charset=${options.charset ?? 'utf-8'}`,
      'Content-Transfer-Encoding: quoted-printable',
      '',
      options.bodyQp,
    ].join('\r\n'),
    ...(options.attachments ?? []).map((a) =>
      [
        `--${boundary}`,
        `Content-Type: ${a.mime}; name="${a.name}"`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename="${a.name}"`,
        '',
        base64Lines(a.content),
      ].join('\r\n'),
    ),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${parts.join('\r\n')}\r\n--${boundary}--\r\n`;
}
