#!/usr/bin/env node
// Runs the JavaScript build in dist/ (npm run build; `npm ci` builds it through `prepare`) when it
// is at least as new as every source file, else the TypeScript sources through tsx as before, so
// a tree being edited never runs a stale build (scripts/build-stamp.mjs decides, in a few ms).
import { pathToFileURL } from 'node:url';
import { freshBuild } from '../scripts/build-stamp.mjs';

const build = freshBuild();
let main;
if (build.entry) {
  ({ main } = await import(pathToFileURL(build.entry).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/index.ts'));
}
await main(process.argv);
// No process.exit(): it would drop whatever stdout has not yet written to a pipe (a slow
// `| gzip` reader got only the first 64 KB of an export). The exit code is set by main, and
// the process ends when the event loop drains; timers that must not hold it are unref()'d.
