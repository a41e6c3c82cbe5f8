/**
 * Whole-process start-up of the command line, beside the floor it cannot beat, measured in the
 * same run: `node -e 0`, a bare node script that opens the same PGlite store and runs one query,
 * then `policy-desk --help`, `docs` and `ask "…"` (extractive) on that ready store. Runs are
 * interleaved (round robin) so the machine's load falls on all of them alike; medians of --runs.
 *
 * The CLI runs as bin/policy-desk.js runs it: the build in dist/ (made first, `npm run build`),
 * with the freshness check bin does on every start; and, for comparison, through tsx on src/
 * (bin's fallback when the sources are newer than the build; --no-tsx leaves those rows out).
 * The dist rows always run the build made at the start, even if another edit makes it stale
 * during the run (bin would then fall back to tsx); the output says so when that happened.
 *
 *   npx tsx bench/cli-startup.ts [--runs 5] [--no-tsx]
 *
 * Targets (issue 14): --help <= 0.30 s; ask <= 2x the floor (the dist rows). Exit 1 when missed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { machine } from './lib.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const RUNS = Number(arg('runs', '5'));
const TSX = !process.argv.includes('--no-tsx');
const BIN = path.join(ROOT, 'bin', 'policy-desk.js');
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

// The build bin runs, made now; and two runners doing what bin does with it and without it.
await run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
const stamp = JSON.parse(await readFile(path.join(ROOT, 'dist', 'stamp.json'), 'utf8')) as { entry: string };
const stampModule = JSON.stringify(pathToFileURL(path.join(ROOT, 'scripts', 'build-stamp.mjs')).href);
const distBin = path.join(dir, 'dist-bin.mjs');
await writeFile(
  distBin,
  `import { freshBuild } from ${stampModule};
globalThis.fresh = freshBuild().entry !== null; // the check bin makes on every start
const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', stamp.entry)).href)});
await main(process.argv);
if (!globalThis.fresh) process.stderr.write('STALE\\n');
`,
);
const tsxBin = path.join(dir, 'tsx-bin.mjs');
await writeFile(
  tsxBin,
  `import { freshBuild } from ${stampModule};
freshBuild();
const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
register();
const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src', 'cli', 'index.ts')).href)});
await main(process.argv);
`,
);
let stale = false;

async function timed(args: string[]): Promise<number> {
  const t = performance.now();
  const { stderr } = await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 16 * 2 ** 20 });
  if (stderr.includes('STALE')) stale = true;
  return (performance.now() - t) / 1000;
}

const cases: Array<[string, string[]]> = [
  ['node -e 0', ['-e', '0']],
  ['floor: PGlite open + 1 query', [floorScript]],
  ['policy-desk --help', [distBin, '--help']],
  ['policy-desk docs', [distBin, 'docs']],
  ['policy-desk ask (extractive)', [distBin, 'ask', QUESTION]],
  ...(TSX
    ? ([
        ['tsx: policy-desk --help', [tsxBin, '--help']],
        ['tsx: policy-desk docs', [tsxBin, 'docs']],
        ['tsx: policy-desk ask', [tsxBin, 'ask', QUESTION]],
      ] as Array<[string, string[]]>)
    : []),
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
  process.stdout.write(`${machine()}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; medians of ${RUNS} whole-process runs; dist/${stamp.entry}\n`);
  for (const [name] of cases) {
    const v = m.get(name)!;
    process.stdout.write(`  ${name.padEnd(32)} ${v.toFixed(2)} s${/policy-desk/.test(name) ? `  (${(v / floor).toFixed(2)}x floor)` : ''}   [${times.get(name)!.map((x) => x.toFixed(2)).join(' ')}]\n`);
  }
  const help = m.get('policy-desk --help')!;
  const ask = m.get('policy-desk ask (extractive)')!;
  const ok = help <= 0.3 && ask <= 2 * floor;
  process.stdout.write(`Targets: --help <= 0.30 s: ${help <= 0.3 ? 'met' : 'MISSED'}; ask <= 2x floor (${(2 * floor).toFixed(2)} s): ${ask <= 2 * floor ? 'met' : 'MISSED'}\n`);
  if (stale) process.stdout.write('Note: the sources changed during the run; the dist rows ran the build made at its start (bin would have run tsx).\n');
  if (!ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
