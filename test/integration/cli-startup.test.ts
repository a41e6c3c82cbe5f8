import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { CLI_TIMEOUT, cliEnv, cliStore, runCli, type CliStore } from '../helpers/cli.ts';
import { THREE_LINES_QUESTION } from '../helpers/corpus.ts';
import { dbLabel } from '../helpers/db.ts';

/*
 * Commands load only what they use: --help and docs no Bolt and no openai, extractive ask no Bolt,
 * no openai, and nothing loads pino unless it logs. Checked on the two ways bin/policy-desk.js
 * runs the CLI: the esbuild build in dist/ (made here with the real build script; bundling could
 * pull a lazy import into a chunk every command loads) and the sources through tsx. A loader
 * hook (`node --import`) writes down every module the process loads, ESM and CommonJS.
 */

const run = promisify(execFile);
let store: CliStore;
let hook: string;
const runners: Record<'dist' | 'src', string> = { dist: '', src: '' };

beforeAll(async () => {
  store = await cliStore('startup');
  const dir = store.dir;
  await run(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs')], { cwd: PROJECT_ROOT });
  const stamp = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'dist', 'stamp.json'), 'utf8')) as { entry: string };
  const url = (p: string) => JSON.stringify(pathToFileURL(p).href);
  // What bin does with a fresh build, and what it does without one, minus the freshness check.
  runners.dist = path.join(dir, 'run-dist.mjs');
  await writeFile(runners.dist, `const { main } = await import(${url(path.join(PROJECT_ROOT, 'dist', stamp.entry))});\nawait main(process.argv);\n`);
  runners.src = path.join(dir, 'run-src.mjs');
  await writeFile(
    runners.src,
    `const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});\nregister();\n` +
      `const { main } = await import(${url(path.join(PROJECT_ROOT, 'src', 'cli', 'index.ts'))});\nawait main(process.argv);\n`,
  );
  hook = path.join(dir, 'module-log.mjs');
  await writeFile(
    path.join(dir, 'module-log-hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.PD_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}
`,
  );
  await writeFile(
    hook,
    `import { appendFileSync } from 'node:fs';
import { Module, register } from 'node:module';
register(${url(path.join(dir, 'module-log-hooks.mjs'))});
// CommonJS modules required from CommonJS (and through createRequire) never reach the ESM hook.
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.apply(this, arguments);
  try { appendFileSync(process.env.PD_TEST_MODULE_LOG, Module._resolveFilename(request, parent, isMain) + '\\n'); } catch {}
  return loaded;
};
`,
  );
  // A ready store for docs and ask.
  const ingest = await runCli(store, ['ingest']);
  expect(ingest.code, ingest.stderr).toBe(0);
}, CLI_TIMEOUT);

afterAll(async () => {
  await store?.close();
});

let runs = 0;
/** Runs the script under the hook; the packages (by name) it loaded, and its output. */
async function loaded(script: string, args: string[]): Promise<{ packages: Set<string>; stdout: string }> {
  const log = path.join(store.dir, `modules-${++runs}.log`);
  await writeFile(log, '');
  const { stdout } = await run(process.execPath, ['--import', hook, script, ...args], {
    cwd: PROJECT_ROOT,
    env: cliEnv(store, { PD_TEST_MODULE_LOG: log }),
    maxBuffer: 16 * 2 ** 20,
  });
  const packages = new Set<string>();
  for (const line of (await readFile(log, 'utf8')).split('\n')) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (m) packages.add(m[1]!);
  }
  return { packages, stdout };
}

const HEAVY_FRONT_ENDS = ['@slack/bolt', '@slack/web-api', 'openai'];
/** pino, and the worker-thread stream its transports run on. */
const LOGGING = ['pino', 'thread-stream'];
const DRIVER = dbLabel === 'postgres' ? 'pg' : '@electric-sql/pglite';
const OTHER_DRIVER = dbLabel === 'postgres' ? '@electric-sql/pglite' : 'pg';

describe(`what each command loads (${dbLabel})`, () => {
  it('the module log sees a package whether it is imported or required', async () => {
    const probe = path.join(store.dir, 'probe.mjs');
    await writeFile(
      probe,
      `import { createRequire } from 'node:module';
await import(${JSON.stringify(import.meta.resolve('@slack/bolt'))});
await import(${JSON.stringify(import.meta.resolve('openai'))});
createRequire(${JSON.stringify(pathToFileURL(path.join(PROJECT_ROOT, 'package.json')).href)})('pino');
`,
    );
    const { packages } = await loaded(probe, []);
    for (const p of [...HEAVY_FRONT_ENDS, 'pino', 'thread-stream']) expect(packages).toContain(p);
  }, CLI_TIMEOUT);

  describe.each(['dist', 'src'] as const)('run from %s', (from) => {
    it('--help: commander only (no Bolt, openai, pino, database driver or zod)', async () => {
      const { packages, stdout } = await loaded(runners[from], ['--help']);
      expect(stdout).toMatch(/^Usage: policy-desk/m);
      expect(packages).toContain('commander');
      for (const p of [...HEAVY_FRONT_ENDS, ...LOGGING, '@electric-sql/pglite', 'pg', 'zod', 'cheerio', 'yaml']) expect(packages).not.toContain(p);
    }, CLI_TIMEOUT);

    it('docs: the store, no Bolt, openai, pino or loaders', async () => {
      const { packages, stdout } = await loaded(runners[from], ['docs']);
      expect(stdout).toMatch(/\d+ document\(s\), \d+ chunk\(s\)\./);
      expect(packages).toContain(DRIVER);
      for (const p of [...HEAVY_FRONT_ENDS, ...LOGGING, OTHER_DRIVER, 'cheerio', 'mammoth', 'pdfjs-dist', 'yaml']) expect(packages).not.toContain(p);
    }, CLI_TIMEOUT);

    it('extractive ask on a ready store: no Bolt, openai, pino, loaders or YAML', async () => {
      const { packages, stdout } = await loaded(runners[from], ['ask', THREE_LINES_QUESTION]);
      expect(stdout).toContain('Prioritizing strategic competition');
      expect(packages).toContain(DRIVER);
      for (const p of [...HEAVY_FRONT_ENDS, ...LOGGING, OTHER_DRIVER, 'cheerio', 'mammoth', 'jszip', 'pdfjs-dist', 'tesseract.js', 'yaml']) {
        expect(packages).not.toContain(p);
      }
    }, CLI_TIMEOUT);
  });
});
