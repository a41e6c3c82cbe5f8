import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/domain/answer.ts';
import { cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { dbLabel } from '../helpers/db.ts';
import { MEMO, memoPdf, scannedPdf } from '../helpers/pdf-fixtures.ts';

/*
 * The done-when checks through the real `policy-desk` executable, offline, on a store of this
 * file's own (test/helpers/cli.ts: PGlite, or a private Postgres schema): a three-page PDF
 * answered from page 3, and a one-page scan read by OCR and answered from page 1, in
 * `ask --json`; `docs` shows the OCR.
 */

const SLOW = 180_000;
let store: CliStore;
let dir: string;
const run = (args: string[], env: Record<string, string> = {}) => runCli(store, args, { env });

beforeAll(async () => {
  store = await cliStore('cli-pages');
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-cli-pages-docs-'));
  await writeFile(path.join(dir, 'retransfer-guidance.pdf'), await memoPdf());
  await writeFile(
    path.join(dir, 'signed-letter.pdf'),
    await scannedPdf([['# LETTER OF ASSURANCE', '', 'The recipient government will not retransfer the', 'night vision devices without prior written consent.', '', 'Signed, Minister of Defence']]),
  );
});

afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`policy-desk with PDFs (${dbLabel})`, () => {
  it('with OCR=off the scan is refused naming the setting, and the other PDF is ingested', async () => {
    const r = await run(['ingest', dir], { OCR: 'off' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed: Cannot read ".*signed-letter\.pdf": it is a scanned PDF .*\(OCR=off\); set OCR=on/);
    expect(r.stdout).toMatch(/Ingested 1 document\(s\)/);
  }, SLOW);

  it('ingests the scan by OCR; docs shows ocr: true and its page', async () => {
    const r = await run(['ingest', dir]);
    expect(r.code, r.stderr).toBe(0);
    const docs = JSON.parse((await run(['docs', '--json'])).stdout) as Array<{ source: string; pages: number | null; ocr: boolean; ocrPages: number[] }>;
    const letter = docs.find((d) => d.source.endsWith('signed-letter.pdf'));
    const memo = docs.find((d) => d.source.endsWith('retransfer-guidance.pdf'));
    expect(letter).toMatchObject({ pages: 1, ocr: true, ocrPages: [1] });
    expect(memo).toMatchObject({ pages: 3, ocr: false, ocrPages: [] });
    expect((await run(['docs'])).stdout).toContain('1 page(s); ocr: true (pages 1)');
  }, SLOW);

  it('ask --json cites the three-page PDF on page 3 and the scan on page 1 (OCR)', async () => {
    const [a, b] = await Promise.all([
      run(['ask', '--json', MEMO.question]),
      run(['ask', '--json', 'Will the recipient government retransfer the night vision devices?']),
    ]);
    const memo = JSON.parse(a.stdout) as Answer;
    expect(memo.citations.find((c) => c.quote.includes(MEMO.answer))).toMatchObject({ page: 3, pageEnd: 3, section: MEMO.section, ocr: false });
    const letter = JSON.parse(b.stdout) as Answer;
    const cited = letter.citations.find((c) => c.document.source.endsWith('signed-letter.pdf'));
    expect(cited, b.stdout).toMatchObject({ page: 1, pageEnd: 1, ocr: true });
    expect((await run(['ask', MEMO.question])).stdout).toContain(`p. 3 · ${MEMO.section}`);
  }, SLOW);
});
