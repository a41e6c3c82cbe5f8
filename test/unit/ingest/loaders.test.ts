import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import JSZip from 'jszip';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuffer, loadFile, SUPPORTED_EXTENSIONS } from '../../../ingest/loaders/index.ts';
import { AppError } from '../../../src/errors.ts';

let dir: string;
const file = (name: string): string => join(dir, name);

async function makeDocx(): Promise<Buffer> {
  const doc = new Document({
    title: 'CAT Policy',
    creator: 'Jane Analyst',
    sections: [
      {
        children: [
          new Paragraph({ text: 'Conventional Arms Transfer Policy', heading: HeadingLevel.TITLE }),
          new Paragraph({ text: 'Implementation', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({
            children: [
              new TextRun('The policy is carried out by the '),
              new TextRun({ text: 'Department of State', bold: true }),
              new TextRun(' and the Department of Defense.'),
            ],
          }),
          new Paragraph({ text: 'Strengthen alliances', bullet: { level: 0 } }),
          new Paragraph({ text: 'Support partner capacity', bullet: { level: 1 } }),
          new Paragraph({ text: 'Oversight', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'Congress is notified of major sales.', alignment: AlignmentType.LEFT }),
        ],
      },
    ],
  });
  // docx stamps dcterms:created with the current time; pin it so the date is testable.
  const zip = await JSZip.loadAsync(await Packer.toBuffer(doc));
  const core = await zip.file('docProps/core.xml')!.async('string');
  zip.file(
    'docProps/core.xml',
    core.replace(/(<dcterms:created[^>]*>)[^<]*(<\/dcterms:created>)/, '$12023-02-24T10:30:00Z$2'),
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

async function makePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('CAT Policy Summary');
  doc.setAuthor('Bureau of Political-Military Affairs');
  doc.setCreationDate(new Date(Date.UTC(2023, 1, 24, 12)));
  const font = await doc.embedFont(StandardFonts.TimesRoman);
  const pages: { size: number; text: string }[][] = [
    [
      { size: 9, text: 'U.S. Department of State' },
      { size: 18, text: 'Conventional Arms Transfer Policy' },
      { size: 11, text: 'The United States will use arms transfers to strengthen alliances and to support' },
      { size: 11, text: "partner capacity. Each proposed transfer is reviewed against the policy's imple-" },
      { size: 11, text: 'mentation criteria, including the risk that the arms will be used to commit' },
      { size: 11, text: 'violations of international humanitarian law.' },
      { size: 9, text: '1' },
    ],
    [
      { size: 9, text: 'U.S. Department of State' },
      { size: 14, text: 'Review process' },
      { size: 11, text: 'Stakeholders may submit comments on proposed changes to the review process by' },
      { size: 11, text: 'email. The Department will publish a summary of the comments it receives.' },
      { size: 11, text: '\u2022 Comments are due within 30 days.' },
      { size: 11, text: '\u2022 Late comments may be considered.' },
      { size: 9, text: '2' },
    ],
  ];
  for (const lines of pages) {
    const page = doc.addPage([612, 792]);
    let y = 740;
    for (const { size, text } of lines) {
      page.drawText(text, { x: 72, y, size, font });
      y -= size + 8;
    }
  }
  return doc.save();
}

const HTML = `<!doctype html>
<html><head>
<title>CAT Policy | U.S. Department of State</title>
<meta name="date" content="2023-02-24T09:00:00-05:00">
<script>var tracking = "script text";</script>
<style>body { color: red }</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><div class="logo">State Department</div>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/policy">Policy</a></li></ul></nav></header>
<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/policy">Policy</a></div>
<main id="main">
  <article>
    <header><h1>Conventional Arms Transfer Policy</h1><time datetime="2023-02-23">February 23, 2023</time></header>
    <p>The policy   guides
       arms transfer&nbsp;decisions.</p>
    <h2>Goals</h2>
    <ul>
      <li>Strengthen <a href="/allies">alliances</a></li>
      <li>Support partners
        <ul><li>Training</li></ul>
      </li>
    </ul>
    <p>Line one<br>Line two</p>
    <div class="share-buttons">Share this page</div>
    <table>
      <tr><th>Year</th><th>Event</th></tr>
      <tr><td>2018</td><td>NSPM-10</td></tr>
    </table>
    <blockquote>Quoted text.</blockquote>
  </article>
  <aside>Related stories</aside>
</main>
<footer>Privacy policy</footer>
<div id="cookie-banner">We use cookies</div>
</body></html>`;

const MARKDOWN = `---
title: "Revised CAT Policy"
date: 2023-02-23
tags: [arms, policy]
---
Conventional Arms Transfer Policy
=================================

Background
----------

## Goals ##

* Strengthen alliances
+ Support partners
  1. Training
2. Oversight

\`\`\`js
const x = 1;
\`\`\`

| Year | Event |
| ---- | :---: |
| 2018 | NSPM-10 |

A paragraph with *emphasis* and a [link](https://example.com).
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-desk-loaders-'));
  await writeFile(file('notes.txt'), '\uFEFFLine one\r\nLine two\rLine three\n\n  Indented   stays.\n');
  await writeFile(file('legacy.text'), Buffer.from([0x93, 0x51, 0x94, 0x20, 0x63, 0x61, 0x66, 0xe9]));
  await writeFile(file('policy.md'), MARKDOWN);
  await writeFile(file('page.html'), HTML);
  await writeFile(file('policy.docx'), await makeDocx());
  await writeFile(file('summary.pdf'), await makePdf());
  await writeFile(file('empty.txt'), '');
  await writeFile(file('blank.md'), ' \n\n\t\n');
  await writeFile(file('chrome-only.html'), '<html><body><nav>Home | About</nav><footer>Contact</footer></body></html>');
  await writeFile(file('corrupt.pdf'), '%PDF-1.7\nthis is not really a pdf\n%%EOF\n');
  await writeFile(file('corrupt.docx'), Buffer.from('PK\u0003\u0004 not a real zip archive'));
  await writeFile(file('binary.txt'), Buffer.from([0x00, 0x01, 0x02, 0x03, 0x00]));
  await writeFile(file('slides.pptx'), 'whatever');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('loadFile: plain text', () => {
  it('strips the BOM and normalises CRLF and CR, leaving the text otherwise unchanged', async () => {
    const doc = await loadFile(file('notes.txt'));
    expect(doc).toEqual({
      path: file('notes.txt'),
      format: 'txt',
      text: 'Line one\nLine two\nLine three\n\n  Indented   stays.\n',
      meta: {},
    });
  });

  it('reads bytes that are not valid UTF-8 as Windows-1252 (.text extension)', async () => {
    const doc = await loadFile(file('legacy.text'));
    expect(doc.format).toBe('txt');
    expect(doc.text).toBe('\u201CQ\u201D café');
  });
});

describe('loadFile: Markdown', () => {
  it('normalises to markdown-lite and takes title and date from the front matter', async () => {
    const doc = await loadFile(file('policy.md'));
    expect(doc.format).toBe('md');
    expect(doc.meta).toEqual({ title: 'Revised CAT Policy', date: '2023-02-23' });
    expect(doc.text).toBe(
      [
        '# Conventional Arms Transfer Policy',
        '## Background',
        '## Goals',
        '- Strengthen alliances\n- Support partners\n- Training\n- Oversight',
        'const x = 1;',
        'Year | Event\n2018 | NSPM-10',
        'A paragraph with *emphasis* and a [link](https://example.com).',
      ].join('\n\n'),
    );
  });
});

describe('loadFile: HTML', () => {
  it('keeps the main content as markdown-lite and drops navigation, header, footer and other chrome', async () => {
    const doc = await loadFile(file('page.html'));
    expect(doc.format).toBe('html');
    expect(doc.text).toBe(
      [
        '# Conventional Arms Transfer Policy',
        'February 23, 2023',
        'The policy guides arms transfer decisions.',
        '## Goals',
        '- Strengthen alliances\n- Support partners\n- Training',
        'Line one\nLine two',
        'Year | Event\n2018 | NSPM-10',
        'Quoted text.',
      ].join('\n\n'),
    );
    for (const chrome of ['Skip to', 'Home', 'State Department', 'Privacy', 'cookies', 'Share this', 'Related', 'tracking']) {
      expect(doc.text).not.toContain(chrome);
    }
  });

  it('reads the title from <title> and the date from <meta name="date"> as YYYY-MM-DD', async () => {
    const doc = await loadFile(file('page.html'));
    expect(doc.meta).toEqual({ title: 'CAT Policy | U.S. Department of State', date: '2023-02-24' });
  });
});

describe('loadFile: DOCX', () => {
  it('maps Title and Heading styles to headings, bullets to list items, and reads core properties', async () => {
    const doc = await loadFile(file('policy.docx'));
    expect(doc.format).toBe('docx');
    expect(doc.text).toBe(
      [
        '# Conventional Arms Transfer Policy',
        '# Implementation',
        'The policy is carried out by the Department of State and the Department of Defense.',
        '- Strengthen alliances\n- Support partner capacity',
        '## Oversight',
        'Congress is notified of major sales.',
      ].join('\n\n'),
    );
    expect(doc.meta).toEqual({ title: 'CAT Policy', author: 'Jane Analyst', date: '2023-02-24' });
  });
});

describe('loadFile: PDF', () => {
  it('re-flows wrapped lines, de-hyphenates, drops running headers and page numbers, marks headings set in larger type', async () => {
    const doc = await loadFile(file('summary.pdf'));
    expect(doc.format).toBe('pdf');
    expect(doc.pages).toBe(2);
    // A page mark (ingest/clean.ts PAGE_MARK) opens each page's text.
    expect(doc.text.startsWith('\uFDD0')).toBe(true);
    expect(doc.text.match(/\uFDD0/g)).toHaveLength(2);
    expect(doc.text.replaceAll('\uFDD0', '')).toBe(
      [
        '# Conventional Arms Transfer Policy',
        "The United States will use arms transfers to strengthen alliances and to support partner capacity. Each proposed transfer is reviewed against the policy's implementation criteria, including the risk that the arms will be used to commit violations of international humanitarian law.",
        '## Review process',
        'Stakeholders may submit comments on proposed changes to the review process by email. The Department will publish a summary of the comments it receives.',
        '- Comments are due within 30 days.\n- Late comments may be considered.',
      ].join('\n\n'),
    );
  });

  it('reads title, author and creation date from the PDF info dictionary', async () => {
    const doc = await loadFile(file('summary.pdf'));
    expect(doc.meta).toEqual({
      title: 'CAT Policy Summary',
      author: 'Bureau of Political-Military Affairs',
      date: '2023-02-24',
    });
  });
});

describe('loadFile: errors', () => {
  it('rejects an unsupported extension with ingest.unsupported, naming the file and the supported extensions', async () => {
    const err = await loadError(loadFile(file('slides.pptx')));
    expect(err.code).toBe('ingest.unsupported');
    expect(err.message).toBe(
      `Cannot load "${file('slides.pptx')}": ".pptx" files are not supported. ` +
        'Supported extensions: .txt, .text, .md, .markdown, .html, .htm, .pdf, .docx.',
    );
    expect([...SUPPORTED_EXTENSIONS]).toEqual(['.txt', '.text', '.md', '.markdown', '.html', '.htm', '.pdf', '.docx']);
  });

  it('rejects a file without an extension with ingest.unsupported', async () => {
    const err = await loadError(loadBuffer(Buffer.from('hello'), 'README'));
    expect(err.code).toBe('ingest.unsupported');
    expect(err.message).toContain('"README": the file has no extension');
  });

  it('reports a corrupt PDF as ingest.unreadable, naming the file and keeping the cause', async () => {
    const err = await loadError(loadFile(file('corrupt.pdf')));
    expect(err.code).toBe('ingest.unreadable');
    expect(err.message.startsWith(`Cannot read "${file('corrupt.pdf')}" as PDF: not a valid PDF (`)).toBe(true);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('reports a corrupt DOCX as ingest.unreadable, naming the file and keeping the cause', async () => {
    const err = await loadError(loadFile(file('corrupt.docx')));
    expect(err.code).toBe('ingest.unreadable');
    expect(err.message.startsWith(`Cannot read "${file('corrupt.docx')}" as DOCX: `)).toBe(true);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('reports a binary file named .txt as ingest.unreadable', async () => {
    const err = await loadError(loadFile(file('binary.txt')));
    expect(err.code).toBe('ingest.unreadable');
    expect(err.message).toBe(`Cannot read "${file('binary.txt')}" as TXT: it looks like a binary file, not text`);
  });

  it('reports a missing file as ingest.unreadable', async () => {
    const err = await loadError(loadFile(file('missing.pdf')));
    expect(err.code).toBe('ingest.unreadable');
    expect(err.message).toBe(`Cannot read "${file('missing.pdf')}": no such file`);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it.each(['empty.txt', 'blank.md', 'chrome-only.html'])('reports %s as ingest.empty', async (name) => {
    const err = await loadError(loadFile(file(name)));
    expect(err.code).toBe('ingest.empty');
    expect(err.message).toBe(`"${file(name)}" contains no text.`);
  });

  it('reports a PDF without a text layer as ingest.empty with a hint', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([612, 792]);
    const err = await loadError(loadBuffer(await doc.save(), 'scan.pdf'));
    expect(err.code).toBe('ingest.empty');
    expect(err.message).toBe('"scan.pdf" contains no text (a scanned PDF without a text layer has no extractable text).');
  });
});

describe('loadBuffer', () => {
  it.each(['notes.txt', 'legacy.text', 'policy.md', 'page.html', 'policy.docx', 'summary.pdf'])(
    'gives the same document as loadFile for %s',
    async (name) => {
      const buffer = await readFile(file(name));
      const fromBuffer = await loadBuffer(buffer, file(name));
      expect(fromBuffer).toEqual(await loadFile(file(name)));
      // The caller's buffer stays usable (pdf.js may detach the array it parses).
      expect(buffer.byteLength).toBeGreaterThan(0);
    },
  );

  it('uses the given file name as the document path and picks the format from it', async () => {
    const doc = await loadBuffer(new TextEncoder().encode('# Title\n\nBody'), 'attachment.MD');
    expect(doc).toEqual({ path: 'attachment.MD', format: 'md', text: '# Title\n\nBody', meta: {} });
  });
});
