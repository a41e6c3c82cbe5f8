import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { crc32, deflateRawSync } from 'node:zlib';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import JSZip from 'jszip';

/*
 * Hostile inputs made in the tests (nothing of this size or shape is committed).
 */

interface ZipEntry {
  name: string;
  /** Bytes as stored (deflated when method is 8). */
  data: Uint8Array;
  method: 0 | 8;
  crc: number;
  size: number;
}

/** A zip written by hand (local headers, central directory, end record), so entries can be pre-compressed. */
function writeZip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.byteLength, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, Buffer.from(e.data));
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(e.method, 10);
    dir.writeUInt32LE(e.crc >>> 0, 16);
    dir.writeUInt32LE(e.data.byteLength, 20);
    dir.writeUInt32LE(e.size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    offset += 30 + name.length + e.data.byteLength;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dirBytes, end]);
}

/**
 * A real DOCX (made by the docx package, opens in Word) with twelve extra "images" of 24 MB of
 * zeros each: about 290 MB inflated from a file of about 300 kB. Only one 24 MB buffer is ever in memory.
 */
export async function zipBombDocx(): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: [new Paragraph({ text: 'Retransfer guidance', heading: HeadingLevel.HEADING_1 }), new Paragraph('The guidance is attached.')] }],
  });
  const real = await JSZip.loadAsync(await Packer.toBuffer(doc));
  const entries: ZipEntry[] = [];
  for (const [name, file] of Object.entries(real.files)) {
    if (file.dir) continue;
    const bytes = await file.async('uint8array');
    entries.push({ name, data: bytes, method: 0, crc: crc32(bytes), size: bytes.byteLength });
  }
  const zeros = Buffer.alloc(24 * 1024 * 1024);
  const packed = deflateRawSync(zeros, { level: 9 });
  const crc = crc32(zeros);
  for (let i = 1; i <= 12; i++) entries.push({ name: `word/media/image${i}.png`, data: packed, method: 8, crc, size: zeros.byteLength });
  return writeZip(entries);
}

/** A web page of `mb` megabytes (a menu, then the same article paragraph over and over), streamed to disk. */
export async function writeHugeHtml(file: string, mb: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('<!doctype html><html><head><title>Archive</title></head><body><nav><a href="/">Home</a></nav><main>');
  const para = Buffer.from(`<p>${'The department reviews each proposed arms transfer case by case. '.repeat(15)}</p>\n`);
  const target = mb * 1024 * 1024;
  let written = 0;
  while (written < target) {
    if (!out.write(para)) await once(out, 'drain');
    written += para.length;
  }
  out.end('</main></body></html>');
  await once(out, 'finish');
}

/** Bytes that are not text (a small PNG-like header and pseudo-random bytes, zeros among them), for a file named .txt. */
export function binaryBytes(size = 64 * 1024): Buffer {
  const out = Buffer.alloc(size);
  let x = 0x2545f491;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]).copy(out, 0);
  return out;
}
