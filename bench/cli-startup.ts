/**
 * Whole-process start-up of the command line, beside the floor it cannot beat, measured in the
 * same run: `node -e 0`, a bare node script that opens the same PGlite store and runs one query,
 * then `policy-desk --help`, `docs` and `ask "…"` (extractive) on that ready store. Runs are
 * interleaved (round robin) so the machine's load falls on all of them alike; medians of --runs.
 *
 *   npx tsx bench/cli-startup.ts [--runs 5] [--bin bin/policy-desk.js]
 *
 * Targets (issue 14): --help <= 0.30 s; ask <= 2x the floor. Exit 1 when a target is missed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { machine } from './lib.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const RUNS = Number(arg('runs', '5'));
const BIN = path.resolve(arg('bin', path.join(ROOT, 'bin', 'policy-desk.js')));
const QUESTION = 'What are the three lines of effort?';

const dir = await mkdtemp(path.join(tmpdir(), 'pd-cli-startup-'));
const env: NodeJS.ProcessEnv = { ...process.env, POLICY_DESK_DATA_DIR: path.join(dir, 'store'), LOG_LEVEL: 'warn' };
for (const k of Object.keys(env)) if (k.startsWith('SLACK_') || k.startsWith('OPENAI_') || k === 'DATABASE_URL') delete env[k];
const pgliteDir = path.join(dir, 'store', 'pglite');

// The floor: PGlite with the store's extensions, opened on the store, one full-text query.
const floorScript = path.join(dir, 'floor.mjs');
await writeFile(
  floorScript,
  `import { PGlite } from ${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))};
import { vector } from ${JSON.stringify(import.meta.resolve('@electric-sql/pglite-pgvector'))};
import { pg_trgm } from ${JSON.stringify(import.meta.resolve('@electric-sql/pglite/contrib/pg_trgm'))};
const pg = await PGlite.create(${JSON.stringify(pgliteDir)}, { extensions: { vector, pg_trgm } });
const r = await pg.query("SELECT id FROM chunks WHERE tsv @@ websearch_to_tsquery('english', $1) LIMIT 10", [${JSON.stringify(QUESTION)}]);
if (r.rows.length === 0) throw new Error('the floor query found nothing');
await pg.close();
`,
);

async function timed(args: string[]): Promise<number> {
  const t = performance.now();
  await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 16 * 2 ** 20 });
  return (performance.now() - t) / 1000;
}

const cases: Array<[string, string[]]> = [
  ['node -e 0', ['-e', '0']],
  ['floor: PGlite open + 1 query', [floorScript]],
  ['policy-desk --help', [BIN, '--help']],
  ['policy-desk docs', [BIN, 'docs']],
  [`policy-desk ask (extractive)`, [BIN, 'ask', QUESTION]],
];

try {
  process.stderr.write(`Preparing a ready store in ${dir} (ingest + one ask)…\n`);
  await run(process.execPath, [BIN, 'ingest'], { cwd: ROOT, env });
  // Warm-up: the first ask may still build what a ready store has (and fills the OS file cache).
  for (const [, args] of cases) await timed(args);
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++) for (const [name, args] of cases) times.get(name)!.push(await timed(args));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const m = new Map([...times].map(([k, v]) => [k, median(v)]));
  const floor = m.get('floor: PGlite open + 1 query')!;
  process.stdout.write(`${machine()}; medians of ${RUNS} whole-process runs; bin ${path.relative(ROOT, BIN) || BIN}\n`);
  for (const [name] of cases) {
    const v = m.get(name)!;
    process.stdout.write(`  ${name.padEnd(32)} ${v.toFixed(2)} s${name.startsWith('policy-desk') ? `  (${(v / floor).toFixed(2)}x floor)` : ''}   [${times.get(name)!.map((x) => x.toFixed(2)).join(' ')}]\n`);
  }
  const help = m.get('policy-desk --help')!;
  const ask = m.get('policy-desk ask (extractive)')!;
  const ok = help <= 0.3 && ask <= 2 * floor;
  process.stdout.write(`Targets: --help <= 0.30 s: ${help <= 0.3 ? 'met' : 'MISSED'}; ask <= 2x floor (${(2 * floor).toFixed(2)} s): ${ask <= 2 * floor ? 'met' : 'MISSED'}\n`);
  if (!ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
