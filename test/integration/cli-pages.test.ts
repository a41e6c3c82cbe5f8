import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../ingest/pipeline.ts';
import type { Answer } from '../../src/domain/answer.ts';
import { MEMO, memoPdf, scannedPdf } from '../helpers/pdf-fixtures.ts';

/*
 * The done-when checks through the real `policy-desk` executable, offline, PGlite in a temp data
 * dir (as cli.test.ts: DATABASE_URL is never passed on; the store paths are covered on both
 * databases by pdf-pages.test.ts and ocr.test.ts): a three-page PDF answered from page 3, and a
 * one-page scan read by OCR and answered from page 1, in `ask --json`; `docs` shows the OCR.
 */

const BIN = path.join(PROJECT_ROOT, 'bin', 'policy-desk.js');
const SLOW = 180_000;
let dataDir: string;
let dir: string;

function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { POLICY_DESK_DATA_DIR: dataDir, ...extra };
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'policy-desk-cli-pages-'));
  dir = await mkdtemp(path.join(tmpdir(), 'policy-desk-cli-pages-docs-'));
  await writeFile(path.join(dir, 'retransfer-guidance.pdf'), await memoPdf());
  await writeFile(
    path.join(dir, 'signed-letter.pdf'),
    await scannedPdf([['# LETTER OF ASSURANCE', '', 'The recipient government will not retransfer the', 'night vision devices without prior written consent.', '', 'Signed, Minister of Defence']]),
  );
});

afterAll(async () => {
  for (const d of [dataDir, dir]) if (d) await rm(d, { recursive: true, force: true });
});

describe('policy-desk with PDFs', () => {
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
