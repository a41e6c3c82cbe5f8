import { AppError } from '../src/errors.ts';
import type { DocFormat } from './types.ts';

/**
 * What one file may weigh before it is parsed. Text formats are parsed whole in memory
 * (cheerio builds a DOM of an HTML page several times its size), so they get the tightest
 * bound: 20 MB of text is some 10,000 pages. A PDF is read page by page, so it may be larger.
 */
export const MAX_FILE_BYTES: Record<DocFormat, number> = {
  txt: 20 * 1024 * 1024,
  md: 20 * 1024 * 1024,
  html: 20 * 1024 * 1024,
  pdf: 200 * 1024 * 1024,
  docx: 50 * 1024 * 1024,
};

/** A DOCX's parts together, inflated: a zip bomb declares far more (42 kB can declare petabytes). */
export const MAX_DOCX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024;
/** Entries in a DOCX's zip: a real one has tens; a crafted one can list millions of tiny ones. */
export const MAX_DOCX_ENTRIES = 10_000;

const mb = (n: number): string => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

export function assertFileSize(format: DocFormat, bytes: number, name: string): void {
  const limit = MAX_FILE_BYTES[format];
  if (bytes > limit) {
    throw new AppError(
      'ingest.too_large',
      `"${name}" is ${mb(bytes)}, more than the ${mb(limit)} a ${format.toUpperCase()} file may be: split it, or save the document's text in a smaller file`,
      { details: { bytes, limit, format } },
    );
  }
}

/**
 * Reads a zip's central directory (the list of entries at its end, with each entry's
 * uncompressed size) without inflating anything, and refuses an archive that would inflate
 * past the limit. Sizes are the ones the archive declares: an archive that lies about them
 * (declares little, inflates much) is not caught here, since jszip (under mammoth) inflates each
 * part whole without checking its length; the file size limit bounds the compressed input.
 */
export function assertZipWithinLimits(buffer: Uint8Array, name: string, maxBytes = MAX_DOCX_UNCOMPRESSED_BYTES): void {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const unreadable = (why: string) => new Error(`not a valid DOCX (${why})`);
  // End of central directory record: signature 0x06054b50, at most 65,535 bytes of comment after it.
  let eocd = -1;
  for (let i = buffer.byteLength - 22; i >= Math.max(0, buffer.byteLength - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw unreadable('it is not a zip archive, or it is truncated');
  let entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || offset === 0xffffffff) {
    // Zip64: the real counts sit in the zip64 end record, found through its locator just before.
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) throw unreadable('damaged zip64 directory');
    const record = Number(view.getBigUint64(locator + 8, true));
    if (record + 56 > buffer.byteLength || view.getUint32(record, true) !== 0x06064b50) throw unreadable('damaged zip64 directory');
    entries = Number(view.getBigUint64(record + 32, true));
    offset = Number(view.getBigUint64(record + 48, true));
  }
  if (entries > MAX_DOCX_ENTRIES) {
    throw new AppError('ingest.too_large', `"${name}" lists ${entries} parts in its zip archive (a DOCX has tens; at most ${MAX_DOCX_ENTRIES}): refused as a zip bomb`);
  }
  let total = 0;
  let at = offset;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > buffer.byteLength || view.getUint32(at, true) !== 0x02014b50) throw unreadable('damaged zip directory');
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (size === 0xffffffff) {
      // The zip64 extra field (id 0x0001) holds the real size first.
      let e = at + 46 + nameLength;
      const end = e + extraLength;
      size = Number.MAX_SAFE_INTEGER;
      while (e + 4 <= end && e + 4 <= buffer.byteLength) {
        const id = view.getUint16(e, true);
        const len = view.getUint16(e + 2, true);
        if (id === 0x0001 && len >= 8 && e + 12 <= buffer.byteLength) {
          size = Number(view.getBigUint64(e + 4, true));
          break;
        }
        e += 4 + len;
      }
    }
    total += size;
    if (total > maxBytes) {
      throw new AppError(
        'ingest.too_large',
        `"${name}" would inflate to more than ${mb(maxBytes)} (its zip archive declares ${total > Number.MAX_SAFE_INTEGER / 2 ? 'an impossible size' : `at least ${mb(total)}`}): refused as a zip bomb`,
        { details: { declared: total, limit: maxBytes } },
      );
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
}
