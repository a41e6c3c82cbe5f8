import { load } from 'cheerio';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { htmlToMarkdownLite, normalizeDate, type DocumentMeta } from './html.ts';
import type { Extracted } from './txt.ts';

/** mammoth's default map has no rule for the built-in Title style and would emit a plain <p>. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh"];

/** Images carry no text; skipping them avoids base64-inlining every picture into the HTML. */
const dropImages = mammoth.images.imgElement(async () => ({ src: '' }));

export async function extractDocx(buffer: Uint8Array): Promise<Extracted> {
  const input = { buffer: Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
  const { value: html } = await mammoth.convertToHtml(input, { styleMap: STYLE_MAP, convertImage: dropImages });
  // Footnote back-references render as a bare "↑" link at the end of each note.
  const { text } = htmlToMarkdownLite(html.replace(/<a href="#(?:footnote|endnote)-ref-[^"]*">↑<\/a>/g, ''));
  return { text, meta: await readCoreProperties(input.buffer) };
}

/** Title, author and creation date from docProps/core.xml; missing or unreadable properties are simply absent. */
export async function readCoreProperties(buffer: Buffer): Promise<DocumentMeta> {
  const meta: DocumentMeta = {};
  let xml: string | undefined;
  try {
    const zip = await JSZip.loadAsync(buffer);
    xml = await zip.file('docProps/core.xml')?.async('string');
  } catch {
    return meta;
  }
  if (!xml) return meta;

  const $ = load(xml, { xml: true });
  // Match on local names: the namespace prefixes (dc:, dcterms:) are conventional, not fixed.
  const property = (localName: string): string => {
    const el = $('*')
      .filter((_, e) => 'tagName' in e && e.tagName.split(':').pop() === localName)
      .first();
    return el.text().replace(/\s+/g, ' ').trim();
  };

  const title = property('title');
  if (title) meta.title = title;
  const author = property('creator');
  if (author) meta.author = author;
  const date = normalizeDate(property('created'));
  if (date) meta.date = date;
  return meta;
}
