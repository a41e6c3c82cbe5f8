#!/usr/bin/env node
/**
 * `npm run build` (and `prepare`, so `npm ci` / `npm install` build it): the command line as
 * JavaScript in dist/, so a start does not transpile TypeScript (tsx) first.
 *
 * One esbuild bundle from src/cli/index.ts, ESM for node, packages left to node_modules, code
 * splitting on: each `await import()` a command makes stays a chunk of its own that only that
 * command loads. Code that finds files (migrations, prompts/, the corpus) does so from the
 * project root (src/paths.ts), packages through createRequire, so the build needs no copies.
 *
 * Each build goes to a fresh dist/build-<time>/ and dist/stamp.json is written last
 * (atomically) naming it, so a CLI starting during a rebuild runs the old build or the new one,
 * never half of each. bin/policy-desk.js runs the build the stamp names only when no file under
 * the watched trees (scripts/build-stamp.mjs) changed after the build started, else tsx on src/.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DIST, ROOT } from './build-stamp.mjs';

/** Builds kept besides the new one, and for how long at least: a running process may still load their chunks. */
const KEEP = 2;
const KEEP_MS = 60 * 60 * 1000;

/** The bundle alone, into `outdir`; the entry module is `<outdir>/cli/index.js` (exports main). */
export async function bundleCli(outdir) {
  const result = await build({
    entryPoints: { 'cli/index': path.join(ROOT, 'src', 'cli', 'index.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  return { entry: path.join(outdir, 'cli', 'index.js'), files: Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length };
}

async function main() {
  // Taken before bundling: a file edited while esbuild runs is newer than the stamp, so the build
  // that may have missed the edit is never used.
  const sourcesAsOfMs = Date.now();
  const dir = `build-${Date.now().toString(36)}`;
  const started = performance.now();
  const { files } = await bundleCli(path.join(DIST, dir));

  const stamp = { entry: `${dir}/cli/index.js`, sourcesAsOfMs, builtAt: new Date().toISOString() };
  await mkdir(DIST, { recursive: true });
  const tmp = path.join(DIST, `stamp.json.${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(stamp, null, 2)}\n`);
  await rename(tmp, path.join(DIST, 'stamp.json'));

  // Older builds go, but the last few and the recent ones stay: a process started on one (a
  // running `start`, a test's CLI) may still load its lazy chunks.
  const builtAt = (d) => parseInt(d.slice('build-'.length), 36);
  const builds = (await readdir(DIST)).filter((d) => /^build-[0-9a-z]+$/.test(d) && d !== dir).sort((a, b) => builtAt(b) - builtAt(a));
  for (const old of builds.slice(KEEP)) {
    if (Date.now() - builtAt(old) > KEEP_MS) await rm(path.join(DIST, old), { recursive: true, force: true });
  }
  process.stdout.write(`Built dist/${dir} (${files} chunks) in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
