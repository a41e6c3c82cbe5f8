/**
 * `npm run bench`: runs the quick benchmarks one after another (each prints its own figures) and
 * names the slow ones, which run only when asked for by name or with --all:
 *
 *   npm run bench                      # the quick ones
 *   npm run bench -- slack-latency     # just these (quick or slow)
 *   npm run bench -- --all             # every one (tens of minutes)
 *
 * Exit 1 when any benchmark fails (a missed target, an unanswered event, an error).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const QUICK: Record<string, string[]> = {
  'cli-startup': [],
  'ingest-query': ['300', '50'],
  'slack-latency': ['20', '100'],
};
const SLOW = [
  'chunk-sizes', 'dedupe-threshold', 'eval-baseline', 'fault-run', 'form-letters', 'fusion-weight', 'import-throughput',
  'large-corpus', 'ocr', 'pdf-pages', 'positions', 'summarize', 'thread-summaries',
];

const args = process.argv.slice(2);
const all = args.includes('--all');
const named = args.filter((a) => !a.startsWith('--'));
for (const n of named) if (!(n in QUICK) && !SLOW.includes(n)) throw new Error(`No benchmark "${n}"; quick: ${Object.keys(QUICK).join(', ')}; slow: ${SLOW.join(', ')}`);
const chosen = named.length ? named : all ? [...Object.keys(QUICK), ...SLOW] : Object.keys(QUICK);
if (!named.length && !all) process.stdout.write(`Quick benchmarks: ${chosen.join(', ')}. Skipped (slow; name them or pass --all): ${SLOW.join(', ')}.\n`);

const failed: string[] = [];
for (const name of chosen) {
  process.stdout.write(`\n== bench/${name}.ts ${(QUICK[name] ?? []).join(' ')}\n`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, `${name}.ts`), ...(QUICK[name] ?? [])], { stdio: 'inherit' });
    child.on('exit', resolve);
  });
  if (code !== 0) failed.push(`${name} (exit ${code})`);
}
if (failed.length) {
  process.stderr.write(`\nFailed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
