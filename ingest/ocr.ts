import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../src/errors.ts';

/**
 * OCR for scanned PDF pages: tesseract.js (Tesseract compiled to WebAssembly, run in a Node
 * worker thread) with the English LSTM model from the @tesseract.js-data/eng npm package.
 * The model is read from node_modules and never downloaded: langPath is a local directory
 * (tesseract.js fetches only when langPath is a URL or unset), and cacheMethod 'none' keeps
 * it from reading or writing a cache copy anywhere else.
 */

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence for the page, 0-100. */
  confidence: number;
}

export interface OcrEngine {
  recognize(png: Uint8Array): Promise<OcrResult>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The directory holding eng.traineddata.gz: the "best_int" LSTM model (2.9 MB, what tesseract.js uses for LSTM-only by default). */
export function englishModelDir(): string {
  const pkg = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  const dir = path.join(pkg, '4.0.0_best_int');
  if (!existsSync(path.join(dir, 'eng.traineddata.gz'))) {
    throw new AppError('ingest.ocr_unavailable', `The OCR model is missing (${dir}/eng.traineddata.gz): run npm install.`);
  }
  return dir;
}

/** The options handed to tesseract.js: exported so a test can check that nothing points at the network. */
export function tesseractOptions(): { langPath: string; cachePath: string; cacheMethod: 'none'; gzip: true } {
  return { langPath: englishModelDir(), cachePath: tmpdir(), cacheMethod: 'none', gzip: true };
}

/**
 * An OCR engine whose worker starts on first use (starting it costs about a second) and is
 * shared by every page of an ingest run; close() ends the worker thread.
 */
export function lazyOcrEngine(): OcrEngine {
  let worker: Promise<import('tesseract.js').Worker> | null = null;
  const start = async () => {
    const { createWorker, OEM } = await import('tesseract.js');
    return createWorker('eng', OEM.LSTM_ONLY, { ...tesseractOptions(), logger: () => undefined, errorHandler: () => undefined });
  };
  return {
    async recognize(png) {
      worker ??= start();
      let w: import('tesseract.js').Worker;
      try {
        w = await worker;
      } catch (err) {
        worker = null;
        throw new AppError('ingest.ocr_unavailable', `OCR could not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      const { data } = await w.recognize(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
      return { text: data.text, confidence: data.confidence };
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await (await w.catch(() => null))?.terminate();
    },
  };
}
