import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(ms: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export function machine(): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** A deterministic pseudo-random generator, so every run of a benchmark sees the same corpus. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Writes `count` synthetic policy documents built from shuffled paragraphs of the bundled
 * corpus (with a numbered heading each), so sizes and vocabulary resemble the real thing.
 */
export async function syntheticCorpus(corpusDir: string, outDir: string, count: number, seed = 7): Promise<string> {
  const paragraphs: string[] = [];
  for (const f of (await readdir(corpusDir)).filter((f) => f.endsWith('.txt'))) {
    for (const p of (await readFile(path.join(corpusDir, f), 'utf8')).split(/\n\s*\n/)) {
      if (p.trim().length > 120) paragraphs.push(p.trim());
    }
  }
  const rand = rng(seed);
  await mkdir(outDir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const parts = [`Synthetic policy memorandum ${i + 1}`, ''];
    const n = 6 + Math.floor(rand() * 10);
    for (let j = 0; j < n; j++) {
      if (j % 4 === 0) parts.push(`Section ${j / 4 + 1}: ${['Background', 'Implementation', 'Oversight', 'Industry'][Math.floor(rand() * 4)]}`, '');
      parts.push(paragraphs[Math.floor(rand() * paragraphs.length)]!, '');
    }
    await writeFile(path.join(outDir, `memo-${String(i + 1).padStart(5, '0')}.txt`), parts.join('\n'));
  }
  return outDir;
}
