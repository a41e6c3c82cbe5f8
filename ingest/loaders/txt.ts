import type { LoadedDocument } from '../types.ts';

export type Extracted = Pick<LoadedDocument, 'text' | 'meta' | 'pages' | 'ocr' | 'warnings'>;

/**
 * Decodes a text file: UTF-8 (BOM stripped), or UTF-16 when it carries a UTF-16 BOM.
 * Bytes that are not valid UTF-8 are read as Windows-1252, because legacy text
 * exports are usually in that code page and U+FFFD would silently lose characters.
 * (Node's TextDecoder('windows-1252') decodes as Latin-1, so 0x80-0x9F are mapped here.)
 * Line endings are normalised to LF.
 */
export function decodeText(buffer: Uint8Array): string {
  let text: string;
  if (buffer[0] === 0xff && buffer[1] === 0xfe) {
    text = new TextDecoder('utf-16le').decode(buffer.subarray(2));
  } else if (buffer[0] === 0xfe && buffer[1] === 0xff) {
    text = new TextDecoder('utf-16be').decode(buffer.subarray(2));
  } else {
    if (looksBinary(buffer)) throw new Error('it looks like a binary file, not text');
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
    } catch {
      text = decodeWindows1252(buffer);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r\n?/g, '\n');
}

// Windows-1252 bytes 0x80-0x9F; the rest of the code page coincides with Latin-1.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(buffer: Uint8Array): string {
  let out = '';
  for (const byte of buffer) out += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  return out;
}

function looksBinary(buffer: Uint8Array): boolean {
  const end = Math.min(buffer.length, 8192);
  for (let i = 0; i < end; i++) if (buffer[i] === 0) return true;
  return false;
}

export function extractTxt(buffer: Uint8Array): Extracted {
  return { text: decodeText(buffer), meta: {} };
}
