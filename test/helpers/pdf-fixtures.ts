import { PDFDocument, PDFName, PDFString, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

/*
 * PDFs made in the tests, so no binary sits in the repo that nobody can regenerate. They look
 * like office files rather than tidy samples: a running header and a "Page N of M" footer on
 * every page, a title and headings in larger bold type, numbered sections, a two-column page,
 * a paragraph that runs over a page break, and the answer deep in an annex.
 */

const LETTER: [number, number] = [612, 792];
const MARGIN = 72;

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

interface Writer {
  page: PDFPage;
  y: number;
}

async function fonts(doc: PDFDocument) {
  return { body: await doc.embedFont(StandardFonts.TimesRoman), bold: await doc.embedFont(StandardFonts.HelveticaBold), sans: await doc.embedFont(StandardFonts.Helvetica) };
}

/** The three-page memo. Its answer (the end-use check deadline) is on page 3 under "Annex C: End-use monitoring". */
export const MEMO = {
  title: 'Guidance on Retransfer and End-Use Controls',
  question: 'How soon must a post complete an end-use check after a request?',
  /** Verbatim on page 3. */
  answer: 'complete the end-use check within 45 calendar days of the request',
  section: 'Annex C: End-use monitoring',
  /** The sentence that starts on page 2 and ends on page 3. */
  straddleStart: 'Posts that receive a retransfer request from a partner government',
  straddleEnd: 'before the licensing office replies to the partner',
};

export async function memoPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(MEMO.title);
  doc.setAuthor('Office of Regional Security and Arms Transfers');
  const f = await fonts(doc);
  const total = 3;
  const newPage = (n: number): Writer => {
    const page = doc.addPage(LETTER);
    page.drawText('UNCLASSIFIED', { x: 270, y: 760, size: 9, font: f.sans });
    page.drawText(`Page ${n} of ${total}`, { x: 270, y: 40, size: 9, font: f.sans });
    return { page, y: 720 };
  };
  const para = (w: Writer, text: string, x = MARGIN, width = LETTER[0] - 2 * MARGIN) => {
    for (const line of wrap(text, f.body, 11, width)) {
      w.page.drawText(line, { x, y: w.y, size: 11, font: f.body });
      w.y -= 14;
    }
    w.y -= 8;
  };
  const heading = (w: Writer, text: string, size = 13) => {
    w.y -= 6;
    w.page.drawText(text, { x: MARGIN, y: w.y, size, font: f.bold });
    w.y -= size + 8;
  };

  // Page 1: title, office line, purpose.
  const p1 = newPage(1);
  p1.page.drawText(MEMO.title, { x: MARGIN, y: p1.y, size: 18, font: f.bold });
  p1.y -= 26;
  p1.page.drawText('Bureau of Political-Military Affairs, March 2024', { x: MARGIN, y: p1.y, size: 11, font: f.body });
  p1.y -= 28;
  heading(p1, '1. Purpose');
  para(
    p1,
    'This guidance tells posts and bureaus how to handle requests to retransfer defense articles that the United States has provided to a partner, and how the department checks that such articles are used only for the purposes for which they were provided. It replaces the interim instructions circulated to posts in 2022.',
  );
  heading(p1, '2. Scope');
  para(
    p1,
    'The guidance covers articles and services provided by sale, lease or grant, including items transferred under the Foreign Military Sales program and under direct commercial sales licensed by the Directorate of Defense Trade Controls.',
  );

  // Page 2: two columns, then a paragraph that runs onto page 3.
  const p2 = newPage(2);
  heading(p2, '3. Roles of posts and bureaus');
  const colWidth = (LETTER[0] - 2 * MARGIN - 24) / 2;
  const top = p2.y;
  const left: Writer = { page: p2.page, y: top };
  para(
    left,
    'Each post names an end-use officer, who keeps the list of defense articles held by the host government and answers questions from the licensing office about them.',
    MARGIN,
    colWidth,
  );
  const right: Writer = { page: p2.page, y: top };
  para(
    right,
    'The regional bureau reviews the post list every year and reports any discrepancy in the inventory to the Office of Regional Security and Arms Transfers.',
    MARGIN + colWidth + 24,
    colWidth,
  );
  p2.y = Math.min(left.y, right.y) - 6;
  heading(p2, '4. Retransfer requests');
  para(
    p2,
    'A partner government that wishes to pass a defense article to a third party must first obtain the written consent of the United States. The request states the article, its quantity, the proposed recipient and the end use.',
  );
  // Fill page 2 down to the footer so the next paragraph runs over the page break.
  para(
    p2,
    'The licensing office records each request on receipt, assigns it a case number, and tells the requesting government which office will handle it and how long the review is expected to take under the current workload of the office.',
  );
  const straddle = `${MEMO.straddleStart} forward it to the licensing office with the post's own assessment of the proposed recipient, and they keep a record of the request and of the assessment until the case is closed, ${MEMO.straddleEnd}.`;
  const lines = wrap(straddle, f.body, 11, LETTER[0] - 2 * MARGIN);
  const onPage2 = 2;
  for (const line of lines.slice(0, onPage2)) {
    p2.page.drawText(line, { x: MARGIN, y: p2.y, size: 11, font: f.body });
    p2.y -= 14;
  }

  // Page 3: the rest of that paragraph, then the annex with the answer.
  const p3 = newPage(3);
  for (const line of lines.slice(onPage2)) {
    p3.page.drawText(line, { x: MARGIN, y: p3.y, size: 11, font: f.body });
    p3.y -= 14;
  }
  p3.y -= 8;
  heading(p3, MEMO.section);
  para(
    p3,
    `When the licensing office asks for an end-use check, the post must ${MEMO.answer} and report the result through the regional bureau. A check that finds an article missing or misused is reported at once.`,
  );
  para(p3, 'The post keeps the report of each check for five years after the article leaves the inventory of the partner.');
  return doc.save();
}

/** A memo in many pages, each with a header, a footer and a numbered paragraph naming its page: for the 2,000-page test and bench. */
export async function longPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Consolidated Arms Transfer Case Log');
  const body = await doc.embedFont(StandardFonts.TimesRoman);
  const sans = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage(LETTER);
    page.drawText('CONSOLIDATED CASE LOG', { x: 250, y: 760, size: 9, font: sans });
    page.drawText(`- ${n} -`, { x: 290, y: 40, size: 9, font: sans });
    const text = `Case ${n}: the review of case number ${n} found that the recipient met the conditions of the license, and the file was closed after the post confirmed delivery of the articles listed in the case record number ${n}.`;
    let y = 700;
    for (const line of wrap(text, body, 11, LETTER[0] - 2 * MARGIN)) {
      page.drawText(line, { x: MARGIN, y, size: 11, font: body });
      y -= 14;
    }
  }
  return doc.save();
}

/** Text rendered to a grey-ish scan (JPEG, like a scanner's) and placed as the only content of each page: no text layer. */
export async function scannedPdf(pages: string[][]): Promise<Uint8Array> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const doc = await PDFDocument.create();
  for (const lines of pages) {
    // 150 dpi, US letter.
    const canvas = createCanvas(1275, 1650);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#f4f2ec';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#1a1a1a';
    let y = 190;
    for (const line of lines) {
      const heading = line.startsWith('# ');
      ctx.font = heading ? 'bold 34px sans-serif' : '27px serif';
      ctx.fillText(heading ? line.slice(2) : line, 150, y);
      y += heading ? 60 : 44;
    }
    const jpeg = await canvas.encode('jpeg', 85);
    const image = await doc.embedJpg(jpeg);
    const page = doc.addPage(LETTER);
    page.drawImage(image, { x: 0, y: 0, width: LETTER[0], height: LETTER[1] });
  }
  return doc.save();
}

/**
 * A PDF under the standard security handler that needs a user password: the /U entry does not
 * match the empty password, as in a file protected with one, so a reader must refuse to open it.
 */
export async function encryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage(LETTER).drawText('Sensitive: retransfer case file', { x: 72, y: 700, size: 12, font });
  const fill = (seed: number) => PDFString.of(Array.from({ length: 32 }, (_, i) => String.fromCharCode(65 + ((i * 7 + seed) % 26))).join(''));
  const encrypt = doc.context.obj({ Filter: 'Standard', V: 1, R: 2, Length: 40, P: -44 });
  encrypt.set(PDFName.of('O'), fill(3));
  encrypt.set(PDFName.of('U'), fill(11));
  doc.context.trailerInfo.Encrypt = doc.context.register(encrypt);
  doc.context.trailerInfo.ID = doc.context.obj([PDFString.of('0123456789abcdef'), PDFString.of('0123456789abcdef')]);
  return doc.save({ useObjectStreams: false });
}
